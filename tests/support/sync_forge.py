"""Hand-made packages for the terminal's tamper tests: a correctly signed and encrypted package
around any inner archive (so inner faults reach the terminal's reader), and byte edits."""

from __future__ import annotations

import hashlib
import io
import json
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import uuid_utils
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from app.sync.encoding import b64u, format_time, utc_now, uuid_raw
from app.sync.keys import KeyPair, PublicKey
from app.sync.outer import central_directory, dos_time, local_header
from app.sync.stream import CHUNK_SIZE, CIPHER, sender_key
from app.sync.writer import HEADER_CONTEXT


def members(path: Path) -> tuple[bytes, bytes, bytes]:
    data = path.read_bytes()
    out: list[bytes] = []
    pos = 0
    for _ in range(3):
        fields = struct.unpack_from("<IHHHHHIIIHH", data, pos)
        start = pos + 30 + fields[9] + fields[10]
        out.append(data[start : start + fields[7]])
        pos = start + fields[7]
    return out[0], out[1], out[2]


def repack(path: Path, header: bytes, sig: bytes, payload: bytes) -> None:
    when = dos_time(utc_now())
    body, entries = b"", []
    for name, data in ((b"header.json", header), (b"header.sig", sig), (b"payload.bin", payload)):
        crc = zlib.crc32(data)
        entries.append((name, crc, len(data), len(body)))
        body += local_header(name, crc, len(data), when) + data
    path.write_bytes(body + central_directory(entries, when))


def seal(key: bytes, plaintext: bytes) -> bytes:
    chunks = [plaintext[i : i + CHUNK_SIZE] for i in range(0, len(plaintext), CHUNK_SIZE)] or [b""]
    aead = ChaCha20Poly1305(key)
    return b"".join(
        aead.encrypt(
            i.to_bytes(11, "big") + (b"\x01" if i == len(chunks) - 1 else b"\x00"), c, None
        )
        for i, c in enumerate(chunks)
    )


def forge(
    path: Path,
    plaintext: bytes,
    *,
    sender: KeyPair,
    recipient: PublicKey,
    sequence: int = 1,
    kind: str = "updates",
    package_id: str | None = None,
    encrypt_to: bytes | None = None,
    edit: Callable[[dict[str, Any]], None] | None = None,
    header_bytes: Callable[[bytes], bytes] | None = None,
) -> str:
    """Sign and encrypt ``plaintext`` as a package; returns its package id."""
    pid = package_id or str(uuid_utils.uuid7())
    eph, key = sender_key(encrypt_to or recipient.x25519, uuid_raw(pid))
    payload = seal(key, plaintext)
    created: datetime = utc_now() - timedelta(minutes=1)
    header: dict[str, Any] = {
        "format": "vaxdesk-package",
        "version": 1,
        "package_id": pid,
        "kind": kind,
        "sender": {"id": sender.party_id, "key_id": sender.key_id},
        "recipient": {"id": recipient.party_id, "key_id": recipient.key_id},
        "sequence": sequence,
        "ack": 0,
        "created_at": format_time(created),
        "expires_at": format_time(created + timedelta(days=30)),
        "payload": {
            "cipher": CIPHER,
            "ephemeral_key": b64u(eph),
            "chunk_size": CHUNK_SIZE,
            "length": len(payload),
            "sha256": hashlib.sha256(payload).hexdigest(),
        },
    }
    if edit:
        edit(header)
    raw = json.dumps(header, separators=(",", ":")).encode()
    if header_bytes:
        raw = header_bytes(raw)
    repack(path, raw, sender.sign(HEADER_CONTEXT + raw), payload)
    return pid


def inner_zip(
    files: list[tuple[str, bytes]],
    package_id: str,
    *,
    edit: Callable[[dict[str, Any]], None] | None = None,
) -> bytes:
    entries = []
    for name, data in files:
        rtype = name.removeprefix("records/").removesuffix(".jsonl")
        entries.append(
            {
                "name": name,
                "length": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "records": data.count(b"\n"),
                "schema": f"{rtype}.v1",
            }
        )
    manifest = {
        "format": "vaxdesk-records",
        "version": 1,
        "package_id": package_id,
        "files": entries,
    }
    if edit:
        edit(manifest)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in [("manifest.json", json.dumps(manifest).encode()), *files]:
            info = zipfile.ZipInfo(name, (2026, 12, 1, 5, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            zf.writestr(info, data)
    return buf.getvalue()


def flip(path: Path, index: int) -> None:
    data = bytearray(path.read_bytes())
    data[index] ^= 0x01
    path.write_bytes(bytes(data))
