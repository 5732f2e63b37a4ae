"""A user's own second security key (``add_own_key``), re-authenticated (issue 11 item 3)."""

from __future__ import annotations

from app.errors import AuthError
from app.security.keyslots import KeySlotFile, Secrets, WrongSecret
from app.security.session import Session, SessionView, session_of
from app.services import _audit
from app.services.register import NewUser, add_user_slot, secret_store_for
from app.services.security_key import KeyAccess, unlock_slot
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
    secret = secret_store_for(RegisterLayout(reg.directory), ks.demo).get(ks.register_id)
    try:
        slot, fido_output = unlock_slot(ks, slots, existing)
        keys = ks.unwrap(
            slot, Secrets(password=password, terminal_secret=secret, fido_output=fido_output)
        )
        if keys.dek != reg.dek:
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
    add_user_slot(
        ks,
        NewUser(session.login, session.display_name, session.staff_no, password, roles),
        dek=keys.dek,
        nk=keys.nk,
        terminal_id=reg.terminal_id,
        terminal_secret=secret,
        key=new,
        user_uid=users.uid_of(reg.conn, session.user_id),
    )
    ks.save()
    _audit.record_now(
        session, "key.enroll", record_type="user", record_id=session.user_id, detail={"own": True}
    )
