"""Build a package: stream records into a private staging folder, then into the inner archive,
through the encrypting stream, and finally into the outer ZIP, written atomically.

Memory stays flat: records are consumed one at a time from the caller's iterables, staged to
``records/<type>.jsonl`` (plaintext only inside a private 0700 temporary folder removed
afterwards) while their length, SHA-256 and count are computed for the manifest, which must be the
first member of the inner archive. The ciphertext goes to a temporary file beside the output,
because header.json (which names the ciphertext's length and hash) precedes it in the outer ZIP.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO, Final

import fastjsonschema

from app.sync import outer, schemas
from app.sync.encoding import b64u, format_time, is_party_id, new_package_id, utc_now, uuid_raw
from app.sync.errors import PackageError
from app.sync.inner import BLOCK
from app.sync.keys import KeyPair, PublicKey
from app.sync.lines import FIRST_BATCH, LineEncoder, Record, next_batch_size
from app.sync.stream import CHUNK_SIZE, CIPHER, EncryptingWriter, sender_key
from app.sync.trust import Trust
from app.sync.zipwrite import DeflatedMember, Deflater, InnerWriter

HEADER_CONTEXT: Final = b"vaxdesk-package-v1\x00"
DEFAULT_LIFETIME: Final = timedelta(days=30)
KINDS: Final = ("changes", "updates", "initial")
_CORE_MANIFEST_KEYS: Final = frozenset({"format", "version", "package_id", "files"})


class CheckedLines:
    """``count`` complete JSON lines (each ending with ``\\n``) that the caller checked against
    the member's schema when they were written (the export's stored lines: MAC-verified, see
    app/store/outbox_lines.py). ``build_package`` writes them byte for byte without parsing them
    again (not even counted: ``count`` is the caller's word, as is each line's check; the
    recipient checks every line and the manifest's count); every other record of the member is
    checked as usual."""

    __slots__ = ("blob", "count")

    def __init__(self, blob: bytes, count: int) -> None:
        self.blob, self.count = blob, count


RecordSource = Iterable[Record | CheckedLines]


@dataclass(frozen=True, slots=True)
class BuiltPackage:
    path: Path
    package_id: str
    header: bytes
    manifest: dict[str, Any]
    size: int


def _build_error(code: str, detail: str) -> PackageError:
    return PackageError(code, detail, step="build")


def _stage(
    path: Path,
    name: str,
    source: Iterable[Record | CheckedLines],
    check: schemas.RecordChecker | None,
) -> tuple[DeflatedMember, str, int]:
    """Validate and serialise one JSON Lines member in batches, deflated on worker threads into
    ``path``; return (member, sha256, records). ``CheckedLines`` go in as they are."""
    count = 0
    buf = bytearray()
    encoder = LineEncoder(name, check)
    size = FIRST_BATCH
    batch: list[Record] = []
    deflater = Deflater(path)
    try:
        for item in source:
            if type(item) is CheckedLines:
                if batch:
                    buf += encoder.encode(batch, count + 1)
                    count += len(batch)
                    batch.clear()
                blob = item.blob
                if item.count < 1 or not blob.endswith(b"\n"):
                    raise _build_error("E_RECORD_SCHEMA", f"{name} の行が不正です")
                if buf:
                    deflater.write(bytes(buf))
                    buf.clear()
                deflater.write(blob)
                count += item.count
                continue
            batch.append(item)  # type: ignore[arg-type]
            if len(batch) >= size:
                encoded = encoder.encode(batch, count + 1)
                count += len(batch)
                size = next_batch_size(len(batch), len(encoded))
                batch.clear()
                buf += encoded
                if len(buf) >= BLOCK:
                    deflater.write(bytes(buf))
                    buf.clear()
        if batch:
            buf += encoder.encode(batch, count + 1)
            count += len(batch)
            batch.clear()
        deflater.write(bytes(buf))
        deflater.finish()
    except BaseException:
        deflater.abort()
        raise
    member = DeflatedMember(name, path, deflater.size, deflater.compressed, deflater.crc)
    return member, deflater.sha256.hexdigest(), count


def _record_sources(
    records: Mapping[str, RecordSource] | Iterable[tuple[str, RecordSource]],
) -> Iterable[tuple[str, RecordSource]]:
    return records.items() if isinstance(records, Mapping) else records


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # not possible on every platform (Windows)
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def build_package(
    out: Path | str,
    *,
    sender: KeyPair,
    recipient: PublicKey,
    sequence: int,
    ack: int = 0,
    kind: str = "changes",
    records: Mapping[str, RecordSource] | Iterable[tuple[str, RecordSource]] = (),
    audit: Iterable[Record] | None = None,
    trust: Trust | None = None,
    manifest_extra: Mapping[str, Any] | None = None,
    created_at: datetime | None = None,
    expires_at: datetime | None = None,
    package_id: str | None = None,
    tmp_dir: Path | str | None = None,
    validate_records: bool = True,
    audit_ahead: bool = False,
) -> BuiltPackage:
    """Write a complete package to ``out`` atomically (temporary file, fsync, rename).

    ``records`` maps a record type to its envelopes (dicts, or JSON lines as bytes that are kept
    byte for byte); every record is validated against its schema. ``audit`` (changes packages) and
    ``trust`` (updates/initial packages) are optional members; ``manifest_extra`` adds top-level
    manifest fields such as ``audit_head`` or ``audit_ack``. ``validate_records=False`` skips the
    schema check of record envelopes for callers whose records were validated when they were
    written (the recipient validates every line regardless); JSON and line rules still apply.
    ``audit_ahead``: ``audit`` is staged on a worker thread from the start, beside the records
    (it must not use anything the records' iterables use); the package is the same.
    """
    out = Path(out)
    created = (created_at or utc_now()).replace(microsecond=0)
    expires = expires_at or created + DEFAULT_LIFETIME
    pid = package_id or new_package_id()
    if kind not in KINDS or not is_party_id(recipient.party_id) or not is_party_id(sender.party_id):
        raise _build_error("E_HEADER", "kind または ID が不正です")
    if sequence < 1 or ack < 0 or expires <= created:
        raise _build_error("E_HEADER", "通番・確認番号・有効期限が不正です")
    if trust is not None and kind == "changes":
        raise _build_error("E_MANIFEST", "trust は更新パッケージにだけ入れられます")
    if audit is not None and kind != "changes":
        raise _build_error("E_MANIFEST", "audit は changes パッケージにだけ入れられます")
    extra = dict(manifest_extra or {})
    if _CORE_MANIFEST_KEYS & extra.keys():
        raise _build_error("E_MANIFEST", "manifest_extra に予約済みの項目があります")

    staging = Path(tempfile.mkdtemp(prefix="vaxdesk-build-", dir=tmp_dir))
    out.parent.mkdir(parents=True, exist_ok=True)
    cipher_fd, cipher_name = tempfile.mkstemp(
        prefix=f".{out.name}.", suffix=".payload", dir=out.parent
    )
    final_fd, final_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(final_fd)
    ok = False
    audit_pool: ThreadPoolExecutor | None = None
    try:
        audit_job: Future[tuple[DeflatedMember, str, int]] | None = None
        audit_check = schemas.checker(schemas.AUDIT)
        if audit is not None and audit_ahead:
            audit_pool = ThreadPoolExecutor(1, thread_name_prefix="vaxdesk-audit")
            audit_job = audit_pool.submit(
                _stage, staging / "audit.jsonl", "audit/audit.jsonl", audit, audit_check
            )
        files: list[dict[str, Any]] = []
        staged: list[DeflatedMember] = []
        seen: set[str] = set()
        for rtype, source in _record_sources(records):
            if rtype not in schemas.RECORD_TYPES or rtype in seen:
                raise _build_error("E_RECORD_SCHEMA", f"レコード種別 {rtype!r} は使えません")
            seen.add(rtype)
            name = f"records/{rtype}.jsonl"
            path = staging / f"{rtype}.jsonl"
            check = schemas.record_checker(rtype) if validate_records else None
            member, sha, count = _stage(path, name, source, check)
            files.append(
                {
                    "name": name,
                    "length": member.size,
                    "sha256": sha,
                    "records": count,
                    "schema": schemas.schema_name(rtype),
                }
            )
            staged.append(member)
        if audit is not None:
            if audit_job is not None:
                member, sha, count = audit_job.result()
            else:
                path = staging / "audit.jsonl"
                member, sha, count = _stage(path, "audit/audit.jsonl", audit, audit_check)
            files.append(
                {
                    "name": "audit/audit.jsonl",
                    "length": member.size,
                    "sha256": sha,
                    "records": count,
                    "schema": "audit.v1",
                }
            )
            staged.append(member)
        blobs: list[tuple[str, bytes]] = []
        if trust is not None:
            blobs = [("trust/trust.json", trust.raw), ("trust/trust.sig", trust.sig)]
            for name, data in blobs:
                files.append(
                    {
                        "name": name,
                        "length": len(data),
                        "records": 0,
                        "sha256": hashlib.sha256(data).hexdigest(),
                        "schema": "trust.v1" if name.endswith(".json") else None,
                    }
                )
        manifest = {"format": "vaxdesk-records", "version": 1, "package_id": pid, "files": files}
        manifest.update(extra)
        try:
            schemas.validator(schemas.MANIFEST)(manifest)
        except fastjsonschema.JsonSchemaException as exc:
            raise _build_error("E_MANIFEST", schemas.describe(exc)) from exc
        manifest_bytes = json.dumps(manifest, ensure_ascii=False, separators=(",", ":")).encode()

        eph_pub, key = sender_key(recipient.x25519, uuid_raw(pid))
        with os.fdopen(cipher_fd, "wb") as cipher_out:
            enc = EncryptingWriter(key, cipher_out)
            inner = InnerWriter(enc, created)  # type: ignore[arg-type]
            inner.add_bytes("manifest.json", manifest_bytes)
            for member in staged:
                inner.add_deflated(member)
                member.path.unlink()
            for name, data in blobs:
                inner.add_bytes(name, data)
            inner.close()
            enc.close()
        header = {
            "format": "vaxdesk-package",
            "version": 1,
            "package_id": pid,
            "kind": kind,
            "sender": {"id": sender.party_id, "key_id": sender.key_id},
            "recipient": {"id": recipient.party_id, "key_id": recipient.key_id},
            "sequence": sequence,
            "ack": ack,
            "created_at": format_time(created),
            "expires_at": format_time(expires),
            "payload": {
                "cipher": CIPHER,
                "ephemeral_key": b64u(eph_pub),
                "chunk_size": CHUNK_SIZE,
                "length": enc.length,
                "sha256": enc.sha256.hexdigest(),
            },
        }
        header_bytes = json.dumps(header, separators=(",", ":"), ensure_ascii=True).encode("ascii")
        signature = sender.sign(HEADER_CONTEXT + header_bytes)
        size = _write_outer(
            Path(final_name), Path(cipher_name), header_bytes, signature, enc, created
        )
        os.replace(final_name, out)
        _fsync_dir(out.parent)
        ok = True
        return BuiltPackage(out, pid, header_bytes, manifest, size)
    finally:
        if audit_pool is not None:  # a failure: its staging ends before the folder goes
            audit_pool.shutdown(wait=True)
        shutil.rmtree(staging, ignore_errors=True)
        Path(cipher_name).unlink(missing_ok=True)
        if not ok:
            Path(final_name).unlink(missing_ok=True)


def _write_outer(
    path: Path, cipher: Path, header: bytes, sig: bytes, enc: EncryptingWriter, created: datetime
) -> int:
    import zlib

    when = outer.dos_time(created)
    total = (
        3 * 30 + 2 * len(b"header.json") + len(header) + len(sig) + enc.length + 3 * 46 + 22 + 33
    )
    if total >= outer.MAX_FILE:
        raise _build_error("E_TOO_LARGE", "4 GiB を超えます")
    entries: list[tuple[bytes, int, int, int]] = []
    offset = 0
    with open(path, "wb") as fh:
        for name, data in ((b"header.json", header), (b"header.sig", sig)):
            crc = zlib.crc32(data)
            fh.write(outer.local_header(name, crc, len(data), when) + data)
            entries.append((name, crc, len(data), offset))
            offset += 30 + len(name) + len(data)
        fh.write(outer.local_header(b"payload.bin", enc.crc, enc.length, when))
        entries.append((b"payload.bin", enc.crc, enc.length, offset))
        with open(cipher, "rb") as src:
            _copy(src, fh)
        fh.write(outer.central_directory(entries, when))
        fh.flush()
        os.fsync(fh.fileno())
        return fh.tell()


def _copy(src: BinaryIO, dst: BinaryIO) -> None:
    shutil.copyfileobj(src, dst, 4 * BLOCK)
