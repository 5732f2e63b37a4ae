"""The verified contents of an opened package, and the one-pass check that produces them.

``scan_inner`` inflates every member of the decrypted inner archive once: sizes and ratio (E_UNSAFE_ARCHIVE),
SHA-256, length and line count for the manifest (E_MANIFEST), every JSON line against its schema
(E_RECORD_SCHEMA, reported after the manifest comparison so the spec's order holds). A line is at
most ``MAX_LINE`` bytes, UTF-8, ends with ``\\n``, and is one JSON object.

``OpenedPackage`` then streams the verified members back from the private temporary folder.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Protocol

import fastjsonschema
import orjson

from app.sync import schemas
from app.sync.channel import Outcome
from app.sync.errors import PackageError
from app.sync.header import PackageHeader
from app.sync.inner import Prefetcher, member_blocks, open_safe
from app.sync.lines import MAX_LINE, LineChecker, Overlong
from app.sync.schemas import RecordInvalid

MAX_MANIFEST: Final = 16 * 1024 * 1024


class FileEntry(dict[str, Any]):
    """A manifest ``files`` entry (name, length, sha256, records, schema)."""


class Pending(Protocol):
    """Member checks running elsewhere (``app.sync.deferred.DeferredScan``)."""

    def result(self) -> dict[str, FileEntry]: ...

    def cancel(self) -> None: ...


def _checker_for(name: str) -> LineChecker | None:
    if name == "audit/audit.jsonl":
        return LineChecker(schemas.checker(schemas.AUDIT))
    if name.startswith("records/") and name.endswith(".jsonl"):
        rtype = name[len("records/") : -len(".jsonl")]
        if rtype in schemas.RECORD_TYPES:
            return LineChecker(schemas.record_checker(rtype))
    return None


def _expected_schema(name: str, kind: str) -> tuple[bool, str | None]:
    """(allowed in a package of ``kind``, schema value) for a member name."""
    if name.startswith("records/") and name.endswith(".jsonl"):
        rtype = name[len("records/") : -len(".jsonl")]
        return rtype in schemas.RECORD_TYPES, schemas.schema_name(rtype)
    if name == "audit/audit.jsonl":
        return kind == "changes", "audit.v1"
    if name == "trust/trust.json":
        return kind != "changes", "trust.v1"
    if name == "trust/trust.sig":
        return kind != "changes", None
    return False, None


class ScanStopped(Exception):
    """The scan was stopped from outside (the package is being closed)."""


def _scan_member(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, stop: threading.Event | None = None
) -> tuple[int, str, int, PackageError | None]:
    """(length, sha256, lines, first schema error) of one member."""
    checker = _checker_for(info.filename)
    length = lines = 0
    error: PackageError | None = None
    rest = b""
    last = b"\n"
    with Prefetcher(zf, info) as blocks:
        for block in blocks:
            if stop is not None and stop.is_set():
                raise ScanStopped()
            length += len(block)
            last = block[-1:]
            if checker is None:
                continue
            if error is None:
                parts = (rest + block).split(b"\n")
                rest = parts.pop()
                bad = checker.first_bad(parts)
                if bad is None and len(rest) > MAX_LINE:
                    bad = (len(parts), Overlong())
                if bad is not None:
                    error = _line_error(info.filename, lines + bad[0] + 1, bad[1])
                    rest = b""
            lines += block.count(b"\n")
    digest = blocks.sha256
    if checker is None:
        return length, digest.hexdigest(), 0, None
    if last != b"\n":
        lines += 1
        if error is None:
            error = PackageError(
                "E_RECORD_SCHEMA",
                f"{info.filename} の {lines} 行目が改行で終わっていません",
                step="records",
            )
    return length, digest.hexdigest(), lines, error


def _line_error(name: str, line: int, exc: Exception) -> PackageError:
    if isinstance(exc, RecordInvalid):
        detail = f"{name} の {line} 行目: {exc}"
    elif isinstance(exc, orjson.JSONDecodeError):
        detail = f"{name} の {line} 行目が UTF-8 の JSON ではありません"
    else:
        detail = f"{name} の {line} 行目が長すぎるか JSON オブジェクトではありません"
    return PackageError("E_RECORD_SCHEMA", detail, step="records")


def _manifest_error(detail: str) -> PackageError:
    return PackageError("E_MANIFEST", detail, step="manifest")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate key")
    return dict(pairs)


def _parse_manifest(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[dict[str, Any], bytes]:
    if info.file_size > MAX_MANIFEST:
        raise _manifest_error("manifest.json が大きすぎます")
    data = b"".join(member_blocks(zf, info))
    try:
        manifest = json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicates)
        schemas.validator(schemas.MANIFEST)(manifest)
    except (
        UnicodeDecodeError,
        ValueError,
        RecursionError,
        fastjsonschema.JsonSchemaException,
    ) as exc:
        raise _manifest_error("manifest.json の形式が不正です") from exc
    return dict(manifest), data


def _compare(
    manifest: dict[str, Any], header: PackageHeader, stats: dict[str, tuple[int, str, int]]
) -> dict[str, FileEntry]:
    if manifest["package_id"] != header.package_id:
        raise _manifest_error("manifest の package_id がヘッダーと異なります")
    files: dict[str, FileEntry] = {}
    for entry in manifest["files"]:
        name = entry["name"]
        if name in files:
            raise _manifest_error(f"{name} が目録に重複しています")
        allowed, schema = _expected_schema(name, header.kind)
        if not allowed or entry["schema"] != schema:
            raise _manifest_error(f"{name} はこの種類のパッケージに入れられません")
        if name not in stats:
            raise _manifest_error(f"{name} がアーカイブにありません")
        length, sha, lines = stats[name]
        if (entry["length"], entry["sha256"], entry["records"]) != (length, sha, lines):
            raise _manifest_error(f"{name} の長さ・ハッシュ・件数が目録と一致しません")
        files[name] = FileEntry(entry)
    extra = sorted(set(stats) - set(files))
    if extra:
        raise _manifest_error(f"{extra[0]} が目録にありません")
    return files


def scan_inner(
    path: Path, header: PackageHeader, stop: threading.Event | None = None
) -> tuple[zipfile.ZipFile, dict[str, Any], bytes, dict[str, FileEntry]]:
    """Safe unpack → manifest → record schemas over the decrypted inner archive at ``path``."""
    zf, infos = open_safe(path)
    try:
        manifest: dict[str, Any] | None = None
        manifest_raw = b""
        manifest_failure: PackageError | None = None
        schema_failure: PackageError | None = None
        stats: dict[str, tuple[int, str, int]] = {}
        first = min(infos, key=lambda i: i.header_offset) if infos else None
        if first is None or first.filename != "manifest.json":
            manifest_failure = _manifest_error("最初のメンバーが manifest.json ではありません")
        for info in infos:
            if info.filename == "manifest.json":
                try:
                    manifest, manifest_raw = _parse_manifest(zf, info)
                except PackageError as exc:
                    if exc.code != "E_MANIFEST":
                        raise
                    manifest_failure = manifest_failure or exc
                continue
            length, sha, lines, error = _scan_member(zf, info, stop)
            stats[info.filename] = (length, sha, lines)
            schema_failure = schema_failure or error
        if manifest_failure is not None:
            raise manifest_failure
        assert manifest is not None
        files = _compare(manifest, header, stats)
        if schema_failure is not None:
            raise schema_failure
        return zf, manifest, manifest_raw, files
    except BaseException:
        zf.close()
        raise


class OpenedPackage:
    """A verified package. Use as a context manager: ``close`` removes the decrypted folder.

    ``outcome`` is ``Outcome.NEW`` (contents available) or ``Outcome.ALREADY_IMPORTED`` (nothing
    decrypted; apply nothing).

    With ``pending`` (``app.sync.deferred``) the members are still being checked on another
    thread: ``files`` is the manifest's word until ``verify_records`` has returned, and the
    caller must call it before it keeps anything it read."""

    def __init__(
        self,
        header: PackageHeader,
        outcome: Outcome,
        workdir: Path | None,
        zf: zipfile.ZipFile | None,
        files: dict[str, FileEntry],
        manifest: dict[str, Any] | None = None,
        manifest_raw: bytes = b"",
        pending: Pending | None = None,
    ) -> None:
        self.header = header
        self._pending = pending
        self.outcome = outcome
        self.manifest: dict[str, Any] = manifest or {}
        self.files = files
        self.manifest_raw = manifest_raw
        self._workdir = workdir
        self._zip = zf

    def __enter__(self) -> OpenedPackage:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def verifying(self) -> bool:
        """True while the member checks are still running (``verify_records`` not yet called)."""
        return self._pending is not None

    def verify_records(self) -> None:
        """Wait for the member checks still running, if any; raise their ``PackageError``."""
        if self._pending is not None:
            files = self._pending.result()
            self._pending = None
            self.files = files

    def close(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        if self._zip is not None:
            self._zip.close()
            self._zip = None
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    @property
    def record_types(self) -> list[str]:
        """Record types present, in archive order."""
        return [n[len("records/") : -len(".jsonl")] for n in self.files if n.startswith("records/")]

    def blocks(self, name: str) -> Iterator[bytes]:
        """The verified bytes of member ``name`` in blocks."""
        if self._zip is None or name not in self.files:
            raise KeyError(name)
        yield from member_blocks(self._zip, self._zip.getinfo(name))

    def lines(self, name: str) -> Iterator[bytes]:
        """The lines of a JSON Lines member, without their ``\\n``."""
        rest = b""
        for block in self.blocks(name):
            parts = (rest + block).split(b"\n")
            rest = parts.pop()
            yield from parts

    def record_lines(self, record_type: str) -> Iterator[bytes]:
        name = f"records/{record_type}.jsonl"
        return self.lines(name) if name in self.files else iter(())

    def records(self, record_type: str) -> Iterator[dict[str, Any]]:
        """Validated record envelopes of ``record_type``, streamed."""
        loads = orjson.loads
        for line in self.record_lines(record_type):
            yield loads(line)

    def audit_entries(self) -> Iterator[dict[str, Any]]:
        if "audit/audit.jsonl" not in self.files:
            return
        for line in self.lines("audit/audit.jsonl"):
            yield orjson.loads(line)

    def trust_files(self) -> tuple[bytes, bytes] | None:
        """(trust.json, trust.sig) bytes when the package carries them (verify with
        ``app.sync.trust.verify_trust``)."""
        if "trust/trust.json" not in self.files or "trust/trust.sig" not in self.files:
            return None
        return b"".join(self.blocks("trust/trust.json")), b"".join(self.blocks("trust/trust.sig"))

    def extract_to(self, out_dir: Path | str) -> list[Path]:
        """Write manifest.json and every member under ``out_dir`` (which must not exist or be
        empty), all at once: staged in a sibling temporary folder, then renamed into place."""
        out = Path(out_dir)
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise PackageError("E_OUTPUT", "出力先フォルダーが空ではありません", step="output")
        out.parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
        try:
            written = [Path("manifest.json")]
            (stage / "manifest.json").write_bytes(self.manifest_raw)
            for name in self.files:
                target = stage / name
                target.parent.mkdir(parents=True, exist_ok=True)
                with open(target, "wb") as fh:
                    for block in self.blocks(name):
                        fh.write(block)
                    fh.flush()
                    os.fsync(fh.fileno())
                written.append(Path(name))
            if out.exists():
                out.rmdir()
            os.replace(stage, out)
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise
        return [out / p for p in written]
