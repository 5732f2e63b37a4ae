"""Users and roles, personal-number access, and what a counter clerk's session can ever see."""

from __future__ import annotations

import csv
import dataclasses
from datetime import date
from pathlib import Path

import pytest

from app.errors import AuthError, InvalidInput, PermissionDenied
from app.services import audit_review, own_keys, person_numbers, persons, users_admin
from app.services.register import NewUser, login
from tests.support.registers import login_as, make_register, software_key, stand_in_key

KNOWN_NUMBER = "123456789018"


@pytest.fixture
def reg(tmp_path: Path) -> Path:
    make_register(tmp_path / "reg")
    return tmp_path / "reg"


def _person_id(reg: Path, atena: str = "0000000001") -> int:
    s = login_as(reg, "clerk")
    try:
        return persons.search(s, atena).people[0].person_id
    finally:
        s.register.close()


def _with_number(reg: Path) -> int:
    pid = _person_id(reg)
    s = login_as(reg, "number")
    try:
        person_numbers.set_number(s, pid, KNOWN_NUMBER)
    finally:
        s.register.close()
    return pid


def test_number_staff_enter_find_mask_and_reveal(reg: Path) -> None:
    pid = _with_number(reg)
    s = login_as(reg, "number")
    try:
        assert person_numbers.find_person(s, KNOWN_NUMBER) == pid
        assert person_numbers.find_person(s, "000000000019") is None
        assert person_numbers.masked_number(s, pid) == "＊" * 8 + "9018"
        with pytest.raises(InvalidInput) as err:
            person_numbers.reveal_number(s, pid, "")
        assert err.value.code == "E_REVEAL_REASON"
        shown = person_numbers.reveal_number(s, pid, "other", "照会 番号123456 の件")
        assert shown.number == KNOWN_NUMBER and shown.seconds == 30
        last = s.register.conn.execute(
            "SELECT action, person_id, detail FROM audit_log ORDER BY seq DESC LIMIT 1"
        ).fetchone()
    finally:
        s.register.close()
    assert last[:2] == ("mynumber.reveal", pid)
    assert "123456" not in last[2] and KNOWN_NUMBER not in last[2]


def test_bad_number_is_refused_and_not_echoed(reg: Path) -> None:
    pid = _person_id(reg)
    s = login_as(reg, "number")
    try:
        with pytest.raises(InvalidInput) as err:
            person_numbers.set_number(s, pid, "123456789012")
    finally:
        s.register.close()
    assert err.value.code == "E_MYNUMBER_CHECK_DIGIT"
    assert "123456789012" not in str(err.value)


def test_same_number_for_two_people_is_refused(reg: Path) -> None:
    _with_number(reg)
    other = _person_id(reg, "0000000003")
    s = login_as(reg, "number")
    try:
        with pytest.raises(InvalidInput) as err:
            person_numbers.set_number(s, other, KNOWN_NUMBER)
    finally:
        s.register.close()
    assert err.value.code == "E_MYNUMBER_DUPLICATE"


def test_clerk_session_holds_no_number_key_and_never_outputs_the_number(
    reg: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pid = _with_number(reg)
    s = login_as(reg, "clerk")
    produced: list[str] = []
    try:
        assert not s.holds_number_key
        assert s._nk is None
        for call in (
            lambda: person_numbers.masked_number(s, pid),
            lambda: person_numbers.reveal_number(s, pid, "identity_check"),
            lambda: person_numbers.find_person(s, KNOWN_NUMBER),
            lambda: s.number_key(),
        ):
            with pytest.raises(PermissionDenied) as err:
                call()
            produced.append(str(err.value))
        produced.append(repr(persons.search(s, "ヤマダ")))
        produced.append(repr(persons.open_person(s, pid)))
        produced.extend(repr(r) for r in s.register.conn.execute("SELECT * FROM audit_log"))
        produced.append(repr(s))
        produced.append(repr(dataclasses.asdict(persons.open_person(s, pid))))
    finally:
        s.register.close()
    out = capsys.readouterr()
    produced += [out.out, out.err]
    blob = "\n".join(produced)
    assert KNOWN_NUMBER not in blob


def test_create_user_and_number_grant_needs_a_holder(reg: Path, tmp_path: Path) -> None:
    admin = login_as(reg, "admin")
    holder = login_as(reg, "number")
    new_key = stand_in_key(tmp_path / "new-user-key.json")
    try:
        users_admin.create_user(
            admin, NewUser("clerk2", "窓口 六郎", "90006", "pw-clerk2-0006", ("clerk",)), new_key
        )
        numbered = NewUser("number2", "番号 七子", "90007", "pw-number2-0007", ("number",))
        with pytest.raises(PermissionDenied) as err:
            users_admin.create_user(admin, numbered, new_key)
        assert err.value.code == "E_NUMBER_GRANT_NEEDS_HOLDER"
        users_admin.create_user(admin, numbered, new_key, number_holder=holder)
        with pytest.raises(InvalidInput):
            users_admin.create_user(admin, numbered, new_key, number_holder=holder)
    finally:
        admin.register.close()
        holder.register.close()
    s = login(reg, "number2", "pw-number2-0007", key=new_key)
    try:
        assert s.holds_number_key
    finally:
        s.register.close()
    s = login(reg, "clerk2", "pw-clerk2-0006", key=new_key)
    assert not s.holds_number_key
    s.register.close()


def test_deactivation_removes_the_slot_at_once(reg: Path) -> None:
    admin = login_as(reg, "admin")
    try:
        users_admin.deactivate_user(admin, "clerk")
        with pytest.raises(InvalidInput):
            users_admin.deactivate_user(admin, "admin")
        review = {r.login: r for r in users_admin.access_review(admin)}
    finally:
        admin.register.close()
    assert review["clerk"].active is False and review["clerk"].keys == 0
    assert review["number"].holds_number_rights and not review["clerk"].holds_number_rights
    with pytest.raises(AuthError) as err:
        login_as(reg, "clerk")
    assert err.value.code == "E_AUTH_UNKNOWN_USER"


def test_keys_second_key_and_last_key(reg: Path, tmp_path: Path) -> None:
    clerk = login_as(reg, "clerk")
    second = stand_in_key(tmp_path / "second.json")
    try:
        own_keys.add_own_key(clerk, "pw-clerk-0002", software_key(reg), second)
        with pytest.raises(InvalidInput) as err:
            own_keys.add_own_key(clerk, "pw-clerk-0002", software_key(reg), second)
        assert err.value.code == "E_KEYS_LIMIT"
    finally:
        clerk.register.close()
    login(reg, "clerk", "pw-clerk-0002", key=second).register.close()
    from app.security.keyslots import KeySlotFile
    from app.store.layout import RegisterLayout

    slots = KeySlotFile.load(RegisterLayout(reg).keyslots).user_slots("clerk")
    admin = login_as(reg, "admin")
    try:
        listed = users_admin.list_keys(admin, "clerk")
        assert [k.slot_id for k in listed] == [s.slot_id for s in slots]
        assert {k.backend for k in listed} == {"test-key"}
        users_admin.remove_key(admin, "clerk", slots[1].slot_id)
        with pytest.raises(InvalidInput) as err:
            users_admin.remove_key(admin, "clerk", slots[0].slot_id)
        assert err.value.code == "E_LAST_KEY"
    finally:
        admin.register.close()
    with pytest.raises(AuthError):
        login(reg, "clerk", "pw-clerk-0002", key=second)
    login(reg, "clerk", "pw-clerk-0002", key=software_key(reg)).register.close()


def test_removing_number_role_drops_the_number_key(reg: Path) -> None:
    admin = login_as(reg, "admin")
    try:
        users_admin.set_roles(admin, "number", ("clerk",), "pw-number-0004", software_key(reg))
        with pytest.raises(PermissionDenied):
            users_admin.set_roles(
                admin, "clerk", ("clerk", "number"), "pw-clerk-0002", software_key(reg)
            )
    finally:
        admin.register.close()
    s = login_as(reg, "number")
    try:
        assert not s.holds_number_key
    finally:
        s.register.close()


def test_audit_review_filters_and_csv(reg: Path, tmp_path: Path) -> None:
    pid = _person_id(reg)
    auditor = login_as(reg, "auditor")
    try:
        rows = audit_review.list_entries(auditor, audit_review.AuditFilter(user_login="clerk"))
        assert rows and {r.user_login for r in rows} == {"clerk"}
        views = audit_review.list_entries(
            auditor, audit_review.AuditFilter(action="person.search", date_from=date.today())
        )
        assert views and all(r.action == "person.search" for r in views)
        out = tmp_path / "audit.csv"
        n = audit_review.export_csv(auditor, audit_review.AuditFilter(person_id=None), out)
        with pytest.raises(InvalidInput):
            audit_review.list_entries(
                auditor,
                audit_review.AuditFilter(date_from=date(2026, 2, 1), date_until=date(2026, 1, 1)),
            )
    finally:
        auditor.register.close()
    text = out.read_text(encoding="utf-8-sig")
    table = list(csv.reader(text.splitlines()))
    assert table[0] == audit_review.csv_header() and len(table) == n + 1
    assert pid >= 1 and "ヤマダ" not in text and "山田" not in text
    clerk = login_as(reg, "clerk")
    try:
        with pytest.raises(PermissionDenied):
            audit_review.list_entries(clerk, audit_review.AuditFilter())
    finally:
        clerk.register.close()


def test_admin_adds_a_backup_key_for_a_present_user(reg: Path, tmp_path: Path) -> None:
    backup = stand_in_key(tmp_path / "backup-key.json")
    admin = login_as(reg, "admin")
    try:
        with pytest.raises(AuthError) as err:  # the user's password is checked with their key
            users_admin.add_key(admin, "number", "wrong", software_key(reg), backup)
        assert err.value.code == "E_AUTH_WRONG_PASSWORD"
        users_admin.add_key(admin, "number", "pw-number-0004", software_key(reg), backup)
        with pytest.raises(InvalidInput) as full:
            users_admin.add_key(admin, "number", "pw-number-0004", software_key(reg), backup)
        assert full.value.code == "E_KEYS_LIMIT"
    finally:
        admin.register.close()
    s = login(reg, "number", "pw-number-0004", key=backup)  # the backup key alone opens
    try:
        assert s.holds_number_key  # NK came from the user's own slot, no second person needed
    finally:
        s.register.close()


def test_adding_an_own_key_needs_the_password_and_a_touch_of_an_enrolled_key(
    reg: Path, tmp_path: Path
) -> None:
    """Issue 11 item 3: an unattended open session cannot add a key for its user."""
    from app.security.keyslots import KeySlotFile
    from app.store import audit

    slots_file = reg / "keyslots.json"
    clerk = login_as(reg, "clerk")
    stranger = stand_in_key(tmp_path / "stranger.json")
    new = stand_in_key(tmp_path / "new.json")
    try:

        def slot_ids() -> list[str]:
            return [x.slot_id for x in KeySlotFile.load(slots_file).slots]

        before = slot_ids()
        with pytest.raises(AuthError):  # wrong password, enrolled key
            own_keys.add_own_key(clerk, "not-the-password", software_key(reg), new)
        with pytest.raises(AuthError) as err:  # right password, a key that is not enrolled
            own_keys.add_own_key(clerk, "pw-clerk-0002", stranger, new)
        assert err.value.code == "E_FIDO_UNKNOWN_CREDENTIAL"
        assert slot_ids() == before  # (a touch may update the sign count, nothing else)
        failed = [e.outcome for e in audit.query(clerk.register.conn, action="key.enroll")]
        assert failed == ["failed", "failed"]
        own_keys.add_own_key(clerk, "pw-clerk-0002", software_key(reg), new)
    finally:
        clerk.register.close()
    assert len(KeySlotFile.load(slots_file).user_slots("clerk")) == 2
    login(reg, "clerk", "pw-clerk-0002", key=new).register.close()
