"""The idle lock drops NK; the unlock (password + key) brings it back (issue 11 item 11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import AuthError, PermissionDenied
from app.services import person_numbers, persons
from app.services.register import reauthenticate
from tests.support.registers import login_as, make_register, password, software_key


def test_a_locked_number_session_holds_no_number_key_until_unlocked(tmp_path: Path) -> None:
    reg = tmp_path / "reg"
    make_register(reg)
    s = login_as(reg, "number")
    try:
        pid = persons.search(s, "0000000001").people[0].person_id
        person_numbers.set_number(s, pid, "123456789018")
        s.forget_keys()  # what WindowLock.lock does
        assert not s.holds_number_key
        with pytest.raises(PermissionDenied):
            person_numbers.reveal_number(s, pid, "inquiry")
        with pytest.raises(AuthError):
            reauthenticate(s, "wrong-password", key=software_key(reg))
        assert not s.holds_number_key
        reauthenticate(s, password("number"), key=software_key(reg))
        assert s.holds_number_key
        assert person_numbers.reveal_number(s, pid, "inquiry").number == "123456789018"
    finally:
        s.register.close()


def test_the_unlock_gives_no_number_key_to_other_roles(tmp_path: Path) -> None:
    reg = tmp_path / "reg"
    make_register(reg, with_people=False)
    s = login_as(reg, "clerk")
    try:
        s.forget_keys()
        reauthenticate(s, password("clerk"), key=software_key(reg))
        assert not s.holds_number_key
    finally:
        s.register.close()
