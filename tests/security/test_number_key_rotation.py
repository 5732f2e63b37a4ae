"""Removing number rights rotates NK (issue 11 item 4): the removed person's copy of the old NK
decrypts nothing in the register afterwards, while the remaining holders (who were not present)
and the recovery code still read every number and find people by number."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.security.key_delivery import key_id
from app.security.person_numbers import NumberCipher, NumberDecryptFailed
from app.security.session import Session
from app.services import _number_key, person_numbers, persons, users_admin
from app.services.recovery import open_with_recovery_code
from app.services.register import NewUser
from app.store import db, register_meta
from tests.support.registers import login_as, make_register, password, software_key

TARO_NUMBER = "123456789018"
HANAKO_NUMBER = "000000000019"
NUMBER2 = NewUser("number2", "番号 六郎", "90006", "pw-number2-0006", ("number",))


def _setup(reg: Path) -> tuple[str, bytes, int, int]:
    """Two numbers entered, a second number-use holder; returns the recovery code, the old NK
    (what the person to be removed could have copied) and the two person ids."""
    code = make_register(reg)
    number = login_as(reg, "number")
    try:
        taro = persons.search(number, "0000000001").people[0].person_id
        hanako = persons.search(number, "0000000002").people[0].person_id
        person_numbers.set_number(number, taro, TARO_NUMBER)
        person_numbers.set_number(number, hanako, HANAKO_NUMBER)
        old_nk = number.number_key()
    finally:
        number.register.close()
    admin = login_as(reg, "admin")
    number = login_as(reg, "number")
    try:
        users_admin.create_user(admin, NUMBER2, software_key(reg), number_holder=number)
    finally:
        number.register.close()
        admin.register.close()
    return code, old_nk, taro, hanako


def _login_number2(reg: Path) -> Session:
    from app.services.register import login

    return login(reg, "number2", NUMBER2.password, key=software_key(reg))


def _assert_old_nk_reads_nothing(conn: db.Connection, old_nk: bytes) -> None:
    old = NumberCipher(old_nk)
    rows = conn.execute(
        "SELECT p.uid, n.number_ct, n.blind_index FROM person_numbers n"
        " JOIN persons p ON p.id = n.person_id"
    ).fetchall()
    assert len(rows) == 2
    for uid, blob, index in rows:
        with pytest.raises(NumberDecryptFailed):
            old.decrypt(bytes(uid), bytes(blob))
        assert bytes(index) not in {old.blind_index(TARO_NUMBER), old.blind_index(HANAKO_NUMBER)}
    assert register_meta.get_meta(conn, _number_key.NK_ID_META) != key_id(old_nk)


def _audit_actions(conn: db.Connection) -> list[tuple[str, dict[str, object]]]:
    rows = conn.execute("SELECT action, detail FROM audit_log ORDER BY seq").fetchall()
    return [(str(a), json.loads(d) if d else {}) for a, d in rows]


def _remaining_holder_reads(reg: Path, taro: int, hanako: int) -> None:
    holder = _login_number2(reg)
    try:
        masked = person_numbers.masked_number(holder, taro)
        assert masked is not None and masked.endswith("9018") and "1234" not in masked
        assert person_numbers.reveal_number(holder, hanako, "inquiry").number == HANAKO_NUMBER
        assert person_numbers.find_person(holder, TARO_NUMBER) == taro
        # new numbers go under the new NK too
        person_numbers.set_number(holder, hanako, "111111111118")
        assert person_numbers.find_person(holder, "111111111118") == hanako
    finally:
        holder.register.close()
    slots = json.loads((reg / "keyslots.json").read_text("utf-8"))["slots"]
    settled = [s for s in slots if s["login"] == "number2"]
    assert settled and all(not s.get("deliveries") for s in settled)  # sealed into its box


def test_role_change_rotates_nk_for_holders_not_present(tmp_path: Path) -> None:
    reg = tmp_path / "reg"
    code, old_nk, taro, hanako = _setup(reg)
    admin = login_as(reg, "admin")
    try:
        # the number-use clerk becomes a plain clerk; number2 is not signed in
        users_admin.set_roles(admin, "number", ("clerk",), password("number"), software_key(reg))
        _assert_old_nk_reads_nothing(admin.register.conn, old_nk)
        rekeys = [d for a, d in _audit_actions(admin.register.conn) if a == "mynumber.rekey"]
        assert rekeys == [
            {"reason": "user.roles", "numbers": 2, "slots_delivered": 2, "slots_not_ready": 0}
        ]
    finally:
        admin.register.close()
    _remaining_holder_reads(reg, taro, hanako)
    access = open_with_recovery_code(reg, code)  # the recovery slot got the new NK too
    try:
        assert access.nk is not None
        assert NumberCipher(access.nk).blind_index(TARO_NUMBER) != NumberCipher(old_nk).blind_index(
            TARO_NUMBER
        )
        row = access.register.conn.execute(
            "SELECT p.uid, n.number_ct FROM person_numbers n JOIN persons p ON p.id = n.person_id"
            " WHERE n.person_id = ?",
            (taro,),
        ).fetchone()
        assert NumberCipher(access.nk).decrypt(bytes(row[0]), bytes(row[1])) == TARO_NUMBER
    finally:
        access.register.close()


def test_deactivation_without_nk_at_hand_rotates_at_the_next_holder_sign_in(
    tmp_path: Path,
) -> None:
    reg = tmp_path / "reg"
    _code, old_nk, taro, hanako = _setup(reg)
    admin = login_as(reg, "admin")
    try:
        done = users_admin.deactivate_user(admin, "number")  # nobody with NK is present
        assert done == users_admin.Deactivation(1, users_admin.NK_DUE)  # the screen says so
        conn = admin.register.conn
        assert _number_key.rotation_due(conn)
        assert [a for a, _ in _audit_actions(conn)][-2:] == [
            "user.deactivate",
            "mynumber.rekey_due",
        ]
    finally:
        admin.register.close()
    _remaining_holder_reads(reg, taro, hanako)  # this sign-in completes the rotation
    admin = login_as(reg, "admin")
    try:
        _assert_old_nk_reads_nothing(admin.register.conn, old_nk)
        assert not _number_key.rotation_due(admin.register.conn)
        rekeys = [d for a, d in _audit_actions(admin.register.conn) if a == "mynumber.rekey"]
        assert [d["reason"] for d in rekeys] == ["due"]
    finally:
        admin.register.close()


def test_deactivation_with_a_holder_present_rotates_at_once(tmp_path: Path) -> None:
    reg = tmp_path / "reg"
    _code, old_nk, taro, hanako = _setup(reg)
    admin = login_as(reg, "admin")
    holder = _login_number2(reg)
    try:
        done = users_admin.deactivate_user(admin, "number", number_holder=holder)
        assert done == users_admin.Deactivation(1, users_admin.NK_ROTATED)
        _assert_old_nk_reads_nothing(admin.register.conn, old_nk)
        assert not _number_key.rotation_due(admin.register.conn)
    finally:
        holder.register.close()
        admin.register.close()
    _remaining_holder_reads(reg, taro, hanako)


def test_a_forged_nk_delivery_is_not_adopted(tmp_path: Path) -> None:
    """A DEK holder without NK who sets the register's NK id and delivers an NK of their own
    making to a holder's slot (public key) cannot make the holder use it: no rotation proof."""
    import os

    from app.security.key_delivery import deliver
    from app.security.keyslots import KeySlotFile

    reg = tmp_path / "reg"
    _code, _old_nk, _taro, _hanako = _setup(reg)
    forged = os.urandom(32)
    ks = KeySlotFile.load(reg / "keyslots.json")

    def plant(fresh: KeySlotFile) -> None:
        for slot in fresh.user_slots("number2"):
            deliver(
                fresh.register_id, slot.inbox_pub, slot.slot_id, slot.deliveries, "nk", forged, "0"
            )

    ks.update(plant)
    clerk = login_as(reg, "clerk")
    with db.transaction(clerk.register.conn):
        register_meta.set_meta(clerk.register.conn, _number_key.NK_ID_META, key_id(forged))
    clerk.register.close()
    holder = _login_number2(reg)
    try:
        assert not holder.holds_number_key  # fails closed: neither the old nor the forged NK
    finally:
        holder.register.close()


def test_removing_a_number_holders_key_rotates_nk(tmp_path: Path) -> None:
    from app.services import own_keys
    from tests.support.registers import stand_in_key

    reg = tmp_path / "reg"
    _code, old_nk, taro, hanako = _setup(reg)
    holder = _login_number2(reg)
    try:
        spare = stand_in_key(tmp_path / "spare-key.json")
        own_keys.add_own_key(holder, NUMBER2.password, software_key(reg), spare)
    finally:
        holder.register.close()
    admin = login_as(reg, "admin")
    number = login_as(reg, "number")
    try:
        lost = [k.slot_id for k in users_admin.list_keys(admin, "number2")][1]
        users_admin.remove_key(admin, "number2", lost, number_holder=number)
        _assert_old_nk_reads_nothing(admin.register.conn, old_nk)
        rekeys = [d for a, d in _audit_actions(admin.register.conn) if a == "mynumber.rekey"]
        assert [d["reason"] for d in rekeys] == ["key.remove"]
    finally:
        number.register.close()
        admin.register.close()
    _remaining_holder_reads(reg, taro, hanako)


def test_a_swapped_inbox_key_does_not_divert_the_new_nk(tmp_path: Path) -> None:
    """Someone with file access swaps number2's public key for their own before number rights
    are removed elsewhere: the rotation delivers nothing to that key (no tag under the old NK)."""
    from app.security.key_delivery import new_inbox
    from app.security.keyslots import KeySlotFile

    reg = tmp_path / "reg"
    _setup(reg)
    _private, attacker_pub = new_inbox()
    ks = KeySlotFile.load(reg / "keyslots.json")

    def swap(fresh: KeySlotFile) -> None:
        for slot in fresh.user_slots("number2"):
            slot.inbox_pub = attacker_pub

    ks.update(swap)
    admin = login_as(reg, "admin")
    try:
        users_admin.set_roles(admin, "number", ("clerk",), password("number"), software_key(reg))
        rekeys = [d for a, d in _audit_actions(admin.register.conn) if a == "mynumber.rekey"]
        assert rekeys[0]["slots_delivered"] == 1 and rekeys[0]["slots_not_ready"] == 1
    finally:
        admin.register.close()
    slots = KeySlotFile.load(reg / "keyslots.json").user_slots("number2")
    assert slots and all("nk" not in s.deliveries for s in slots)
