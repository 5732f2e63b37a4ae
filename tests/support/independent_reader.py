"""A package reader for tests written from PACKAGE-FORMAT.md alone, with the standard library's
``zipfile`` and ``cryptography``'s primitives: no code of ``app.sync`` reads the bytes. It checks
the signature, the payload's length and hash, every chunk's tag and the manifest's lengths,
hashes and record counts, and gives each member's exact bytes."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_CONTEXT = b"vaxdesk-package-v1\x00"
_INFO = b"vaxdesk-package-v1 payload"


@dataclass(frozen=True)
class Read:
    header: dict[str, Any]
    manifest: dict[str, Any]
    members: dict[str, bytes]  # every inner member but manifest.json, exact bytes
    names: list[str]  # the inner archive's members in order


def _b64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def read_package(path: Path, recipient_x25519: bytes, sender_ed25519: bytes) -> Read:
    """Every member of the package at ``path`` (raises AssertionError or a library error on
    anything that does not hold)."""
    with zipfile.ZipFile(path) as outer:
        assert [i.filename for i in outer.infolist()] == [
            "header.json",
            "header.sig",
            "payload.bin",
        ]
        assert all(i.compress_type == zipfile.ZIP_STORED for i in outer.infolist())
        header_bytes = outer.read("header.json")
        sig = outer.read("header.sig")
        payload = outer.read("payload.bin")  # zipfile checks each member's CRC-32
    Ed25519PublicKey.from_public_bytes(sender_ed25519).verify(sig, _CONTEXT + header_bytes)
    header = json.loads(header_bytes)
    info = header["payload"]
    assert info["length"] == len(payload)
    assert info["sha256"] == hashlib.sha256(payload).hexdigest()
    eph = _b64u(info["ephemeral_key"])
    own = X25519PrivateKey.from_private_bytes(recipient_x25519)
    own_pub = own.public_key().public_bytes_raw()
    shared = own.exchange(X25519PublicKey.from_public_bytes(eph))
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=eph + own_pub,
        info=_INFO + uuid.UUID(header["package_id"]).bytes,
    ).derive(shared)
    aead = ChaCha20Poly1305(key)
    sealed = info["chunk_size"] + 16
    chunks = [payload[i : i + sealed] for i in range(0, len(payload), sealed)] or [b""]
    plain = b"".join(
        aead.decrypt(
            i.to_bytes(11, "big") + (b"\x01" if i == len(chunks) - 1 else b"\x00"), c, None
        )
        for i, c in enumerate(chunks)
    )
    with zipfile.ZipFile(io.BytesIO(plain)) as inner:
        names = [i.filename for i in inner.infolist()]
        assert names[0] == "manifest.json"
        manifest = json.loads(inner.read("manifest.json"))
        members = {name: inner.read(name) for name in names[1:]}
    assert manifest["package_id"] == header["package_id"]
    assert [f["name"] for f in manifest["files"]] == names[1:]
    for entry in manifest["files"]:
        data = members[entry["name"]]
        assert entry["length"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        if entry["name"].endswith(".jsonl"):
            assert data == b"" or data.endswith(b"\n")
            assert entry["records"] == data.count(b"\n")
    return Read(header, manifest, members, names)
