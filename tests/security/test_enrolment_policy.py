"""Issue 11 item 10: enrolment itself refuses the software authenticator on real registers, and
synced passkeys (BE/BS flags) unless an administrator allows them (an audited policy)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.errors import AuthError, PermissionDenied
from app.security.fido import SoftwareBackend
from app.security.fido.software import SoftwareAuthenticator
from app.security.fido.software_state import SOFTWARE_AAGUID
from app.security.keyslots import KeySlotFile
from app.services import users_admin
from app.services.register import NewUser
from app.services.register_create import create_register
from app.services.security_key import KeyAccess
from app.store import users
from app.store.layout import RegisterLayout
from tests.support.registers import (
    TEST_KEY_AAGUID,
    USERS,
    login_as,
    make_register,
    stand_in_key,
)

NEW = NewUser("clerk2", "窓口 六郎", "90006", "pw-clerk2-0006", ("clerk",))


@pytest.fixture
def reg(tmp_path: Path) -> Path:
    make_register(tmp_path / "reg", with_people=False)
    return tmp_path / "reg"


def test_the_software_backend_is_refused_on_a_real_register(tmp_path: Path) -> None:
    software = KeyAccess(SoftwareBackend(state_path=tmp_path / "soft.json"))
    with pytest.raises(AuthError) as err:
        create_register(tmp_path / "reg", admin=USERS["admin"], key=software)
    assert err.value.code == "E_FIDO_SOFTWARE_REFUSED"
    assert not RegisterLayout(tmp_path / "reg").exists()
    # ...while a demo register uses the demo software key
    create_register(tmp_path / "demo", admin=USERS["admin"], demo=True)
    assert KeySlotFile.load(RegisterLayout(tmp_path / "demo").keyslots).demo


def test_the_software_aaguid_is_refused_under_any_backend_name(reg: Path, tmp_path: Path) -> None:
    disguised = stand_in_key(
        authenticator=SoftwareAuthenticator(tmp_path / "d.json", aaguid=SOFTWARE_AAGUID)
    )
    admin = login_as(reg, "admin")
    try:
        with pytest.raises(AuthError) as err:
            users_admin.create_user(admin, NEW, disguised)
        assert err.value.code == "E_FIDO_SOFTWARE_REFUSED"
        assert users.get_by_login(admin.register.conn, "clerk2") is None  # nothing was added
    finally:
        admin.register.close()
    assert KeySlotFile.load(RegisterLayout(reg).keyslots).user_slots("clerk2") == []


def test_a_synced_passkey_needs_the_administrators_policy(reg: Path, tmp_path: Path) -> None:
    synced = stand_in_key(
        authenticator=SoftwareAuthenticator(
            tmp_path / "synced.json", aaguid=TEST_KEY_AAGUID, synced=True
        )
    )
    admin = login_as(reg, "admin")
    clerk = login_as(reg, "clerk")
    try:
        with pytest.raises(AuthError) as err:
            users_admin.create_user(admin, NEW, synced)
        assert err.value.code == "E_FIDO_SYNCED_REFUSED"
        assert users.get_by_login(admin.register.conn, "clerk2") is None
        with pytest.raises(PermissionDenied):  # only an administrator sets the policy
            users_admin.set_synced_passkeys_allowed(clerk, True)
        users_admin.set_synced_passkeys_allowed(admin, True)
        users_admin.create_user(admin, NEW, synced)
        rows = admin.register.conn.execute(
            "SELECT outcome, detail FROM audit_log WHERE action = 'policy.synced_passkeys'"
            " ORDER BY seq"
        ).fetchall()
    finally:
        clerk.register.close()
        admin.register.close()
    assert [(r[0], json.loads(r[1])) for r in rows] == [
        ("denied", {"needs": "user.manage"}),  # the clerk's refused attempt
        ("ok", {"before": False, "after": True}),
    ]
    (slot,) = KeySlotFile.load(RegisterLayout(reg).keyslots).user_slots("clerk2")
    factor = slot.fido_factor()
    assert factor is not None and factor["backed_up"] is True


def test_the_policy_command_is_for_administrators_and_audited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.cli import main
    from app.services.register import synced_passkeys_allowed
    from tests.support.registers import password

    demo = tmp_path / "demo"
    make_register(demo, with_people=False, demo=True)
    monkeypatch.setenv("VAXDESK_PASSWORD", password("clerk"))
    assert (
        main(["policy", "synced-passkeys", "allow", "--register", str(demo), "--user", "clerk"])
        != 0
    )
    monkeypatch.setenv("VAXDESK_PASSWORD", password("admin"))
    assert (
        main(["policy", "synced-passkeys", "allow", "--register", str(demo), "--user", "admin"])
        == 0
    )
    session = login_as(demo, "auditor")
    try:
        assert synced_passkeys_allowed(session.register.conn)
        outcomes = session.register.conn.execute(
            "SELECT outcome FROM audit_log WHERE action = 'policy.synced_passkeys' ORDER BY seq"
        ).fetchall()
    finally:
        session.register.close()
    assert outcomes == [("denied",), ("ok",)]
