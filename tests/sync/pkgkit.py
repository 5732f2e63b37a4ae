"""Test kit for sync packages: parties, sample records, and tools to forge or damage packages.

Everything is generated per test (no saved binaries): keys, trust, small valid packages, and
hand-made inner archives sealed with a valid signature so the deep checks can be reached.
"""

from __future__ import annotations

import hashlib
import io
import json
import stat
import struct
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import uuid_utils
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from app.sync import KeyPair, Trust, build_trust, generate_keypair, make_party
from app.sync.encoding import b64u, format_time, uuid_raw
from app.sync.outer import central_directory, dos_time, local_header
from app.sync.stream import CHUNK_SIZE, CIPHER, sender_key
from app.sync.writer import HEADER_CONTEXT

SECRET_NAME = "秘密花子"  # must never appear in an error message


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    from datetime import UTC

    return datetime(y, mo, d, h, mi, s, tzinfo=UTC)


CREATED = utc(2026, 12, 1, 5, 0, 0)
OPEN_AT = utc(2026, 12, 2, 5, 0, 0)


@dataclass
class World:
    hub: KeyPair
    term: KeyPair
    other: KeyPair  # a terminal in the trust file that is not the recipient
    stranger: KeyPair  # in no trust file
    trust: Trust
    parties: list[Any]


def make_world() -> World:
    hub = generate_keypair("192015-HUB")
    term = generate_keypair("192015-T001")
    other = generate_keypair("192015-T002")
    stranger = generate_keypair("192015-T999")
    start, end = utc(2026, 1, 1), utc(2031, 1, 1)
    parties = [
        make_party(hub.public, "server", start, end),
        make_party(term.public, "terminal", start, end),
        make_party(other.public, "terminal", start, end),
    ]
    trust = build_trust(1, parties, [hub], issued_at=utc(2026, 6, 1))
    return World(hub, term, other, stranger, trust, parties)


def uid() -> str:
    return str(uuid_utils.uuid7())


def envelope(rtype: str, data: dict[str, Any], *, origin: str = "192015-T001") -> dict[str, Any]:
    return {"type": rtype, "uid": uid(), "version": f"1764565200000.00001.{origin}",
            "origin": origin, "voided": None, "data": data}  # fmt: skip


STAMP = {"updated_date": "2026-12-01", "updated_time": "10:00:00", "updated_by": "S0001"}


def person(i: int = 0) -> dict[str, Any]:
    return envelope("person", {"atena_no": f"{1000000 + i}", "name": SECRET_NAME,
                               "name_kana": "ヒミツ ハナコ", "sex": "F", "birth_date": "2025-05-10",
                               "address": "東京都千代田区1-1", **STAMP})  # fmt: skip


def vaccination(i: int = 0) -> dict[str, Any]:
    return envelope("vaccination", {"person_uid": uid(), "series_id": "dpt_ipv_hib",
                                    "dose_no": 1 + i % 4, "category": "routine",
                                    "vaccinated_on": "2026-05-10", "doctor": SECRET_NAME,
                                    "dose_amount_ml": 0.5, **STAMP})  # fmt: skip


def line(obj: Any) -> bytes:
    return orjson.dumps(obj) + b"\n"


# --- outer ZIP -----------------------------------------------------------------------------------


def members(path: Path) -> tuple[bytes, bytes, bytes]:
    """(header.json, header.sig, payload.bin) of a package we wrote (fixed layout)."""
    data = path.read_bytes()
    out: list[bytes] = []
    pos = 0
    for _ in range(3):
        (_sig, _v, _f, _m, _t, _d, _crc, csize, _u, nlen, elen) = struct.unpack_from(
            "<IHHHHHIIIHH", data, pos
        )
        start = pos + 30 + nlen + elen
        out.append(data[start : start + csize])
        pos = start + csize
    return out[0], out[1], out[2]


def outer_zip(items: Iterable[tuple[bytes, bytes]], *, method: int = 0, flags: int = 0) -> bytes:
    """An outer ZIP of ``(name, data)`` with valid CRCs; ``method``/``flags`` applied to all."""
    when = dos_time(CREATED)
    body = b""
    entries = []
    for name, data in items:
        crc = zlib.crc32(data)
        lh = bytearray(local_header(name, crc, len(data), when))
        struct.pack_into("<HH", lh, 6, flags, method)
        entries.append((name, crc, len(data), len(body)))
        body += bytes(lh) + data
    cd = bytearray(central_directory(entries, when))
    pos = 0
    for name, *_ in entries:
        struct.pack_into("<HH", cd, pos + 8, flags, method)
        pos += 46 + len(name)
    return body + bytes(cd)


def repack(path: Path, header: bytes, sig: bytes, payload: bytes) -> None:
    path.write_bytes(
        outer_zip([(b"header.json", header), (b"header.sig", sig), (b"payload.bin", payload)])
    )


def resign(header: dict[str, Any], key: KeyPair) -> tuple[bytes, bytes]:
    raw = json.dumps(header, separators=(",", ":")).encode()
    return raw, key.sign(HEADER_CONTEXT + raw)


# --- forging a package around any plaintext -------------------------------------------------------


def seal(
    key: bytes, plaintext: bytes, *, flags: Callable[[int, int], bool] | None = None,
    extra: bytes = b"",
    empty_tail: bool = False,
) -> bytes:  # fmt: skip
    """STREAM-seal ``plaintext``; ``flags(i, n)`` overrides the last flag of chunk i of n."""
    chunks = [plaintext[i : i + CHUNK_SIZE] for i in range(0, len(plaintext), CHUNK_SIZE)] or [b""]
    aead = ChaCha20Poly1305(key)
    out = b""
    for i, chunk in enumerate(chunks):
        last = flags(i, len(chunks)) if flags else i == len(chunks) - 1
        out += aead.encrypt(i.to_bytes(11, "big") + (b"\x01" if last else b"\x00"), chunk, None)
    if empty_tail:
        out += aead.encrypt(len(chunks).to_bytes(11, "big") + b"\x01", b"", None)
    return out + extra


def forge(
    path: Path,
    plaintext: bytes,
    *,
    sender: KeyPair,
    recipient: KeyPair,
    kind: str = "changes",
    package_id: str | None = None,
    sequence: int = 1,
    created: datetime = CREATED,
    flags: Callable[[int, int], bool] | None = None,
    extra: bytes = b"",
    empty_tail: bool = False,
    edit: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """A correctly signed and encrypted package whose plaintext (inner archive) is ``plaintext``."""
    pid = package_id or uid()
    eph, key = sender_key(recipient.public.x25519, uuid_raw(pid))
    payload = seal(key, plaintext, flags=flags, extra=extra, empty_tail=empty_tail)
    header: dict[str, Any] = {
        "format": "vaxdesk-package", "version": 1, "package_id": pid, "kind": kind,
        "sender": {"id": sender.party_id, "key_id": sender.key_id},
        "recipient": {"id": recipient.party_id, "key_id": recipient.key_id},
        "sequence": sequence, "ack": 0, "created_at": format_time(created),
        "expires_at": format_time(created + timedelta(days=30)),
        "payload": {"cipher": CIPHER, "ephemeral_key": b64u(eph), "chunk_size": CHUNK_SIZE,
                    "length": len(payload), "sha256": hashlib.sha256(payload).hexdigest()},
    }  # fmt: skip
    if edit:
        edit(header)
    raw, sig = resign(header, sender)
    repack(path, raw, sig, payload)
    return header


def inner_zip(
    files: list[tuple[str, bytes]],
    *,
    package_id: str,
    manifest: dict[str, Any] | None = None,
    edit: Callable[[dict[str, Any]], None] | None = None,
    zinfo: Callable[[zipfile.ZipInfo], None] | None = None,
    manifest_first: bool = True,
) -> bytes:
    """An inner archive with a computed manifest (``edit`` may change it) and ``files``."""
    entries = []
    for name, data in files:
        rtype = name.removeprefix("records/").removesuffix(".jsonl")
        schema = f"{rtype}.v1" if name.startswith("records/") else "audit.v1"
        entries.append({"name": name, "length": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                        "records": data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1),
                        "schema": schema})  # fmt: skip
    man = manifest or {"format": "vaxdesk-records", "version": 1, "package_id": package_id,
                       "files": entries}  # fmt: skip
    if edit:
        edit(man)
    buf = io.BytesIO()
    items = [("manifest.json", json.dumps(man).encode()), *files]
    if not manifest_first:
        items = items[1:] + items[:1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in items:
                info = zipfile.ZipInfo(name, (2026, 12, 1, 5, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = (stat.S_IFREG | 0o644) << 16
                if zinfo:
                    zinfo(info)
                zf.writestr(info, data)
    return buf.getvalue()
