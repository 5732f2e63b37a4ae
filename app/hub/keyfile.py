"""The hub's key file: the database key (embedded engine) and the personal-number key.

``hub.key`` is JSON ``{"format": "vaxdesk-hub-key", "version": 1, "db_key", "number_key"}`` with
32 random bytes each (base64url), created at ``hub init`` owner-only (0600) and never rewritten.
It fails closed: a file readable by group or others, of another format, or with keys of the wrong
length is refused, and there is no fallback without it.
"""

from __future__ import annotations

import base64
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from app.hub.errors import HubKeyFileError

_FORMAT = "vaxdesk-hub-key"
_MAX = 4096


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: object) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not text")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if len(data) != 32 or _b64(data) != text:
        raise ValueError("not a 32-byte key")
    return data


@dataclass(frozen=True, slots=True, repr=False)
class HubSecrets:
    db_key: bytes
    number_key: bytes

    def __repr__(self) -> str:
        return "HubSecrets(<hidden>)"


def create_key_file(path: Path) -> HubSecrets:
    secrets = HubSecrets(os.urandom(32), os.urandom(32))
    body = {
        "format": _FORMAT,
        "version": 1,
        "db_key": _b64(secrets.db_key),
        "number_key": _b64(secrets.number_key),
    }
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise HubKeyFileError(
            "鍵ファイルが既にあります。上書きしません。", code="E_HUB_EXISTS"
        ) from None
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, (json.dumps(body) + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return secrets


def load_key_file(path: Path) -> HubSecrets:
    try:
        st = path.stat()
    except FileNotFoundError:
        raise HubKeyFileError(
            "ハブの鍵ファイル（hub.key）が見つかりません。鍵ファイルがなければ開けません。",
            code="E_HUB_KEYFILE_MISSING",
        ) from None
    if os.name == "posix" and st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise HubKeyFileError(
            "ハブの鍵ファイルが所有者以外からも読める設定です。権限を 600 にしてください。",
            code="E_HUB_KEYFILE_MODE",
        )
    try:
        with path.open("rb") as fh:
            raw = fh.read(_MAX + 1)
        if len(raw) > _MAX:
            raise ValueError("too large")
        obj = json.loads(raw.decode("utf-8"))
        if obj.get("format") != _FORMAT or obj.get("version") != 1:
            raise ValueError("format")
        return HubSecrets(_unb64(obj.get("db_key")), _unb64(obj.get("number_key")))
    except (OSError, UnicodeDecodeError, ValueError, AttributeError) as exc:
        raise HubKeyFileError("ハブの鍵ファイルの内容が不正です。", code="E_HUB_KEYFILE") from exc
