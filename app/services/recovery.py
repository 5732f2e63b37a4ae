"""The recovery code (kept in the administrator's safe): open the register without a key or the
terminal secret, and re-bind a reimaged terminal. Every use is audited."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import AuthError
from app.security import permissions as perm
from app.security.fido import FidoPrompt
from app.security.keyslots import KeySlotFile, Secrets, UnknownUser
from app.security.session import OpenRegister
from app.security.terminal import TerminalSecretStore
from app.services.register import (
    ORIGIN_PREFIX,
    NewUser,
    add_user_slot,
    open_database,
    secret_store_for,
)
from app.services.security_key import KeyAccess, key_access_for
from app.store import audit, db, register_meta, terminals, users
from app.store.layout import RegisterLayout


@dataclass(eq=False)
class RecoveryAccess:
    """The register opened with the recovery code (administrator's safe)."""

    register: OpenRegister
    keyslots: KeySlotFile
    nk: bytes | None = field(repr=False)


def open_with_recovery_code(directory: Path, code: str) -> RecoveryAccess:
    layout = RegisterLayout(Path(directory))
    ks = KeySlotFile.load(layout.keyslots)
    last_error: Exception | None = None
    for slot in ks.recovery_slots():
        try:
            keys = ks.unwrap(slot, Secrets(recovery_code=code))
        except AuthError as exc:
            last_error = exc
            continue
        reg = open_database(layout, ks, keys.dek)
        with db.transaction(reg.conn):
            audit.append(reg.conn, action="recovery.use", terminal_id=reg.terminal_id)
        return RecoveryAccess(reg, ks, keys.nk)
    raise last_error or AuthError(code="E_RECOVERY_NO_SLOT")


def rebind_terminal(
    access: RecoveryAccess,
    admin_login: str,
    password: str,
    *,
    secret_store: TerminalSecretStore | None = None,
    key: KeyAccess | None = None,
    prompt: FidoPrompt | None = None,
) -> str:
    """After a reimage: give this terminal a new secret and a new slot for an administrator
    (new password + their security key, enrolled now).

    Other users' slots name the old terminal: they are removed, and the administrator re-enrolls
    each user (reset). Nothing is changed until the key enrollment has succeeded. Returns the new
    terminal id.
    """
    reg, ks = access.register, access.keyslots
    conn = reg.conn
    user = users.get_by_login(conn, admin_login)
    if user is None or not user.active:
        raise UnknownUser()
    roles = tuple(users.roles_of(conn, user.id))
    granted = users.permissions_of(conn, roles)
    if perm.TERMINAL_MANAGE not in granted or perm.RECOVERY_USE not in granted:
        raise AuthError(code="E_RECOVERY_NOT_ADMIN")
    layout = RegisterLayout(reg.directory)
    store = secret_store or secret_store_for(layout, ks.demo)
    access_key = key or key_access_for(layout, ks.demo, prompt)
    secret = store.create(ks.register_id)
    terminal_id = ORIGIN_PREFIX + os.urandom(6).hex()
    removed = len([s for s in ks.slots if s.kind == "user"])
    ks.slots = [s for s in ks.slots if s.kind != "user"]
    admin = NewUser(user.login, user.display_name, user.staff_no, password, roles)
    add_user_slot(
        ks,
        admin,
        dek=reg.dek,
        nk=access.nk,
        terminal_id=terminal_id,
        terminal_secret=secret,
        key=access_key,
        user_uid=users.uid_of(conn, user.id),
    )
    with db.transaction(conn):
        register_meta.set_meta(conn, "terminal_id", terminal_id)
        terminals.insert(conn, terminal_id, "この端末（再登録）")
        audit.append(
            conn,
            action="terminal.rebind",
            terminal_id=terminal_id,
            user_id=user.id,
            detail={"removed_slots": removed},
        )
    reg.terminal_id = terminal_id
    ks.save_revoking()  # the old terminal's slots leave the .bak copy too
    return terminal_id
