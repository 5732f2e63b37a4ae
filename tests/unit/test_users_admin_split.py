"""``users_admin`` was split (issue 12 leftover): both modules stay under the house limit of
~400 lines, the public service functions are the same nine, and the errors and rows other modules
and tests import from ``users_admin`` are still there (the very objects of the private module)."""

from __future__ import annotations

import inspect
from pathlib import Path

from app.services import _users_admin_parts, users_admin

SERVICES = Path(users_admin.__file__).parent
PUBLIC = {
    "access_review",
    "add_key",
    "create_user",
    "deactivate_user",
    "list_keys",
    "remove_key",
    "reset_user",
    "set_roles",
    "set_synced_passkeys_allowed",
}
SHARED = (
    "MAX_KEYS_PER_USER",
    "AccessRow",
    "Deactivation",
    "KeyInfo",
    "LastKey",
    "LoginTaken",
    "NumberGrantNeedsHolder",
    "SelfDeactivation",
    "TooManyKeys",
    "UnknownRole",
)


def test_both_modules_stay_under_the_line_limit() -> None:
    for name in ("users_admin.py", "_users_admin_parts.py"):
        lines = (SERVICES / name).read_text("utf-8").count("\n")
        assert lines < 400, f"{name}: {lines} lines"


def test_the_public_functions_are_unchanged() -> None:
    defined = {
        name
        for name, fn in inspect.getmembers(users_admin, inspect.isfunction)
        if fn.__module__ == users_admin.__name__ and not name.startswith("_")
    }
    assert defined == PUBLIC


def test_errors_and_rows_are_still_imported_from_users_admin() -> None:
    for name in SHARED:
        assert getattr(users_admin, name) is getattr(_users_admin_parts, name), name
    assert users_admin.MAX_KEYS_PER_USER == 2
    assert users_admin.TooManyKeys.code == "E_KEYS_LIMIT"
