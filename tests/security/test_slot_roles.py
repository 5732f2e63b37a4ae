"""Roles come from the authenticated key slot, not from the ``user_roles`` table (issue 11 item 2).

Every session holds the DEK and can write the table; the slot binds the roles into the associated
data of its wrapped keys, so the table is a display copy and a mismatch is refused and audited.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.errors import AuthError
from app.security.keyslots import KeySlotFile, Secrets, password_factor, terminal_factor
from app.services import users_admin
from app.services.register import secret_store_for
from app.services.security_key import EnrolmentPolicy, enroll_factor
from app.store import audit, db, users
from app.store.layout import RegisterLayout
from tests.support.registers import login_as, make_register, password, software_key


@pytest.fixture
def reg(tmp_path: Path) -> Path:
    make_register(tmp_path / "reg", with_people=False)
    return tmp_path / "reg"


def _last_entry(reg: Path) -> tuple[str, str, dict[str, object]]:
    s = login_as(reg, "auditor")
    try:
        row = s.register.conn.execute(
            "SELECT action, outcome, detail FROM audit_log "
            "WHERE action = 'login' AND outcome = 'denied' ORDER BY seq DESC LIMIT 1"
        ).fetchone()
    finally:
        s.register.close()
    return row[0], row[1], json.loads(row[2])


def test_a_clerk_who_writes_user_roles_is_refused_and_it_is_audited(reg: Path) -> None:
    clerk = login_as(reg, "clerk")
    conn = clerk.register.conn
    with db.transaction(conn):  # what any DEK holder can do with the register open
        users.set_roles(conn, clerk.user_id, ("clerk", "admin"))
    clerk.register.close()
    with pytest.raises(AuthError) as err:
        login_as(reg, "clerk")
    assert err.value.code == "E_AUTH_ROLES_MISMATCH"
    action, outcome, detail = _last_entry(reg)
    assert (action, outcome, detail["reason"]) == ("login", "denied", "roles_mismatch")
    assert detail["slot"] == ["clerk"] and detail["table"] == ["admin", "clerk"]


def test_the_session_has_the_slot_roles(reg: Path) -> None:
    s = login_as(reg, "nurse")
    try:
        assert s.roles == frozenset({"nurse"})
    finally:
        s.register.close()
    slots = json.loads((reg / "keyslots.json").read_text("utf-8"))["slots"]
    assert [x["roles"] for x in slots if x["login"] == "nurse"] == [["nurse"]]


def test_editing_the_roles_in_keyslots_json_breaks_the_slot(reg: Path) -> None:
    path = reg / "keyslots.json"
    data = json.loads(path.read_text("utf-8"))
    for slot in data["slots"]:
        if slot.get("login") == "clerk":
            slot["roles"] = ["admin", "clerk"]
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(AuthError) as err:
        login_as(reg, "clerk")
    assert err.value.code == "E_AUTH_WRONG_PASSWORD"  # the associated data no longer matches


def test_roles_and_sign_count_are_bound_together(reg: Path) -> None:
    """A slot carries the sec fields (AAD version, key-check box, sign count in the AAD, re-sealed
    at each login) and its roles: after a login both still hold, and each is checked."""
    login_as(reg, "clerk").register.close()
    path = reg / "keyslots.json"
    original = path.read_text("utf-8")
    (slot,) = KeySlotFile.load(path).user_slots("clerk")
    assert slot.aad_version == 2 and slot.check is not None and slot.roles == ["clerk"]
    assert (slot.sign_count() or 0) > 0

    def edited(change: str) -> str:
        data = json.loads(original)
        for raw in data["slots"]:
            if raw.get("login") == "clerk":
                if change == "roles":
                    raw["roles"] = ["admin", "clerk"]
                else:
                    next(f for f in raw["factors"] if f["type"] == "fido2")["sign_count"] = 0
        return json.dumps(data)

    path.write_text(edited("roles"), "utf-8")
    with pytest.raises(AuthError) as err:
        login_as(reg, "clerk")
    assert err.value.code == "E_AUTH_WRONG_PASSWORD"  # the key-check box binds the roles too
    path.write_text(edited("sign_count"), "utf-8")
    with pytest.raises(AuthError) as err:
        login_as(reg, "clerk")
    assert err.value.code == "E_KEYSLOT_SIGN_COUNT"
    path.write_text(original, "utf-8")
    s = login_as(reg, "clerk")
    try:
        assert s.roles == frozenset({"clerk"})
    finally:
        s.register.close()


def _legacy_slot(reg: Path, login: str) -> None:
    """Replace the user's slot by one written as before roles were bound (no roles)."""
    admin = login_as(reg, "admin")
    try:
        conn, dek = admin.register.conn, admin.register.dek
        row = users.get_by_login(conn, login)
        assert row is not None
        ks = KeySlotFile.load(reg / "keyslots.json")
        layout = RegisterLayout(reg)
        secret = secret_store_for(layout, False).get(ks.register_id)
        factor, output = enroll_factor(
            software_key(reg), users.uid_of(conn, row.id), login, EnrolmentPolicy(demo=False)
        )
        ks.remove_user(login)
        ks.add_slot(
            kind="user",
            login=login,
            factors=[password_factor(), terminal_factor(admin.register.terminal_id), factor],
            secrets=Secrets(password=password(login), terminal_secret=secret, fido_output=output),
            keys={"dek": dek},
        )
        ks.save()
    finally:
        admin.register.close()


def test_a_slot_without_roles_gets_the_table_roles_bound_once(reg: Path) -> None:
    _legacy_slot(reg, "nurse")
    assert "roles" not in json.loads((reg / "keyslots.json").read_text("utf-8"))["slots"][-1]
    s = login_as(reg, "nurse")
    try:
        assert s.roles == frozenset({"nurse"})
        bound = list(audit.query(s.register.conn, action="keyslot.bind_roles"))
    finally:
        s.register.close()
    assert len(bound) == 1
    (slot,) = KeySlotFile.load(reg / "keyslots.json").user_slots("nurse")
    assert slot.roles == ["nurse"]
    login_as(reg, "nurse").register.close()  # the bound slot opens again, nothing rebound


def test_changing_roles_needs_the_user_and_rebinds_the_slot(reg: Path) -> None:
    admin = login_as(reg, "admin")
    try:
        with pytest.raises(AuthError):
            users_admin.set_roles(admin, "clerk", ("nurse",), "wrong-password", software_key(reg))
        users_admin.set_roles(admin, "clerk", ("nurse",), password("clerk"), software_key(reg))
    finally:
        admin.register.close()
    s = login_as(reg, "clerk")
    try:
        assert s.roles == frozenset({"nurse"})
        entries = list(audit.query(s.register.conn, action="user.roles"))
    finally:
        s.register.close()
    assert [e.outcome for e in entries] == ["ok"]  # newest first; the refusal wrote nothing
