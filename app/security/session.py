"""The signed-in session: who, which roles and permissions, and which keys it holds.

Every service takes the Session and checks permissions itself (``require``). The number key NK
is held only by sessions whose roles include a ``mynumber.*`` permission.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import PermissionDenied
from app.security import permissions as perm
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

    def forget_keys(self) -> None:
        """Drop NK (sign-out, idle lock); ``take_number_key`` brings it back at the unlock."""
        self._nk = None

    def take_number_key(self, nk: bytes | None) -> None:
        """NK unwrapped again at the unlock; kept only by a session whose roles use it."""
        needs = any(p.startswith(NUMBER_PREFIX) for p in self.permissions)
        self._nk = nk if needs else None
