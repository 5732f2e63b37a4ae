"""The register the permission tests run against (``World``: sessions of every role, the people
and rows the calls need, a test server's trust and update), the roles, the shared inputs, and the
permission-matrix calls that take more than one line (re-authentication, retention's preview and
purge, restore, 鍵の更新). The matrix's rows are in ``tests.support.permission_matrix``."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from app.security.fido import RecordingPrompt
from app.security.keyslots import KeySlotFile
from app.security.session import Session
from app.services import key_rotation, login_flow, maintenance, results, retention
from app.services.register import NewUser
from app.store import media_ledger, sync_apply
from tests.support.registers import USERS, login_as, software_key
from tests.support.sync_env import SyncEnv

ROLES = ("admin", "clerk", "nurse", "number", "auditor")
ON = date(2026, 6, 1)
NUMBER = "123456789018"
OTHER_NUMBER = "000000000019"


@dataclasses.dataclass
class World:
    directory: Path
    out: Path
    sessions: dict[str, Session]
    taro: int
    hanako: int
    jiro: int
    to_correct: int
    to_void: int
    to_withdraw: int
    listing: Any
    correction: Path
    catalog_preview: Any
    sync: SyncEnv
    trust_dir: Path
    update: Path
    decision: Any  # the mr1 list decided, its rows not read (unvaccinated.entries)

    def conflict_id(self) -> int:
        return sync_apply.conflicts(self.sessions["admin"].register.conn)[0].id

    def import_entry(self) -> int:
        conn = self.sessions["admin"].register.conn
        return media_ledger.entries(conn, direction="import")[0].id

    def file(self, role: str, name: str) -> Path:
        return self.out / f"{role}-{name}"

    def second_slot(self, login: str) -> str:
        return KeySlotFile.load(self.directory / "keyslots.json").user_slots(login)[-1].slot_id


Call = Callable[[World, Session, str], object]


def _key(w: World) -> Any:
    return software_key(w.directory)


def _reauth(w: World, s: Session, role: str) -> object:
    unlock = login_flow.reauthenticator(
        s, RecordingPrompt(), threading.Event(), key_factory=lambda: software_key(w.directory)
    )
    return unlock(s.login, USERS[role].password)


_PREVIEWS: dict[int, Any] = {}  # the administrator's preview, for the purge row after it


def _preview(w: World, s: Session) -> object:
    _PREVIEWS[id(w)] = previewed = retention.preview(s)
    return previewed


def _purge(w: World, s: Session) -> object:
    previewed = _PREVIEWS[id(w)]
    return retention.purge(s, previewed, previewed.counts)


def _restore(w: World, s: Session, role: str) -> object:
    """The last row: the other sessions sign out first (a restore swaps the file)."""
    if role in RESTORERS:
        for other in w.sessions.values():
            if other is not s:
                other.register.close()
    return maintenance.restore(s, w.file("admin", "backup.db"))


RESTORERS = frozenset({"admin"})


def _rekey(w: World, s: Session, role: str) -> object:
    """鍵の更新 needs every other session signed out; they sign in again afterwards (through
    the new DEK delivered to their slots)."""
    if role != "admin":
        return key_rotation.rekey_register(s)
    others = [r for r, other in w.sessions.items() if other is not s]
    for r in others:
        w.sessions[r].register.close()
    try:
        return key_rotation.rekey_register(s)
    finally:
        for r in others:
            w.sessions[r] = login_as(w.directory, r)


def _spare(n: int, roles: tuple[str, ...] = ("clerk",)) -> NewUser:
    return NewUser(f"spare{n}", f"予備 {n}", f"9100{n}", f"pw-spare-000{n}", roles)


_MR = results.ResultInput(
    series_id="mr1",
    product_id="mr",
    vaccinated_on=ON,
    institution_code="1310000001",
    lot_no="MR001",
    payment_month="2026-07",
)
_VZ = dataclasses.replace(_MR, series_id="varicella", product_id="varicella", lot_no="VZ001")
