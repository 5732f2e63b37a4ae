"""Key files of the hub and of the terminals it enrols (PACKAGE-FORMAT.md §1, §7).

``ID.pub.json`` = ``{"id", "key_id", "ed25519", "x25519"}`` (raw public keys, base64url);
``ID.key.json`` = the same plus ``ed25519_private`` and ``x25519_private``, owner-only (0600).

TODO(merge sync): the package layer (app/sync/keys.py, issue 8) provides the same; once it is on
this branch the hub uses it and this module goes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from app.hub.errors import HubInvalidInput
from app.hub.layout import PARTY_ID_RE

_MAX = 4096


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64u(text: object, length: int) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not text")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if len(data) != length or b64u(data) != text:
        raise ValueError("not canonical base64url")
    return data


def key_id(ed25519: bytes, x25519: bytes) -> str:
    return hashlib.sha256(ed25519 + x25519).digest()[:8].hex()


@dataclass(frozen=True, slots=True)
class PublicKeys:
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


@dataclass(frozen=True, slots=True, repr=False)
class KeyPair:
    party_id: str
    ed25519_private: bytes
    x25519_private: bytes

    def __repr__(self) -> str:
        return f"KeyPair({self.party_id}, <private>)"

    @property
    def public(self) -> PublicKeys:
        ed = Ed25519PrivateKey.from_private_bytes(self.ed25519_private).public_key()
        x = X25519PrivateKey.from_private_bytes(self.x25519_private).public_key()
        return PublicKeys(self.party_id, ed.public_bytes_raw(), x.public_bytes_raw())

    def sign(self, data: bytes) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(self.ed25519_private).sign(data)


def _bad(what: str) -> HubInvalidInput:
    return HubInvalidInput(f"鍵ファイル（{what}）の内容が不正です。", code="E_KEY_FILE")


def public_keys_from_json(obj: Any) -> PublicKeys:
    try:
        if not isinstance(obj, dict) or not PARTY_ID_RE.match(str(obj.get("id", ""))):
            raise ValueError("id")
        ed, x = unb64u(obj["ed25519"], 32), unb64u(obj["x25519"], 32)
        Ed25519PublicKey.from_public_bytes(ed)
        X25519PublicKey.from_public_bytes(x)
        pub = PublicKeys(str(obj["id"]), ed, x)
        if obj.get("key_id") != pub.key_id:
            raise ValueError("key_id")
        return pub
    except (KeyError, TypeError, ValueError) as exc:
        raise _bad("公開鍵") from exc


def _read_json(path: Path) -> Any:
    try:
        with path.open("rb") as fh:
            raw = fh.read(_MAX + 1)
        if len(raw) > _MAX:
            raise ValueError("too large")
        return json.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise _bad(path.name) from exc


def load_public_keys(path: Path) -> PublicKeys:
    return public_keys_from_json(_read_json(path))


def load_keypair(path: Path) -> KeyPair:
    obj = _read_json(path)
    pub = public_keys_from_json(obj)
    try:
        pair = KeyPair(
            pub.party_id, unb64u(obj["ed25519_private"], 32), unb64u(obj["x25519_private"], 32)
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise _bad("秘密鍵") from exc
    if pair.public != pub:
        raise _bad("秘密鍵と公開鍵が不一致")
    return pair


def generate_keypair(party_id: str) -> KeyPair:
    ed = Ed25519PrivateKey.generate().private_bytes_raw()
    x = X25519PrivateKey.generate().private_bytes_raw()
    return KeyPair(party_id, ed, x)


def _write_new(path: Path, obj: dict[str, str], mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        os.fchmod(fd, mode)
        os.write(fd, (json.dumps(obj, indent=2) + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)


def write_key_files(pair: KeyPair, out_dir: Path) -> tuple[Path, Path]:
    """``ID.pub.json`` (0644) and ``ID.key.json`` (0600); never overwrites."""
    out_dir.mkdir(parents=True, exist_ok=True)
    pub_path = out_dir / f"{pair.party_id}.pub.json"
    key_path = out_dir / f"{pair.party_id}.key.json"
    priv = {
        **pair.public.to_json(),
        "ed25519_private": b64u(pair.ed25519_private),
        "x25519_private": b64u(pair.x25519_private),
    }
    _write_new(key_path, priv, 0o600)
    _write_new(pub_path, pair.public.to_json(), 0o644)
    return pub_path, key_path
