"""The signed-in session: who, which roles and permissions, and which keys it holds.

Every service takes the Session and checks permissions itself (``require``). The number key NK
is held only by sessions whose roles include a ``mynumber.*`` permission.

The UI never holds a Session: it holds the ``SessionView`` (who, roles, permissions, the
register folder and demo flag; no DEK, no connection, no NK) that ``Session.view`` gives, and
passes it to the services, which reach the live Session with ``session_of``. ``end`` closes
the register and forgets the session, so a kept view opens nothing afterwards.
"""

from __future__ import annotations

import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import PermissionDenied
from app.security import permissions as perm
from app.store import db
from app.store.db import Connection

NUMBER_PREFIX = "mynumber."


@dataclass(eq=False)
class OpenRegister:
    """An open register: its folder, connection and identity. Owned by one session."""

    directory: Path
    conn: Connection
    register_id: str
    terminal_id: str
    demo: bool
    dek: bytes = field(repr=False)

    def close(self) -> None:
        db.set_commit_hook(self.conn, None)
        self.conn.close()


@dataclass(eq=False)
class Session:
    user_id: int
    login: str
    staff_no: str
    display_name: str
    roles: frozenset[str]
    permissions: frozenset[str]
    register: OpenRegister
    _nk: bytes | None = field(default=None, repr=False)
    started_at: float = field(default_factory=time.monotonic)
    last_activity: float = field(default_factory=time.monotonic)

    @property
    def holds_number_key(self) -> bool:
        return self._nk is not None

    def number_key(self) -> bytes:
        self.require(perm.MYNUMBER_READ)
        if self._nk is None:
            raise PermissionDenied()
        return self._nk

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    def require(self, permission: str) -> None:
        if permission not in self.permissions:
            raise PermissionDenied()

    def touch(self) -> None:
        self.last_activity = time.monotonic()

    def view(self) -> SessionView:
        """What the UI may hold of this session (no keys, no connection)."""
        return view_of(self)

    def forget_keys(self) -> None:
        """Drop NK (sign-out, idle lock); ``take_number_key`` brings it back at the unlock."""
        self._nk = None

    def take_number_key(self, nk: bytes | None) -> None:
        """NK unwrapped again at the unlock; kept only by a session whose roles use it."""
        needs = any(p.startswith(NUMBER_PREFIX) for p in self.permissions)
        self._nk = nk if needs else None


@dataclass(frozen=True, eq=False)
class SessionView:
    """What the UI holds of a session (see the module docstring)."""

    user_id: int
    login: str
    staff_no: str
    display_name: str
    roles: frozenset[str]
    permissions: frozenset[str]
    demo: bool
    directory: Path
    register_id: str

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    def require(self, permission: str) -> None:
        if permission not in self.permissions:
            raise PermissionDenied()


# view -> live session; an entry lives as long as the UI keeps the view and the session is open
_LIVE: weakref.WeakKeyDictionary[SessionView, Session] = weakref.WeakKeyDictionary()


def view_of(session: Session) -> SessionView:
    """The session's one view (made at the first call)."""
    for view, live in _LIVE.items():
        if live is session:
            return view
    reg = session.register
    view = SessionView(
        session.user_id,
        session.login,
        session.staff_no,
        session.display_name,
        session.roles,
        session.permissions,
        reg.demo,
        reg.directory,
        reg.register_id,
    )
    _LIVE[view] = session
    return view


def session_of(session: Session | SessionView) -> Session:
    """The live session behind a view (services only); an ended one is refused."""
    if isinstance(session, Session):
        return session
    live = _LIVE.get(session)
    if live is None:
        raise PermissionDenied()
    return live


def as_view(session: Session | SessionView) -> SessionView:
    """A view for the UI, also when a caller (a test, the CLI) hands over the session."""
    return session.view() if isinstance(session, Session) else session


def lock(session: Session | SessionView) -> None:
    """The idle lock: NK leaves memory until ``reauthenticate`` unwraps it again."""
    live = session if isinstance(session, Session) else _LIVE.get(session)
    if live is not None:
        live.forget_keys()


def end(session: Session | SessionView) -> None:
    """Sign out: drop NK, close the register, forget every view of it."""
    live = session if isinstance(session, Session) else _LIVE.get(session)
    if live is None:
        return
    live.forget_keys()
    live.register.close()
    for view in [v for v, s in _LIVE.items() if s is live]:
        del _LIVE[view]
