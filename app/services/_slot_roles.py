"""The session's roles are the roles bound into its key slot (DESIGN.md §4).

Every session holds the DEK and could write ``user_roles``; the table is a display copy. A login
whose slot and table disagree is refused and audited. A slot written before roles were bound
(no ``roles``) gets the table's roles bound once, at the user's next login, audited as
``keyslot.bind_roles``: for such a slot the table is trusted that one time.
"""

from __future__ import annotations

from collections.abc import Callable

from app.errors import AuthError
from app.security.keyslots import UnwrappedKeys
from app.security.session import OpenRegister
from app.store import audit, db, users


class RolesMismatch(AuthError):
    """The roles table disagrees with the roles bound into the user's key slot."""

    code = "E_AUTH_ROLES_MISMATCH"


def session_roles(
    reg: OpenRegister,
    user: users.UserRow,
    keys: UnwrappedKeys,
    bind_legacy: Callable[[tuple[str, ...]], None],
) -> frozenset[str]:
    """The roles bound into the slot; the ``user_roles`` table is a display copy and a mismatch
    is refused (audited). A slot written before roles were bound gets the table's roles bound
    once, at this login (audited ``keyslot.bind_roles``)."""
    conn = reg.conn
    table = tuple(sorted(users.roles_of(conn, user.id)))
    if keys.roles is None:
        bind_legacy(table)
        with db.transaction(conn):
            audit.append(
                conn,
                action="keyslot.bind_roles",
                terminal_id=reg.terminal_id,
                user_id=user.id,
                detail={"roles": list(table)},
            )
        return frozenset(table)
    if tuple(sorted(keys.roles)) != table:
        with db.transaction(conn):
            audit.append(
                conn,
                action="login",
                outcome="denied",
                terminal_id=reg.terminal_id,
                user_id=user.id,
                detail={
                    "reason": "roles_mismatch",
                    "slot": sorted(keys.roles),
                    "table": list(table),
                },
            )
        raise RolesMismatch()
    return frozenset(keys.roles)
