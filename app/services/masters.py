"""Master data for entry screens: 医療機関 and lots of a product (read-only)."""

from __future__ import annotations

from dataclasses import dataclass

from app.security import permissions as perm
from app.security.session import Session, SessionView, session_of
from app.services import _audit
from app.store import masters


@dataclass(frozen=True, slots=True)
class Institution:
    code: str
    name: str


def institutions(session: Session | SessionView) -> list[Institution]:
    session = session_of(session)
    _audit.require(session, perm.VACCINATION_READ, "masters.read")
    session.touch()
    return [Institution(r.code, r.name) for r in masters.institutions(session.register.conn)]
