"""Revoked slots do not survive in keyslots.json.bak (issue 11 item 4, the key-file part).

The previous key file is kept as ``.bak`` at every save; after a deactivation, a removed key, a
reset or the removal of number-use rights it must not still hold the revoked slot or NK.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.services import own_keys, users_admin
from tests.support.registers import login_as, make_register, password, software_key, stand_in_key


def _bak(reg: Path) -> list[dict[str, Any]]:
    slots: list[dict[str, Any]] = json.loads((reg / "keyslots.json.bak").read_text("utf-8"))[
        "slots"
    ]
    return slots


def test_revocations_reach_the_backup_copy(tmp_path: Path) -> None:
    reg = tmp_path / "reg"
    make_register(reg, with_people=False)
    clerk = login_as(reg, "clerk")
    second = stand_in_key(tmp_path / "second.json")
    own_keys.add_own_key(clerk, password("clerk"), software_key(reg), second)
    clerk.register.close()
    admin = login_as(reg, "admin")
    try:
        removed = [k.slot_id for k in users_admin.list_keys(admin, "clerk")][1]
        users_admin.remove_key(admin, "clerk", removed)
        assert removed not in {s["slot_id"] for s in _bak(reg)}

        done = users_admin.deactivate_user(admin, "nurse")
        assert done == users_admin.Deactivation(1, users_admin.NK_UNAFFECTED)  # no NK held
        assert "nurse" not in {s["login"] for s in _bak(reg)}

        users_admin.set_roles(admin, "number", ("clerk",), password("number"), software_key(reg))
        number_slots = [s for s in _bak(reg) if s["login"] == "number"]
        assert number_slots and all("nk" not in s["wrapped"] for s in number_slots)

        before = {s["slot_id"] for s in _bak(reg) if s["login"] == "auditor"}
        users_admin.reset_user(admin, "auditor", "pw-auditor-new-1", software_key(reg))
        assert not before & {s["slot_id"] for s in _bak(reg)}
    finally:
        admin.register.close()
