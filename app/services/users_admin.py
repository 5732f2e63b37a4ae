"""Administrator work on staff users: create, reset, keys, deactivate, access review.

Creating a slot needs the register's DEK (every administrator session has it). Giving a user
number-use rights also needs NK, which administrators do not hold: the grant must be made with a
number-use staff member's session present (``number_holder``) or with the recovery code — a
two-person rule for access to 個人番号.

The errors, rows and results (``AccessRow``, ``Deactivation`` …) are defined in
``_users_admin_parts`` and imported from here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.errors import NotFound
from app.security import permissions as perm
from app.security import roles as role_defs
from app.security.keyslots import KeySlotFile
from app.security.session import Session, SessionView, session_of
from app.services import _audit
from app.services import _number_key as nk_rotation
from app.services import _users_admin_parts as _parts
from app.services._terminal_state import sign_count_marks_for
from app.services._transaction import write
from app.services.register import (
    POLICY_SYNCED_PASSKEYS,
    NewUser,
    add_user_slot,
    secret_store_for,
    synced_passkeys_allowed,
)
from app.services.security_key import KeyAccess, open_slot
from app.store import register_meta, stamps, users
from app.store.layout import RegisterLayout

# defined in _users_admin_parts; imported from here by callers
MAX_KEYS_PER_USER = _parts.MAX_KEYS_PER_USER
NK_DUE = _parts.NK_DUE
NK_ROTATED = _parts.NK_ROTATED
NK_UNAFFECTED = _parts.NK_UNAFFECTED
AccessRow = _parts.AccessRow
Deactivation = _parts.Deactivation
KeyInfo = _parts.KeyInfo
LastKey = _parts.LastKey
LoginTaken = _parts.LoginTaken
NumberGrantNeedsHolder = _parts.NumberGrantNeedsHolder
SelfDeactivation = _parts.SelfDeactivation
TooManyKeys = _parts.TooManyKeys
UnknownRole = _parts.UnknownRole
STALE_DAYS = 90


def create_user(
    session: Session | SessionView,
    user: NewUser,
    key: KeyAccess,
    *,
    number_holder: Session | SessionView | None = None,
    recovery_nk: bytes | None = None,
) -> int:
    """Add a staff user and enroll their first security key (the user is present)."""
    session = session_of(session)
    _audit.require(session, perm.USER_MANAGE, "user.create")
    defs = role_defs.load_roles()
    if not user.roles or any(r not in defs for r in user.roles):
        raise UnknownRole()
    nk = _parts.grant_number_key(session, user.roles, number_holder, recovery_nk)
    conn = session.register.conn
    if users.get_by_login(conn, user.login) is not None or users.staff_no_taken(
        conn, user.staff_no
    ):
        raise LoginTaken()
    uid = stamps.new_uid()
    ks = _parts.keyslots(session)
    reg = session.register
    secret = secret_store_for(RegisterLayout(reg.directory), ks.demo).get(ks.register_id)
    with write(session) as w:
        user_id = users.insert_user(
            w.conn,
            uid=uid,
            login=user.login,
            staff_no=user.staff_no,
            display_name=user.display_name,
            roles=user.roles,
            stamp=w.stamp,
            shared_account=user.shared_account,
        )
        # The key is enrolled inside the transaction: if it fails, no user row remains.
        slot = add_user_slot(
            ks.staging(),
            user,
            dek=reg.dek,
            nk=nk,
            terminal_id=reg.terminal_id,
            terminal_secret=secret,
            key=key,
            user_uid=uid,
            allow_synced=synced_passkeys_allowed(w.conn),
        )
        _audit.record(
            session,
            "user.create",
            record_type="user",
            record_id=user_id,
            detail={
                "roles": sorted(user.roles),
                "number_grant": nk is not None,
                "with_holder": number_holder.user_id if number_holder else None,
            },
        )
        ks.update(lambda fresh: fresh.slots.append(slot))
    return user_id


def reset_user(
    session: Session | SessionView,
    login: str,
    new_password: str,
    key: KeyAccess,
    *,
    number_holder: Session | SessionView | None = None,
    recovery_nk: bytes | None = None,
) -> None:
    """Replace all of a user's slots by one new slot (forgotten password or lost key)."""
    session = session_of(session)
    _audit.require(session, perm.USER_MANAGE, "user.reset")
    conn = session.register.conn
    row = users.get_by_login(conn, login)
    if row is None or not row.active:
        raise NotFound()
    ks = _parts.keyslots(session)
    # the roles bound into the user's slots, not the (editable) display table, when they agree
    bound = {tuple(sorted(s.roles)) for s in ks.user_slots(login) if s.roles is not None}
    roles = bound.pop() if len(bound) == 1 else tuple(users.roles_of(conn, row.id))
    nk = _parts.grant_number_key(session, roles, number_holder, recovery_nk)
    reg = session.register
    secret = secret_store_for(RegisterLayout(reg.directory), ks.demo).get(ks.register_id)
    slot = add_user_slot(
        ks.staging(),
        NewUser(login, row.display_name, row.staff_no, new_password, roles),
        dek=reg.dek,
        nk=nk,
        terminal_id=reg.terminal_id,
        terminal_secret=secret,
        key=key,
        user_uid=users.uid_of(conn, row.id),
        allow_synced=synced_passkeys_allowed(conn),
    )

    def replace(fresh: KeySlotFile) -> None:
        fresh.remove_user(login)
        fresh.slots.append(slot)

    ks.update(replace, revoking=True)
    _audit.record_now(session, "user.reset", record_type="user", record_id=row.id)


def add_key(
    session: Session | SessionView, login: str, password: str, existing: KeyAccess, new: KeyAccess
) -> None:
    """Enroll a second (backup) key for a user who is present: their password and a touch of
    their enrolled key open their own slot (which gives NK to number-use staff without a second
    person), then the new key is enrolled into a slot with the same password."""
    session = session_of(session)
    _audit.require(session, perm.KEY_MANAGE, "key.enroll")
    conn = session.register.conn
    row = users.get_by_login(conn, login)
    if row is None or not row.active:
        raise NotFound()
    ks = _parts.keyslots(session)
    slots = ks.user_slots(login)
    if len(slots) >= MAX_KEYS_PER_USER:
        raise TooManyKeys()
    reg = session.register
    secret = secret_store_for(RegisterLayout(reg.directory), ks.demo).get(ks.register_id)
    store = secret_store_for(RegisterLayout(reg.directory), ks.demo)
    marks = sign_count_marks_for(RegisterLayout(reg.directory), ks, store, secret)
    keys = open_slot(ks, slots, existing, password=password, terminal_secret=secret, marks=marks)
    # the new slot carries the roles bound into the slot that was opened (the table is a copy)
    roles = keys.roles if keys.roles is not None else tuple(users.roles_of(conn, row.id))
    slot = add_user_slot(
        ks.staging(),
        NewUser(login, row.display_name, row.staff_no, password, roles),
        dek=reg.dek,
        nk=nk_rotation.current_nk(conn, keys),
        terminal_id=reg.terminal_id,
        terminal_secret=secret,
        key=new,
        user_uid=users.uid_of(conn, row.id),
        allow_synced=synced_passkeys_allowed(conn),
    )
    ks.update(lambda fresh: _parts.append_below_limit(fresh, login, slot))
    _audit.record_now(session, "key.enroll", record_type="user", record_id=row.id)


def list_keys(session: Session | SessionView, login: str) -> list[KeyInfo]:
    """The security keys enrolled for a user (slot ids and enrolment times; no secret)."""
    session = session_of(session)
    _audit.require(session, perm.KEY_MANAGE, "key.list")
    session.touch()
    out = []
    for slot in _parts.keyslots(session).user_slots(login):
        factor = slot.fido_factor() or {}
        out.append(KeyInfo(slot.slot_id, slot.created_at, str(factor.get("backend", ""))))
    return out


def remove_key(
    session: Session | SessionView,
    login: str,
    slot_id: str,
    *,
    number_holder: Session | SessionView | None = None,
    recovery_nk: bytes | None = None,
) -> None:
    """Remove one of a user's keys. A key of a number-use slot could have been used to copy NK:
    NK is rotated (see ``deactivate_user``)."""
    session = session_of(session)
    _audit.require(session, perm.KEY_MANAGE, "key.remove")

    def remove(fresh: KeySlotFile) -> bool:
        slots = fresh.user_slots(login)
        if slot_id not in {s.slot_id for s in slots}:
            raise NotFound()
        if len(slots) == 1:
            raise LastKey()
        had_nk = nk_rotation.holds_number_key([s for s in slots if s.slot_id == slot_id])
        fresh.remove_slot(slot_id)
        return had_nk

    ks = _parts.keyslots(session)
    had_nk = ks.update(remove, revoking=True)
    row = users.get_by_login(session.register.conn, login)
    _audit.record_now(
        session, "key.remove", record_type="user", record_id=None if row is None else row.id
    )
    if had_nk:
        nk_rotation.after_removal(
            session, ks, reason="key.remove", holder=number_holder, recovery_nk=recovery_nk
        )


def deactivate_user(
    session: Session | SessionView,
    login: str,
    *,
    number_holder: Session | SessionView | None = None,
    recovery_nk: bytes | None = None,
) -> Deactivation:
    """The user's slots are removed at once: they can no longer open the register anywhere.

    A user who held NK may have kept a copy of it: NK is rotated now with an NK at hand (this
    session's, a present ``number_holder``'s or ``recovery_nk``), else at the first sign-in of a
    remaining number-use holder. The DEK they knew stays until a 鍵の更新 (``key_rotation``).
    The result says which happened (``number_key``), so that the screen can say so."""
    session = session_of(session)
    _audit.require(session, perm.USER_MANAGE, "user.deactivate")
    if login == session.login:
        raise SelfDeactivation()
    row = users.get_by_login(session.register.conn, login)
    if row is None:
        raise NotFound()
    ks = _parts.keyslots(session)

    def remove(fresh: KeySlotFile) -> tuple[int, bool]:
        had_nk = nk_rotation.holds_number_key(fresh.user_slots(login))
        return fresh.remove_user(login), had_nk

    removed, had_nk = ks.update(remove, revoking=True)
    with write(session):
        users.deactivate(session.register.conn, row.id)
        _audit.record(
            session,
            "user.deactivate",
            record_type="user",
            record_id=row.id,
            detail={"slots_removed": removed},
        )
    if not had_nk:
        return Deactivation(removed, NK_UNAFFECTED)
    rotation = nk_rotation.after_removal(
        session, ks, reason="user.deactivate", holder=number_holder, recovery_nk=recovery_nk
    )
    return Deactivation(removed, NK_DUE if rotation is None else NK_ROTATED)


def set_roles(
    session: Session | SessionView,
    login: str,
    roles: tuple[str, ...],
    password: str,
    key: KeyAccess,
) -> None:
    """Change roles with the user present: roles are bound into the key slot, so the user's
    password and a touch of their enrolled key re-wrap that slot with the new roles; the user's
    other slots (a backup key) still name the old roles and are removed (enrol it again).
    Adding number-use rights needs a reset with a number holder present (the slot must be
    re-wrapped with NK); removing them drops NK from the slot. The table is the display copy."""
    session = session_of(session)
    _audit.require(session, perm.USER_MANAGE, "user.roles")
    defs = role_defs.load_roles()
    if not roles or any(r not in defs for r in roles):
        raise UnknownRole()
    conn = session.register.conn
    row = users.get_by_login(conn, login)
    if row is None or not row.active:
        raise NotFound()
    before = tuple(users.roles_of(conn, row.id))
    if role_defs.needs_number_key(roles) and not role_defs.needs_number_key(before):
        raise NumberGrantNeedsHolder(
            "番号利用事務の権限を追加するには、番号利用事務担当者の立会いのもとで"
            "利用者の再登録（リセット）を行ってください。"
        )
    ks = _parts.keyslots(session)
    reg = session.register
    store = secret_store_for(RegisterLayout(reg.directory), ks.demo)
    secret = store.get(ks.register_id)
    marks = sign_count_marks_for(RegisterLayout(reg.directory), ks, store, secret)
    keys = open_slot(
        ks, ks.user_slots(login), key, password=password, terminal_secret=secret, marks=marks
    )

    def rebind(fresh: KeySlotFile) -> int:
        fresh.rebind_roles(keys.slot_id, keys.kek, roles, keep_nk=role_defs.needs_number_key(roles))
        others = [s.slot_id for s in fresh.user_slots(login) if s.slot_id != keys.slot_id]
        for slot_id in others:
            fresh.remove_slot(slot_id)
        return len(others)

    bound = keys.roles if keys.roles is not None else before
    dropping_nk = role_defs.needs_number_key(bound) and not role_defs.needs_number_key(roles)
    with write(session):
        users.set_roles(conn, row.id, roles)
        removed = ks.update(rebind, revoking=True)
        _audit.record(
            session,
            "user.roles",
            record_type="user",
            record_id=row.id,
            detail={
                "before": sorted(before),
                "after": sorted(roles),
                "slots_removed": removed,
            },
        )
    if dropping_nk:  # the user is present: their own slot gives the NK to rotate
        old_nk = nk_rotation.current_nk(conn, keys)
        nk_rotation.after_removal(session, ks, reason="user.roles", old_nk=old_nk)


def set_synced_passkeys_allowed(session: Session | SessionView, allowed: bool) -> None:
    """Allow or refuse synced passkeys (credentials flagged backup-eligible / backed up) for new
    enrolments. Off by default; every change is audited with the value before and after."""
    session = session_of(session)
    _audit.require(session, perm.USER_MANAGE, "policy.synced_passkeys")
    before = synced_passkeys_allowed(session.register.conn)
    with write(session) as w:
        register_meta.set_meta(w.conn, POLICY_SYNCED_PASSKEYS, "1" if allowed else "0")
        _audit.record(
            session, "policy.synced_passkeys", detail={"before": before, "after": allowed}
        )


def access_review(session: Session | SessionView) -> list[AccessRow]:
    """Who has which rights, their keys, last login, shared accounts and stale accounts."""
    session = session_of(session)
    _audit.require(session, perm.ACCESS_REVIEW, "access.review")
    conn = session.register.conn
    ks = _parts.keyslots(session)
    cutoff = (datetime.now(UTC) - timedelta(days=STALE_DAYS)).strftime("%Y-%m-%d %H:%M:%S")
    out = []
    for u in users.list_users(conn):
        roles = tuple(users.roles_of(conn, u.id))
        out.append(
            AccessRow(
                user_id=u.id,
                login=u.login,
                staff_no=u.staff_no,
                display_name=u.display_name,
                roles=roles,
                active=bool(u.active),
                keys=len(ks.user_slots(u.login)),
                last_login_at=u.last_login_at,
                shared_account=bool(u.shared_account),
                stale=bool(u.active) and (u.last_login_at is None or u.last_login_at < cutoff),
                holds_number_rights=role_defs.needs_number_key(roles),
            )
        )
    _audit.record_now(session, "access.review", detail={"users": len(out)})
    return out
