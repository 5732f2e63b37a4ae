"""Opening the register needs password AND enrolled key (with UV) AND this terminal.

Each factor is removed or replaced one at a time; each refusal has its own code, is audited at
the next successful login, and leaves the register file byte-for-byte unchanged.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.errors import AuthError
from app.security.fido import SoftwareBackend
from app.security.fido.software import SoftwareAuthenticator
from app.security.keyslots import KeySlotFile
from app.security.lockout import LOCK_MINUTES, MAX_FAILURES, LoginAttempts, attempts_key
from app.security.terminal import KeyringEntry
from app.services.register import login, reauthenticate, secret_store_for
from app.services.security_key import KeyAccess
from app.store.layout import RegisterLayout
from tests.support.registers import login_as, make_register, password, software_key


@pytest.fixture
def reg(tmp_path: Path) -> Path:
    make_register(tmp_path / "reg", with_people=False)
    return tmp_path / "reg"


def _db_digest(reg: Path) -> str:
    return hashlib.sha256(RegisterLayout(reg).database.read_bytes()).hexdigest()


def _state(reg: Path) -> Path:
    return reg.with_name(reg.name + ".test-authenticator.json")


def _refused(reg: Path, code: str, *, key: KeyAccess | None = None, pw: str | None = None) -> None:
    """Clerk's login with ``key`` (default: the enrolled one) and ``pw`` (default: the right one)."""
    before = _db_digest(reg)
    if key is None:
        key = software_key(reg)
    with pytest.raises(AuthError) as err:
        login(reg, "clerk", password("clerk") if pw is None else pw, key=key)
    assert err.value.code == code
    assert _db_digest(reg) == before


def test_all_factors_open(reg: Path) -> None:
    session = login_as(reg, "clerk")
    session.register.close()


def test_password_alone_is_not_enough(reg: Path, tmp_path: Path) -> None:
    other_device = KeyAccess(SoftwareBackend(state_path=tmp_path / "fresh-device.json"))
    _refused(reg, "E_FIDO_UNKNOWN_CREDENTIAL", key=other_device)


def test_wrong_password_with_the_right_key(reg: Path) -> None:
    _refused(reg, "E_AUTH_WRONG_PASSWORD", pw="not-the-password")


def test_key_of_another_user(reg: Path, tmp_path: Path) -> None:
    """A device that holds only another register's admin credential cannot open clerk's slot."""
    other = tmp_path / "other"
    make_register(other, with_people=False)
    _refused(reg, "E_FIDO_UNKNOWN_CREDENTIAL", key=software_key(other))


def test_assertion_without_user_verification(reg: Path) -> None:
    refusing = SoftwareAuthenticator(_state(reg), refuse_uv=True)
    _refused(reg, "E_FIDO_UV_MISSING", key=KeyAccess(SoftwareBackend(refusing)))


def test_authenticator_that_drops_the_uv_flag(reg: Path) -> None:
    lying = SoftwareAuthenticator(_state(reg), drop_uv_flag=True)
    _refused(reg, "E_FIDO_UV_MISSING", key=KeyAccess(SoftwareBackend(lying)))


def test_tampered_signature(reg: Path) -> None:
    forged = SoftwareAuthenticator(_state(reg), corrupt_signature=True)
    _refused(reg, "E_FIDO_BAD_SIGNATURE", key=KeyAccess(SoftwareBackend(forged)))


def test_cloned_key_is_refused_by_the_sign_counter(reg: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone.json"
    shutil.copyfile(_state(reg), clone)  # copy the device before it is used again
    login_as(reg, "clerk").register.close()
    _refused(reg, "E_FIDO_SIGN_COUNT", key=KeyAccess(SoftwareBackend(state_path=clone)))


def test_deactivated_user_has_no_slot(reg: Path) -> None:
    from app.security.keyslots import KeySlotFile

    ks = KeySlotFile.load(RegisterLayout(reg).keyslots)
    ks.remove_user("clerk")
    ks.save()
    _refused(reg, "E_AUTH_UNKNOWN_USER")


def _attempts(reg: Path, now: Callable[[], datetime] | None = None) -> LoginAttempts:
    layout = RegisterLayout(reg)
    ks = KeySlotFile.load(layout.keyslots)
    store = secret_store_for(layout, ks.demo)
    key = attempts_key(store.get(ks.register_id))
    mirror = KeyringEntry(store, "login-attempts", ks.register_id)
    return LoginAttempts(layout.failed_logins, key=key, mirror=mirror, now=now)


def test_lockout_after_five_failures_and_audit_of_each(reg: Path) -> None:
    for _ in range(MAX_FAILURES):
        _refused(reg, "E_AUTH_WRONG_PASSWORD", pw="wrong")
    _refused(reg, "E_AUTH_LOCKED")  # even the right password is refused while locked
    attempts = _attempts(reg, now=lambda: datetime.now(UTC) + timedelta(minutes=LOCK_MINUTES + 1))
    attempts.check("clerk")  # the lock has expired after 15 minutes
    # Simulate the expiry in the file the service reads, then log in and read the audit log.
    later = _attempts(reg)
    data = later._load()
    data["users"]["clerk"]["locked_until"] = "2000-01-01T00:00:00+00:00"
    later._save(data)
    session = login_as(reg, "clerk")
    rows = session.register.conn.execute(
        "SELECT action, outcome, user_id FROM audit_log ORDER BY seq"
    ).fetchall()
    session.register.close()
    failed = [r for r in rows if r[0] == "login" and r[1] == "failed"]
    assert len(failed) == MAX_FAILURES
    assert ("lockout", "denied") in [(r[0], r[1]) for r in rows]
    assert ("login.locked", "denied") in [(r[0], r[1]) for r in rows]
    assert rows[-1][:2] == ("login", "ok")


def test_idle_unlock_needs_password_and_key(reg: Path, tmp_path: Path) -> None:
    session = login_as(reg, "clerk")
    try:
        with pytest.raises(AuthError) as err:
            reauthenticate(session, "wrong", key=software_key(reg))
        assert err.value.code == "E_AUTH_WRONG_PASSWORD"
        fresh = KeyAccess(SoftwareBackend(state_path=tmp_path / "fresh.json"))
        with pytest.raises(AuthError) as err:
            reauthenticate(session, password("clerk"), key=fresh)
        assert err.value.code == "E_FIDO_UNKNOWN_CREDENTIAL"
        reauthenticate(session, password("clerk"), key=software_key(reg))
        actions = session.register.conn.execute(
            "SELECT action, outcome FROM audit_log WHERE action = 'unlock' ORDER BY seq"
        ).fetchall()
    finally:
        session.register.close()
    assert actions == [("unlock", "failed"), ("unlock", "failed"), ("unlock", "ok")]


def test_demo_register_uses_the_demo_key_unattended(tmp_path: Path) -> None:
    make_register(tmp_path / "demo", with_people=False, demo=True)
    assert RegisterLayout(tmp_path / "demo").demo_authenticator.exists()
    session = login(tmp_path / "demo", "admin", password("admin"))
    assert session.register.demo
    session.register.close()


def test_real_register_never_falls_back_to_the_software_key(reg: Path) -> None:
    from app.security.fido import RecordingPrompt

    with pytest.raises(AuthError) as err:  # no USB key on this machine, and no Windows Hello
        login(reg, "clerk", password("clerk"), prompt=RecordingPrompt())
    assert err.value.code == "E_FIDO_NO_DEVICE"
