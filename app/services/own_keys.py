"""A user's own second security key (``add_own_key``), re-authenticated (issue 11 item 3)."""

from __future__ import annotations

from app.errors import AuthError
from app.security.keyslots import KeySlotFile, WrongSecret
from app.security.session import Session, SessionView, session_of
from app.services import _audit, _number_key
from app.services._terminal_state import sign_count_marks_for
from app.services.register import (
    NewUser,
    add_user_slot,
    secret_store_for,
    synced_passkeys_allowed,
)
from app.services.security_key import KeyAccess, open_slot
from app.services.users_admin import MAX_KEYS_PER_USER, TooManyKeys
from app.store import users
from app.store.layout import RegisterLayout


def _keyslots(session: Session) -> KeySlotFile:
    return KeySlotFile.load(RegisterLayout(session.register.directory).keyslots)


def add_own_key(
    session: Session | SessionView, password: str, existing: KeyAccess, new: KeyAccess
) -> None:
    """A user enrolls a second key for themself, re-authenticated: their password and a touch
    of an enrolled key must open one of their slots (the same register key as this session)
    before the new key is enrolled. A failed re-authentication is audited and adds nothing.

    Audited and visible in the access review; administrators remove keys with ``remove_key``."""
    session = session_of(session)
    session.touch()
    ks = _keyslots(session)
    slots = ks.user_slots(session.login)
    if len(slots) >= MAX_KEYS_PER_USER:
        raise TooManyKeys()
    reg = session.register
    layout = RegisterLayout(reg.directory)
    store = secret_store_for(layout, ks.demo)
    secret = store.get(ks.register_id)
    try:
        marks = sign_count_marks_for(layout, ks, store, secret)
        keys = open_slot(
            ks, slots, existing, password=password, terminal_secret=secret, marks=marks
        )
        if reg.dek not in _number_key.current_dek_first(keys):
            raise WrongSecret()
    except AuthError as exc:
        _audit.record_now(
            session,
            "key.enroll",
            outcome="failed",
            record_type="user",
            record_id=session.user_id,
            detail={"code": exc.code, "own": True},
        )
        raise
    roles = keys.roles if keys.roles is not None else tuple(sorted(session.roles))
    slot = add_user_slot(
        ks.staging(),
        NewUser(session.login, session.display_name, session.staff_no, password, roles),
        dek=reg.dek,
        nk=_number_key.current_nk(reg.conn, keys),
        terminal_id=reg.terminal_id,
        terminal_secret=secret,
        key=new,
        user_uid=users.uid_of(reg.conn, session.user_id),
        allow_synced=synced_passkeys_allowed(reg.conn),
    )

    def append(fresh: KeySlotFile) -> None:
        if len(fresh.user_slots(session.login)) >= MAX_KEYS_PER_USER:
            raise TooManyKeys()
        fresh.slots.append(slot)

    ks.update(append)
    _audit.record_now(
        session, "key.enroll", record_type="user", record_id=session.user_id, detail={"own": True}
    )
