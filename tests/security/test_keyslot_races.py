"""Issue 11 item 5: keyslots.json races and the FIDO sign count bound into the slots' AAD.

* a login that waits for the key touch while an administrator removes the slot must not bring the
  slot back (it used to save its stale copy), and is itself refused;
* sign-count updates of concurrent logins are merged, never reverted;
* a sign count set back to 0 in the file (to let a cloned key in) is refused.
"""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path
from typing import Any

import pytest

from app.errors import AuthError
from app.security.keyslots import KeySlotFile
from app.services.register import login
from app.services.security_key import KeyAccess
from app.store.layout import RegisterLayout
from tests.support.hooked_key import HookedKey
from tests.support.registers import login_as, make_register, password, software_key


@pytest.fixture
def reg(tmp_path: Path) -> Path:
    make_register(tmp_path / "reg", with_people=False)
    return tmp_path / "reg"


def _slots_json(reg: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(RegisterLayout(reg).keyslots.read_text("utf-8"))
    return data


def _count(reg: Path, login_name: str) -> int:
    ks = KeySlotFile.load(RegisterLayout(reg).keyslots)
    (slot,) = ks.user_slots(login_name)
    return slot.sign_count() or 0


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_slot_removed_during_the_touch_stays_removed(reg: Path) -> None:
    path = RegisterLayout(reg).keyslots

    def admin_removes_clerk() -> None:
        ks = KeySlotFile.load(path)
        ks.update(lambda fresh: fresh.remove_user("clerk"))

    key = KeyAccess(HookedKey(software_key(reg).backend, after=admin_removes_clerk))
    db_before = _digest(RegisterLayout(reg).database)
    with pytest.raises(AuthError) as err:
        login(reg, "clerk", password("clerk"), key=key)
    assert err.value.code == "E_KEYSLOT_REVOKED"
    assert KeySlotFile.load(path).user_slots("clerk") == []  # not resurrected
    assert _digest(RegisterLayout(reg).database) == db_before


def test_concurrent_sign_count_updates_are_merged(reg: Path) -> None:
    login_as(reg, "nurse").register.close()
    seen: dict[str, int] = {}

    def nurse_logs_in_meanwhile() -> None:
        login_as(reg, "nurse").register.close()
        seen["nurse"] = _count(reg, "nurse")

    key = KeyAccess(HookedKey(software_key(reg).backend, after=nurse_logs_in_meanwhile))
    login(reg, "clerk", password("clerk"), key=key).register.close()
    assert seen["nurse"] > 0
    assert _count(reg, "nurse") == seen["nurse"]  # the clerk's login did not revert it
    assert _count(reg, "clerk") > 0
    # both still open afterwards with the stored counts
    login_as(reg, "nurse").register.close()
    login_as(reg, "clerk").register.close()


def test_sign_count_reset_to_zero_is_refused(reg: Path) -> None:
    login_as(reg, "clerk").register.close()
    assert _count(reg, "clerk") > 0
    path = RegisterLayout(reg).keyslots
    data = _slots_json(reg)
    for slot in data["slots"]:
        if slot["login"] == "clerk":
            for factor in slot["factors"]:
                if factor["type"] == "fido2":
                    factor["sign_count"] = 0
    path.write_text(json.dumps(data), encoding="utf-8")
    db_before = _digest(RegisterLayout(reg).database)
    with pytest.raises(AuthError) as err:
        login(reg, "clerk", password("clerk"), key=software_key(reg))
    assert err.value.code == "E_KEYSLOT_SIGN_COUNT"
    assert _digest(RegisterLayout(reg).database) == db_before


def test_sign_count_cannot_be_downgraded_to_an_unbound_slot(reg: Path) -> None:
    """Dropping the AAD version (to get the old, count-free AAD) does not open the slot."""
    login_as(reg, "clerk").register.close()
    path = RegisterLayout(reg).keyslots
    data = _slots_json(reg)
    for slot in data["slots"]:
        if slot["login"] == "clerk":
            slot.pop("aad")
            slot.pop("check")
            for factor in slot["factors"]:
                if factor["type"] == "fido2":
                    factor["sign_count"] = 0
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(AuthError) as err:
        login(reg, "clerk", password("clerk"), key=software_key(reg))
    assert err.value.code == "E_AUTH_WRONG_PASSWORD"


def test_parallel_logins_of_different_users_keep_every_slot(reg: Path) -> None:
    errors: list[BaseException] = []

    def run(user: str) -> None:
        try:
            login_as(reg, user).register.close()
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(u,)) for u in ("clerk", "nurse", "auditor")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    ks = KeySlotFile.load(RegisterLayout(reg).keyslots)
    assert ks.logins() == ["admin", "auditor", "clerk", "number", "nurse"]
    assert all(_count(reg, u) > 0 for u in ("clerk", "nurse", "auditor"))


def test_an_older_copy_of_the_whole_file_does_not_let_a_cloned_key_in(reg: Path) -> None:
    """keyslots.json.bak (or a backup) holds a lower count, validly sealed: this terminal's
    high-water mark in the keyring refuses it."""
    import shutil

    from app.security.fido.software import SoftwareAuthenticator
    from tests.support.registers import stand_in_key

    state = reg.with_name(reg.name + ".test-authenticator.json")
    login_as(reg, "clerk").register.close()
    clone = SoftwareAuthenticator(state).clone()  # copied at this count
    login_as(reg, "clerk").register.close()  # the real key moves on; .bak keeps the lower count
    path = RegisterLayout(reg).keyslots
    shutil.copyfile(path.with_name(path.name + ".bak"), path)
    with pytest.raises(AuthError) as err:
        login(reg, "clerk", password("clerk"), key=stand_in_key(authenticator=clone))
    assert err.value.code == "E_KEYSLOT_SIGN_COUNT"
