"""Login attempt counting outside the encrypted register (it is counted even while locked).

After ``MAX_FAILURES`` consecutive failures a login name is locked for ``LOCK_MINUTES``. Failed
attempts are kept as pending audit entries (codes and times only) and written into the audit log
by the next successful login, since the log itself cannot be opened without the key.

Tamper resistance (issue 11 item 8):

* ``login-attempts.json`` is authenticated with HMAC-SHA256 under a key derived from this
  terminal's secret (:func:`attempts_key`); a file that does not verify counts as tampered.
* A compact copy of the counters (failures and lock time per login, a serial number and the
  number of pending entries) is kept in a second place, the OS keyring entry beside the terminal
  secret (:class:`CounterMirror`), authenticated with the same key. Deleting, corrupting or
  rolling back the file therefore neither unlocks a locked user nor resets a counter: the
  counters are restored from the mirror, and a ``login.attempts_tampered`` entry (with how many
  pending entries were lost) reaches the audit log at the next successful login.
* Every read-change-write holds an exclusive lock (``login-attempts.json.lock``). An attempt is
  counted when it *starts* (``check``) and un-counted only when it succeeds or is cancelled, so
  parallel attempts cannot run more than ``MAX_FAILURES`` guesses past the lock.

What it cannot do: someone who can write both the file and this user's keyring entry (and who
holds the terminal secret) can forge the counters; the server's anchor of the audit chain is what
catches the missing entries then.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from app.errors import AuthError
from app.security import filelock, kdf
from app.security.atomic import write_atomic

MAX_FAILURES = 5
LOCK_MINUTES = 15
MAX_PENDING = 500
MAX_MIRRORED_LOGINS = 40
# Windows Credential Manager keeps at most 2,560 bytes per credential (1,280 UTF-16 characters):
# the mirror keeps the locked and most-failed logins that fit.
MAX_MIRROR_CHARS = 1_100
FORMAT = "vaxdesk-login-attempts"
VERSION = 2
TAMPERED = "E_ATTEMPTS_FILE_TAMPERED"
_INFO = b"vaxdesk-login-attempts-v1"


class LockedOut(AuthError):
    code = "E_AUTH_LOCKED"
    message_ja = (
        "ログインに続けて失敗したため、このユーザーは一時的にロックされています。"
        "15分後に再度お試しいただくか、管理者に連絡してください。"
    )


@dataclass(frozen=True, slots=True)
class PendingEntry:
    at: str
    login: str
    action: str
    code: str
    detail: dict[str, Any] = field(default_factory=dict)


class CounterMirror(Protocol):
    """The second copy of the counters (the OS keyring entry beside the terminal secret)."""

    def get(self) -> str | None: ...

    def put(self, value: str) -> None: ...


def attempts_key(terminal_secret: bytes) -> bytes:
    """The key that authenticates the attempts file and its mirror on this terminal."""
    return kdf.hkdf(terminal_secret, salt=b"", info=_INFO)


def _legacy_shape(raw: dict[str, Any]) -> bool:
    users, pending = raw.get("users"), raw.get("pending")
    return (
        isinstance(users, dict)
        and all(isinstance(v, dict) for v in users.values())
        and isinstance(pending, list)
        and all(
            isinstance(p, dict) and set(p) == {"at", "login", "action", "code"} for p in pending
        )
    )


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class LoginAttempts:
    def __init__(
        self,
        path: Path,
        *,
        key: bytes,
        mirror: CounterMirror | None = None,
        now: Any = None,
    ) -> None:
        if len(key) != 32:
            raise ValueError("the attempts key is 32 bytes")
        self.path = Path(path)
        self._key = key
        self._mirror = mirror
        self._now = now or (lambda: datetime.now(UTC))

    # --- authenticated storage ---------------------------------------------------------------

    def _mac(self, domain: bytes, body: dict[str, Any]) -> str:
        return hmac.new(self._key, domain + _canonical(body), hashlib.sha256).hexdigest()

    def _read_file(self) -> tuple[dict[str, Any] | None, str | None]:
        """(verified body, problem): problem is None, "missing", "damaged" or "unauthenticated"."""
        if not self.path.exists():
            return None, "missing"
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            return None, "damaged"
        if isinstance(raw, dict) and "format" not in raw and _legacy_shape(raw):
            return {"users": raw["users"], "pending": raw["pending"], "serial": 0}, "legacy"
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            return None, "unauthenticated"
        body, mac = raw.get("body"), raw.get("mac")
        if not isinstance(body, dict) or not isinstance(mac, str):
            return None, "damaged"
        if not hmac.compare_digest(mac, self._mac(b"file", body)):
            return None, "unauthenticated"
        return body, None

    def _read_mirror(self) -> dict[str, Any] | None:
        if self._mirror is None:
            return None
        try:
            raw = json.loads(self._mirror.get() or "null")
        except ValueError:
            return None
        if not isinstance(raw, dict) or not isinstance(raw.get("body"), dict):
            return None
        if not hmac.compare_digest(str(raw.get("mac", "")), self._mac(b"mirror", raw["body"])):
            return None
        body: dict[str, Any] = raw["body"]
        return body

    def _load(self) -> dict[str, Any]:
        body, problem = self._read_file()
        mirror = self._read_mirror()
        data: dict[str, Any] = body or {"users": {}, "pending": [], "serial": 0}
        data.setdefault("users", {})
        data.setdefault("pending", [])
        serial = int(data.get("serial", 0))
        rolled_back = mirror is not None and int(mirror.get("serial", 0)) > serial
        if problem in ("missing", "legacy") and mirror is None:
            # a new register, nothing counted here yet, or the unsigned file of an earlier
            # version before its first signed write (its counters are kept)
            return data
        if problem == "legacy":  # an unsigned file once signed ones exist: forged
            data = {"users": {}, "pending": [], "serial": 0}
            problem = "unauthenticated"
            serial = 0
        if problem is None and not rolled_back:
            return data
        # Tampered: keep every counter the mirror knows (a locked user stays locked) and leave
        # the evidence for the audit log.
        lost = 0
        if mirror is not None:
            for login, (failures, until) in dict(mirror.get("users", {})).items():
                state = data["users"].setdefault(login, {})
                state["failures"] = max(int(state.get("failures", 0)), int(failures))
                if until and (not state.get("locked_until") or until > state["locked_until"]):
                    state["locked_until"] = until
            lost = max(0, int(mirror.get("pending", 0)) - len(data["pending"]))
            data["serial"] = max(serial, int(mirror.get("serial", 0)))
        reason = "rolled_back" if problem is None else problem
        detail = {"problem": reason, "lost_entries": lost}
        data["pending"].append(self._entry("", "login.attempts_tampered", TAMPERED, detail))
        return data

    def _save(self, data: dict[str, Any]) -> None:
        data["pending"] = data.get("pending", [])[-MAX_PENDING:]
        data["serial"] = int(data.get("serial", 0)) + 1
        body = {"users": data["users"], "pending": data["pending"], "serial": data["serial"]}
        raw = {"format": FORMAT, "version": VERSION, "body": body, "mac": self._mac(b"file", body)}
        write_atomic(self.path, json.dumps(raw, ensure_ascii=False).encode("utf-8"))
        if self._mirror is not None:
            counted = sorted(
                ((login, s) for login, s in data["users"].items() if s.get("failures")),
                key=lambda item: (item[1].get("locked_until") or "", item[1]["failures"]),
                reverse=True,
            )[:MAX_MIRRORED_LOGINS]
            users: dict[str, list[Any]] = {}
            text = self._mirror_text(data, users)
            for login, state in counted:
                users[login] = [state["failures"], state.get("locked_until")]
                longer = self._mirror_text(data, users)
                if len(longer) > MAX_MIRROR_CHARS:
                    del users[login]
                    break
                text = longer
            self._mirror.put(text)

    def _mirror_text(self, data: dict[str, Any], users: dict[str, list[Any]]) -> str:
        body = {"serial": data["serial"], "pending": len(data["pending"]), "users": users}
        return json.dumps({"body": body, "mac": self._mac(b"mirror", body)}, ensure_ascii=False)

    # --- the three steps of a login --------------------------------------------------------------

    def check(self, login: str) -> None:
        """Start an attempt: raise LockedOut (and count it) while ``login`` is locked; otherwise
        count the attempt now (parallel attempts are counted before any of them finishes)."""
        with filelock.exclusive(self.path):
            data = self._load()
            state = data["users"].get(login, {})
            until = state.get("locked_until")
            if until and datetime.fromisoformat(until) > self._now():
                state["failures"] = int(state.get("failures", 0)) + 1
                data["users"][login] = state
                data["pending"].append(self._entry(login, "login.locked", LockedOut.code))
                self._save(data)
                raise LockedOut()
            state["failures"] = int(state.get("failures", 0)) + 1
            state["in_flight"] = int(state.get("in_flight", 0)) + 1
            if state["failures"] >= MAX_FAILURES:  # this attempt may run; the next ones wait
                state["locked_until"] = self._lock_until()
            data["users"][login] = state
            self._save(data)

    def failed(self, login: str, code: str) -> bool:
        """Record a failed attempt (already counted by ``check``); True when it locked the login."""
        with filelock.exclusive(self.path):
            data = self._load()
            state = data["users"].setdefault(login, {})
            if int(state.get("in_flight", 0)) > 0:
                state["in_flight"] = int(state["in_flight"]) - 1
            else:  # not started with check (should not happen): count it here
                state["failures"] = int(state.get("failures", 0)) + 1
            data["pending"].append(self._entry(login, "login", code))
            locked = False
            if int(state.get("failures", 0)) >= MAX_FAILURES:
                state["locked_until"] = self._lock_until()
                if not state.get("lockout_logged"):
                    state["lockout_logged"] = True
                    locked = True
                    data["pending"].append(self._entry(login, "lockout", LockedOut.code))
            self._save(data)
            return locked

    def cancelled(self, login: str) -> None:
        """The person cancelled at the key: the attempt guessed nothing, so it is not counted."""
        with filelock.exclusive(self.path):
            data = self._load()
            state = data["users"].get(login)
            if state and int(state.get("in_flight", 0)) > 0:
                state["in_flight"] = int(state["in_flight"]) - 1
                state["failures"] = max(0, int(state.get("failures", 0)) - 1)
                if state["failures"] < MAX_FAILURES and not state.get("lockout_logged"):
                    state.pop("locked_until", None)
                self._save(data)

    def status(self, login: str) -> tuple[int, datetime | None]:
        """(consecutive failures, end of the lock while locked) for ``login``; read-only, for
        telling the person how many tries are left and when a lock ends."""
        state = self._load().get("users", {}).get(login, {})
        until = state.get("locked_until")
        end = datetime.fromisoformat(until) if until else None
        return int(state.get("failures", 0)), end if end and end > self._now() else None

    def succeeded(self, login: str) -> list[PendingEntry]:
        """Reset ``login``'s counter; hand back every pending entry (for the audit log)."""
        with filelock.exclusive(self.path):
            data = self._load()
            pending = [PendingEntry(**p) for p in data.get("pending", [])]
            data["users"].pop(login, None)
            data["pending"] = []
            self._save(data)
            return pending

    def move_to(self, other: LoginAttempts) -> None:
        """Re-key: read the counters with this object's key, write them with ``other``'s (after
        the terminal secret changed at a re-binding). A tampered file is carried over as such."""
        with filelock.exclusive(self.path):
            other._save(self._load())

    def _lock_until(self) -> str:
        return (self._now() + timedelta(minutes=LOCK_MINUTES)).isoformat()

    def _entry(
        self, login: str, action: str, code: str, detail: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "at": self._now().isoformat(timespec="seconds"),
            "login": login,
            "action": action,
            "code": code,
        }
        if detail:
            entry["detail"] = detail
        return entry
