"""Issue 11 item 8: the lockout survives a deleted, corrupted, forged or rolled-back
``login-attempts.json``, the tampering reaches the audit log, and parallel attempts are counted.
"""

from __future__ import annotations

import contextlib
import json
import threading
from pathlib import Path
from typing import Any

import pytest

from app.errors import AuthError
from app.security.lockout import MAX_FAILURES
from app.services.register import login
from app.services.security_key import KeyAccess
from app.store.layout import RegisterLayout
from tests.support.hooked_key import HookedKey
from tests.support.registers import login_as, make_register, password, software_key


@pytest.fixture
def reg(tmp_path: Path) -> Path:
    make_register(tmp_path / "reg", with_people=False)
    return tmp_path / "reg"


def _try(reg: Path, user: str, pw: str, key: KeyAccess | None = None) -> str:
    try:
        login(reg, user, pw, key=key or software_key(reg)).register.close()
    except AuthError as exc:
        return exc.code
    return "ok"


def _lock_clerk(reg: Path) -> None:
    codes = [_try(reg, "clerk", "wrong") for _ in range(MAX_FAILURES)]
    assert codes == ["E_AUTH_WRONG_PASSWORD"] * MAX_FAILURES
    assert _try(reg, "clerk", password("clerk")) == "E_AUTH_LOCKED"


def _tamper_events(reg: Path) -> list[dict[str, Any]]:
    session = login_as(reg, "nurse")  # someone else's successful login flushes the evidence
    try:
        rows = session.register.conn.execute(
            "SELECT detail FROM audit_log WHERE action = 'login.attempts_tampered' ORDER BY seq"
        ).fetchall()
        failed = session.register.conn.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'login' AND outcome = 'failed'"
        ).fetchone()[0]
    finally:
        session.register.close()
    events: list[dict[str, Any]] = [json.loads(r[0]) for r in rows]
    for event in events:
        event["failed_logins_in_log"] = failed
    return events


def test_deleting_the_file_keeps_the_user_locked_and_is_audited(reg: Path) -> None:
    _lock_clerk(reg)
    RegisterLayout(reg).failed_logins.unlink()
    assert _try(reg, "clerk", password("clerk")) == "E_AUTH_LOCKED"
    (event,) = _tamper_events(reg)
    assert event["code"] == "E_ATTEMPTS_FILE_TAMPERED"
    assert event["problem"] == "missing"
    assert int(event["lost_entries"]) >= MAX_FAILURES


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"{not json", "damaged"),
        (json.dumps({"users": {}, "pending": []}).encode(), "unauthenticated"),  # old format
    ],
)
def test_a_corrupted_or_forged_file_keeps_the_user_locked(
    reg: Path, content: bytes, problem: str
) -> None:
    _lock_clerk(reg)
    RegisterLayout(reg).failed_logins.write_bytes(content)
    assert _try(reg, "clerk", password("clerk")) == "E_AUTH_LOCKED"
    (event,) = _tamper_events(reg)
    assert event["problem"] == problem


def test_a_file_with_a_recomputed_body_but_no_key_does_not_verify(reg: Path) -> None:
    _lock_clerk(reg)
    path = RegisterLayout(reg).failed_logins
    raw = json.loads(path.read_text("utf-8"))
    raw["body"]["users"] = {}  # unlock everybody, keep the old MAC
    path.write_text(json.dumps(raw), encoding="utf-8")
    assert _try(reg, "clerk", password("clerk")) == "E_AUTH_LOCKED"
    (event,) = _tamper_events(reg)
    assert event["problem"] == "unauthenticated"


def test_an_older_copy_of_the_file_is_a_rollback(reg: Path) -> None:
    path = RegisterLayout(reg).failed_logins
    assert _try(reg, "clerk", "wrong") == "E_AUTH_WRONG_PASSWORD"
    old = path.read_bytes()  # valid MAC, one failure
    for _ in range(MAX_FAILURES - 1):
        _try(reg, "clerk", "wrong")
    path.write_bytes(old)
    assert _try(reg, "clerk", password("clerk")) == "E_AUTH_LOCKED"
    (event,) = _tamper_events(reg)
    assert event["problem"] == "rolled_back"


def _wait_for_all(barrier: threading.Barrier) -> None:
    """Every attempt waits in the key step until all have arrived (or a short timeout), so the
    attempts really run at the same time; fewer may get this far (the others were refused
    before the key step)."""
    with contextlib.suppress(threading.BrokenBarrierError):
        barrier.wait()


def test_parallel_attempts_cannot_guess_more_than_the_limit(reg: Path) -> None:
    attempts = 2 * MAX_FAILURES
    barrier = threading.Barrier(attempts, timeout=3)
    codes: list[str] = []
    lock = threading.Lock()

    def attempt() -> None:
        key = KeyAccess(HookedKey(software_key(reg).backend, before=lambda: _wait_for_all(barrier)))
        code = _try(reg, "clerk", "wrong", key)
        with lock:
            codes.append(code)

    threads = [threading.Thread(target=attempt) for _ in range(attempts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(codes) == attempts
    assert codes.count("E_AUTH_WRONG_PASSWORD") == MAX_FAILURES  # only five password checks
    assert codes.count("E_AUTH_LOCKED") == attempts - MAX_FAILURES
    assert _try(reg, "clerk", password("clerk")) == "E_AUTH_LOCKED"


_COUNTER = """
import sys
from pathlib import Path
from app.security.lockout import LoginAttempts
attempts = LoginAttempts(Path(sys.argv[1]), key=bytes.fromhex(sys.argv[2]))
for _ in range(int(sys.argv[3])):
    attempts.failed("clerk", "E_AUTH_WRONG_PASSWORD")
"""


def test_parallel_processes_lose_no_count(tmp_path: Path) -> None:
    """The file lock holds between processes too (fcntl/msvcrt, not only threads)."""
    import os
    import subprocess
    import sys

    from app.security.lockout import LoginAttempts

    path, key, each, procs = tmp_path / "login-attempts.json", os.urandom(32), 15, 3
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    running = [
        subprocess.Popen([sys.executable, "-c", _COUNTER, str(path), key.hex(), str(each)], env=env)
        for _ in range(procs)
    ]
    assert [p.wait(timeout=120) for p in running] == [0] * procs
    pending = LoginAttempts(path, key=key).succeeded("clerk")
    assert len([p for p in pending if p.action == "login"]) == each * procs


def test_the_keyring_copy_fits_a_windows_credential(tmp_path: Path) -> None:
    """Windows keeps at most 1,280 characters per credential: with many users failing, the copy
    keeps the locked ones that fit and stays valid."""
    import os

    from app.security.lockout import MAX_MIRROR_CHARS, LockedOut, LoginAttempts

    class Entry:
        value: str | None = None

        def get(self) -> str | None:
            return self.value

        def put(self, value: str) -> None:
            self.value = value

    entry, key, path = Entry(), os.urandom(32), tmp_path / "login-attempts.json"
    attempts = LoginAttempts(path, key=key, mirror=entry)
    for n in range(60):
        for _ in range(MAX_FAILURES):
            attempts.failed(f"user{n:02d}", "E_AUTH_WRONG_PASSWORD")
    assert entry.value is not None and len(entry.value) <= MAX_MIRROR_CHARS
    path.unlink()
    mirrored = json.loads(entry.value)["body"]["users"]
    assert len(mirrored) >= 10
    for name in mirrored:  # every login the copy kept is still locked without the file
        with pytest.raises(LockedOut):
            LoginAttempts(path, key=key, mirror=entry).check(name)


def test_the_unsigned_file_of_an_earlier_version_is_taken_over_once(reg: Path) -> None:
    """Upgrading a terminal: its old, unsigned counters are kept (a locked user stays locked),
    without a false tampering alarm, as long as no signed counters exist yet."""
    from datetime import UTC, datetime, timedelta

    until = (datetime.now(UTC) + timedelta(minutes=10)).isoformat()
    old = {
        "users": {"clerk": {"failures": MAX_FAILURES, "locked_until": until}},
        "pending": [
            {
                "at": "2026-11-30T09:00:00+00:00",
                "login": "clerk",
                "action": "login",
                "code": "E_AUTH_WRONG_PASSWORD",
            }
        ],
    }
    RegisterLayout(reg).failed_logins.write_text(json.dumps(old), encoding="utf-8")
    assert _try(reg, "clerk", password("clerk")) == "E_AUTH_LOCKED"
    assert _tamper_events(reg) == []
    session = login_as(reg, "auditor")
    try:
        failed = session.register.conn.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'login' AND outcome = 'failed'"
        ).fetchone()[0]
    finally:
        session.register.close()
    assert failed == 1  # the old pending entry reached the audit log
