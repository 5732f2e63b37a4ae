"""Party key pairs and key files (PACKAGE-FORMAT.md §1, §7).

A party has an Ed25519 signing key and an X25519 encryption key. ``ID.pub.json`` holds
``{"id", "key_id", "ed25519", "x25519"}`` (raw public keys, base64url); ``ID.key.json`` holds the
same plus ``ed25519_private`` and ``x25519_private`` and is created owner-only (0600). Loading
checks every field and that ``key_id`` matches the keys; a bad file raises
``PackageError("E_KEY_FILE")``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from app.sync.encoding import b64u, is_party_id, key_id, unb64u
from app.sync.errors import PackageError

_MAX_KEY_FILE = 4096


@dataclass(frozen=True, slots=True)
class PublicKey:
    """A party's public keys: what a trust file lists and what a sender encrypts to."""

    party_id: str
    ed25519: bytes
    x25519: bytes

    @property
    def key_id(self) -> str:
        return key_id(self.ed25519, self.x25519)

    def to_json(self) -> dict[str, str]:
        return {
            "id": self.party_id,
            "key_id": self.key_id,
            "ed25519": b64u(self.ed25519),
            "x25519": b64u(self.x25519),
        }

    def verifier(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(self.ed25519)


@dataclass(frozen=True, slots=True)
class KeyPair:
    """A party's private keys (raw 32-byte values) with its id."""

    party_id: str
    ed25519_private: bytes
    x25519_private: bytes

    @property
    def public(self) -> PublicKey:
        ed = Ed25519PrivateKey.from_private_bytes(self.ed25519_private).public_key()
        x = X25519PrivateKey.from_private_bytes(self.x25519_private).public_key()
        return PublicKey(self.party_id, ed.public_bytes_raw(), x.public_bytes_raw())

    @property
    def key_id(self) -> str:
        return self.public.key_id

    def signer(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.ed25519_private)

    def x25519(self) -> X25519PrivateKey:
        return X25519PrivateKey.from_private_bytes(self.x25519_private)

    def sign(self, data: bytes) -> bytes:
        return self.signer().sign(data)

    def to_json(self) -> dict[str, str]:
        return {
            **self.public.to_json(),
            "ed25519_private": b64u(self.ed25519_private),
            "x25519_private": b64u(self.x25519_private),
        }


def generate_keypair(party_id: str) -> KeyPair:
    """Fresh Ed25519 + X25519 keys for ``party_id`` (``^[0-9]{6}-[A-Z0-9]{1,16}$``)."""
    if not is_party_id(party_id):
        raise PackageError("E_KEY_FILE", "ID の形式が不正です", step="keys")
    ed = Ed25519PrivateKey.generate().private_bytes_raw()
    x = X25519PrivateKey.generate().private_bytes_raw()
    return KeyPair(party_id, ed, x)


def public_key_from_json(obj: Any) -> PublicKey:
    """Check and build a ``PublicKey`` from ``{"id", "key_id", "ed25519", "x25519", …}``."""
    try:
        if not isinstance(obj, dict) or not is_party_id(obj.get("id")):
            raise ValueError("id")
        ed = unb64u(obj["ed25519"], 32)
        x = unb64u(obj["x25519"], 32)
        Ed25519PublicKey.from_public_bytes(ed)
        X25519PublicKey.from_public_bytes(x)
        pub = PublicKey(obj["id"], ed, x)
        if obj.get("key_id") != pub.key_id:
            raise ValueError("key_id")
        return pub
    except (KeyError, TypeError, ValueError) as exc:
        raise PackageError("E_KEY_FILE", "公開鍵の内容が不正です", step="keys") from exc


def _read_json(path: Path) -> Any:
    try:
        with open(path, "rb") as fh:
            raw = fh.read(_MAX_KEY_FILE + 1)
        if len(raw) > _MAX_KEY_FILE:
            raise ValueError("too large")
        return json.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise PackageError("E_KEY_FILE", f"{path.name} を読めません", step="keys") from exc


def load_public_key(path: Path | str) -> PublicKey:
    """Read ``ID.pub.json`` (a ``.key.json`` also works: its public part is used)."""
    return public_key_from_json(_read_json(Path(path)))


def load_keypair(path: Path | str) -> KeyPair:
    """Read ``ID.key.json`` and check that its private keys match its public keys."""
    obj = _read_json(Path(path))
    pub = public_key_from_json(obj)
    try:
        pair = KeyPair(
            pub.party_id, unb64u(obj["ed25519_private"], 32), unb64u(obj["x25519_private"], 32)
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise PackageError("E_KEY_FILE", "秘密鍵の内容が不正です", step="keys") from exc
    if pair.public != pub:
        raise PackageError("E_KEY_FILE", "秘密鍵と公開鍵が一致しません", step="keys")
    return pair


def _write_new(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def _dump(obj: dict[str, str]) -> bytes:
    return (json.dumps(obj, indent=2) + "\n").encode("ascii")


def write_key_files(pair: KeyPair, out_dir: Path | str) -> tuple[Path, Path]:
    """Write ``ID.pub.json`` (0644) and ``ID.key.json`` (0600); never overwrite existing files."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pub_path = out / f"{pair.party_id}.pub.json"
    key_path = out / f"{pair.party_id}.key.json"
    if pub_path.exists() or key_path.exists():
        raise PackageError("E_KEY_FILE", "同じ ID の鍵ファイルが既にあります", step="keys")
    _write_new(key_path, _dump(pair.to_json()), 0o600)
    os.chmod(key_path, 0o600)
    _write_new(pub_path, _dump(pair.public.to_json()), 0o644)
    return pub_path, key_path
