"""Permission grants outside the service matrix: the permissions granted in
``resources/security/roles.json`` are exactly the constants of ``app.security.permissions``, and
the session-less recovery rebind (``recovery.rebind_terminal``, listed in the matrix's
``SESSIONLESS``) is refused to every role but the administrator and then changes no key slot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.paths import resource_path
from app.security import permissions as perm
from app.services.recovery import open_with_recovery_code
from tests.support.permission_world import ROLES
from tests.support.registers import make_register, software_key


def test_roles_file_and_permission_constants_agree() -> None:
    data = json.loads(resource_path("security", "roles.json").read_text("utf-8"))
    granted = {p for body in data["roles"].values() for p in body["permissions"]}
    assert granted == perm.ALL
    public = {v for k, v in vars(perm).items() if k.isupper() and isinstance(v, str)}
    assert public == perm.ALL


@pytest.mark.parametrize("role", ROLES)
def test_recovery_rebind_needs_admin_rights(tmp_path: Path, role: str) -> None:
    from app.errors import AuthError
    from app.services.recovery import rebind_terminal

    directory = tmp_path / "reg"
    code = make_register(directory, with_people=False)
    before = (directory / "keyslots.json").read_bytes()
    access = open_with_recovery_code(directory, code)
    try:
        if role == "admin":
            assert rebind_terminal(access, role, "pw-new-admin-1", key=software_key(directory))
            assert (directory / "keyslots.json").read_bytes() != before
        else:
            with pytest.raises(AuthError) as err:
                rebind_terminal(access, role, "pw-new-1", key=software_key(directory))
            assert err.value.code == "E_RECOVERY_NOT_ADMIN"
            assert (directory / "keyslots.json").read_bytes() == before
    finally:
        access.register.close()
