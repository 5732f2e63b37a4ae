"""High-water marks of the FIDO2 sign counts, kept in the keyring entry beside the terminal secret.

The slot's associated data stops a sign count edited in ``keyslots.json``, but not the whole file
put back from an older copy (``keyslots.json.bak``, a backup): that copy's lower count is sealed
validly. This terminal therefore also remembers the highest count each slot has reached,
authenticated with a key derived from the terminal secret, and refuses a slot whose count in the
file is below it (E_KEYSLOT_SIGN_COUNT). A mark that cannot be verified (another terminal secret
after a re-binding, or edited) is ignored and rewritten: this is a second line, the AAD the first.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Protocol

from app.security import filelock, kdf
from app.security.keyslot_factors import SignCountTampered

_INFO = b"vaxdesk-sign-counts-v1"
MAX_CHARS = 1_100  # a Windows credential holds 1,280 UTF-16 characters
_ID_CHARS = 16


class Entry(Protocol):
    def get(self) -> str | None: ...

    def put(self, value: str) -> None: ...


class SignCountMarks:
    def __init__(self, entry: Entry, terminal_secret: bytes, lock: Path) -> None:
        self._entry = entry
        self._key = kdf.hkdf(terminal_secret, salt=b"", info=_INFO)
        self._lock = Path(lock)

    def _mac(self, marks: dict[str, int]) -> str:
        text = json.dumps(marks, sort_keys=True, separators=(",", ":")).encode("utf-8")
        return hmac.new(self._key, text, hashlib.sha256).hexdigest()

    def _read(self) -> dict[str, int]:
        try:
            raw = json.loads(self._entry.get() or "null")
            marks = {str(k): int(v) for k, v in raw["marks"].items()}
            if not hmac.compare_digest(str(raw["mac"]), self._mac(marks)):
                return {}
        except (ValueError, KeyError, TypeError, AttributeError):
            return {}
        return marks

    def check(self, slot_id: str, stored: int) -> None:
        """Refuse a slot whose (authenticated) stored count is below what this terminal saw."""
        if self._read().get(slot_id[:_ID_CHARS], 0) > stored:
            raise SignCountTampered()

    def record(self, slot_id: str, count: int) -> None:
        with filelock.exclusive(self._lock):
            marks = self._read()
            sid = slot_id[:_ID_CHARS]
            marks[sid] = max(marks.get(sid, 0), count)
            while True:
                text = json.dumps({"marks": marks, "mac": self._mac(marks)})
                if len(text) <= MAX_CHARS or len(marks) <= 1:
                    break
                marks.pop(min((k for k in marks if k != sid), key=lambda k: marks[k]))
            self._entry.put(text)
