"""Roles and permissions, defined as data in resources/security/roles.json."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from app.paths import resource_path

NUMBER_PERMISSION_PREFIX = "mynumber."


@dataclass(frozen=True, slots=True)
class RoleDef:
    code: str
    name_ja: str
    permissions: frozenset[str]


@lru_cache(maxsize=4)
def load_roles(path: Path | None = None) -> dict[str, RoleDef]:
    data = json.loads((path or resource_path("security", "roles.json")).read_text("utf-8"))
    if data.get("format") != "vaxdesk-roles":
        raise ValueError("not a roles file")
    return {
        code: RoleDef(code, str(body["name_ja"]), frozenset(body["permissions"]))
        for code, body in data["roles"].items()
    }


def permissions_for(roles: list[str] | tuple[str, ...] | frozenset[str]) -> frozenset[str]:
    defs = load_roles()
    out: set[str] = set()
    for role in roles:
        out |= defs[role].permissions
    return frozenset(out)


def needs_number_key(roles: list[str] | tuple[str, ...] | frozenset[str]) -> bool:
    """True when any of the roles has a ``mynumber.*`` permission (the session may hold NK)."""
    return any(p.startswith(NUMBER_PERMISSION_PREFIX) for p in permissions_for(roles))
