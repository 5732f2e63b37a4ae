"""The recovery code (kept in the administrator's safe): open the register without a key or the
terminal secret, and re-bind a reimaged terminal. Every use is audited."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import AuthError, VaxDeskError
from app.security import audit_head
from app.security import permissions as perm
from app.security.audit_head import AuditHeadFile
from app.security.fido import FidoPrompt
from app.security.keyslots import KeySlotFile, Secrets, UnknownUser
from app.security.session import OpenRegister
from app.security.terminal import TerminalSecretStore, new_secret
from app.services import _number_key
from app.services._sync_identity import is_party_id
from app.services._terminal_state import audit_head_for, carry_attempts
from app.services.register import (
    ORIGIN_PREFIX,
    NewUser,
    add_user_slot,
    open_current,
    secret_store_for,
    synced_passkeys_allowed,
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
        reg = open_current(layout, ks, keys, _head_if_bound(layout, ks))
        nk = _number_key.current_nk(reg.conn, keys)
        _number_key.settle(ks, keys, reg.dek, nk if nk is not None else keys.nk)
        with db.transaction(reg.conn):
            audit.append(reg.conn, action="recovery.use", terminal_id=reg.terminal_id)
        return RecoveryAccess(reg, ks, nk)
    raise last_error or AuthError("回復用の鍵がありません。", code="E_RECOVERY_NO_SLOT")


def _head_if_bound(layout: RegisterLayout, ks: KeySlotFile) -> AuditHeadFile | None:
    """The audit head, when this terminal still has its secret (not after a reimage)."""
    store = secret_store_for(layout, ks.demo)
    try:
        secret = store.get(ks.register_id)
    except VaxDeskError:
        return None
    return audit_head_for(layout, ks.register_id, store, secret)


def _current_secret(store: TerminalSecretStore, register_id: str) -> bytes | None:
    try:
        return store.get(register_id)
    except VaxDeskError:
        return None


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
    each user (reset). Order (issue 11 item 7): the key is enrolled and the new slots are saved
    first, then the register records the new terminal, and the new terminal secret is written to
    the keyring last. A failed or cancelled enrolment therefore changes nothing (the old secret
    and slots still open the register on a terminal that was not reimaged); if the keyring write
    itself fails, the recovery slot is untouched and ``vaxdesk recover`` can simply be run again.
    Returns the new terminal id.
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
    store.check_usable()  # refuse an insecure keyring before anything is enrolled
    access_key = key or key_access_for(layout, ks.demo, prompt)
    secret = new_secret()  # held in memory until the slots are saved
    # A sync party keeps its id (its keys are in the register); only the secret is new.
    terminal_id = (
        reg.terminal_id if is_party_id(reg.terminal_id) else ORIGIN_PREFIX + os.urandom(6).hex()
    )
    admin = NewUser(user.login, user.display_name, user.staff_no, password, roles)
    slot = add_user_slot(
        ks.staging(),
        admin,
        dek=reg.dek,
        nk=access.nk,
        terminal_id=terminal_id,
        terminal_secret=secret,
        key=access_key,
        user_uid=users.uid_of(conn, user.id),
        allow_synced=synced_passkeys_allowed(conn),
    )

    def rebind(fresh: KeySlotFile) -> int:
        kept = [s for s in fresh.slots if s.kind != "user"]
        removed = len(fresh.slots) - len(kept)
        fresh.slots = [*kept, slot]
        return removed

    removed = ks.update(rebind, revoking=True)  # the old terminal's slots leave the .bak too
    with db.transaction(conn):
        register_meta.set_meta(conn, "terminal_id", terminal_id)
        if terminal_id != reg.terminal_id:
            terminals.insert(conn, terminal_id, "この端末（再登録）")
        audit.append(
            conn,
            action="terminal.rebind",
            terminal_id=terminal_id,
            user_id=user.id,
            detail={"removed_slots": removed},
        )
    reg.terminal_id = terminal_id
    old_secret = _current_secret(store, ks.register_id)
    store.put(ks.register_id, secret)
    carry_attempts(layout, ks, store, old_secret, secret)
    # The head restarts under the new terminal's key (the old one cannot be read any more).
    head = audit_head_for(layout, ks.register_id, store, secret)
    head.reset(conn)
    audit_head.track(conn, head)
    return terminal_id
