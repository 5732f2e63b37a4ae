"""The administrator's enrolment policy as the 管理 screen reads it: are synced passkeys
(credentials flagged backup-eligible / backed up, BE/BS) allowed for new key enrolments?

Changing it is ``users_admin.set_synced_passkeys_allowed`` (audited with the value before and
after); this module only reads it, under the same permission (``user.manage``), with denials
audited like every other service."""

from __future__ import annotations

from app.security import permissions as perm
from app.security.session import Session, SessionView, session_of
from app.services import _audit
from app.services.register import synced_passkeys_allowed


def synced_passkeys(session: Session | SessionView) -> bool:
    """True when an administrator allowed synced passkeys (off by default)."""
    session = session_of(session)
    _audit.require(session, perm.USER_MANAGE, "policy.synced_passkeys.read")
    return synced_passkeys_allowed(session.register.conn)
