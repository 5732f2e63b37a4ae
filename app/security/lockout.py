"""Login attempt counting outside the encrypted register (it is counted even while locked).

After ``MAX_FAILURES`` consecutive failures a login name is locked for ``LOCK_MINUTES``. Failed
attempts are kept as pending audit entries (codes and times only) and written into the audit log
by the next successful login, since the log itself cannot be opened without the key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from app.errors import AuthError
from app.security.atomic import write_atomic

MAX_FAILURES = 5
LOCK_MINUTES = 15
MAX_PENDING = 500


class LockedOut(AuthError):
    code = "E_AUTH_LOCKED"


@dataclass(frozen=True, slots=True)
class PendingEntry:
    at: str
    login: str
    action: str
    code: str


class LoginAttempts:
    def __init__(self, path: Path, *, now: Any = None) -> None:
        self.path = Path(path)
        self._now = now or (lambda: datetime.now(UTC))

    def _load(self) -> dict[str, Any]:
        if not self.path.exists():
            return {"users": {}, "pending": []}
        try:
            data: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            # Counting starts over, and the damage itself reaches the audit log.
            damaged = self._entry("", "login.attempts_damaged", "E_ATTEMPTS_FILE_DAMAGED")
            return {"users": {}, "pending": [damaged]}
        return data

    def _save(self, data: dict[str, Any]) -> None:
        data["pending"] = data.get("pending", [])[-MAX_PENDING:]
        write_atomic(self.path, json.dumps(data, ensure_ascii=False).encode("utf-8"))

    def check(self, login: str) -> None:
        """Raise LockedOut (and count the attempt) while ``login`` is locked."""
        data = self._load()
        state = data["users"].get(login, {})
        until = state.get("locked_until")
        if until and datetime.fromisoformat(until) > self._now():
            state["failures"] = int(state.get("failures", 0)) + 1
            data["users"][login] = state
            data.setdefault("pending", []).append(
                self._entry(login, "login.locked", LockedOut.code)
            )
            self._save(data)
            raise LockedOut()

    def failed(self, login: str, code: str) -> bool:
        """Count a failure; return True when this failure locked the login."""
        data = self._load()
        state = data["users"].get(login, {})
        state["failures"] = int(state.get("failures", 0)) + 1
        locked = state["failures"] >= MAX_FAILURES and not state.get("locked_until")
        pending = data.setdefault("pending", [])
        pending.append(self._entry(login, "login", code))
        if state["failures"] >= MAX_FAILURES:
            state["locked_until"] = (self._now() + timedelta(minutes=LOCK_MINUTES)).isoformat()
            if locked:
                pending.append(self._entry(login, "lockout", LockedOut.code))
        data["users"][login] = state
        self._save(data)
        return locked

    def status(self, login: str) -> tuple[int, datetime | None]:
        """(consecutive failures, end of the lock while locked) for ``login``; read-only, for
        telling the person how many tries are left and when a lock ends."""
        state = self._load().get("users", {}).get(login, {})
        until = state.get("locked_until")
        end = datetime.fromisoformat(until) if until else None
        return int(state.get("failures", 0)), end if end and end > self._now() else None

    def succeeded(self, login: str) -> list[PendingEntry]:
        """Reset ``login``'s counter; hand back every pending entry (for the audit log)."""
        data = self._load()
        pending = [PendingEntry(**p) for p in data.get("pending", [])]
        data["users"].pop(login, None)
        data["pending"] = []
        self._save(data)
        return pending

    def _entry(self, login: str, action: str, code: str) -> dict[str, str]:
        return {
            "at": self._now().isoformat(timespec="seconds"),
            "login": login,
            "action": action,
            "code": code,
        }
