"""Administrator maintenance: encrypted backup and verified restore, audit-chain verification."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.errors import InvalidInput, RegisterError
from app.security import permissions as perm
from app.security.atomic import write_atomic
from app.security.session import Session, SessionView, session_of
from app.services import _audit
from app.store import audit, db
from app.store.backup_check import inspect_copy
from app.store.layout import RegisterLayout


class BackupTargetExists(InvalidInput):
    code = "E_BACKUP_EXISTS"


class RestoreRejected(RegisterError):
    code = "E_RESTORE_REJECTED"


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path
    keyslots_copy: Path
    size_bytes: int


def backup(session: Session | SessionView, out: Path) -> BackupInfo:
    """Write an encrypted copy of the register (SQLite backup API) and of keyslots.json."""
    session = session_of(session)
    _audit.require(session, perm.REGISTER_BACKUP, "register.backup")
    out = Path(out)
    keyslots_copy = out.with_name(out.name + ".keyslots.json")
    if out.exists() or keyslots_copy.exists():
        raise BackupTargetExists()
    reg = session.register
    _audit.record_now(session, "register.backup")
    db.backup_to(reg.conn, out, reg.dek)
    layout = RegisterLayout(reg.directory)
    write_atomic(keyslots_copy, layout.keyslots.read_bytes())
    return BackupInfo(out, keyslots_copy, out.stat().st_size)


def restore(session: Session | SessionView, source: Path) -> Path:
    """Replace the register with a verified backup. Returns where the previous file was kept.

    The backup must open with this register's key, pass SQLite's and SQLCipher's integrity
    checks, belong to this register and have a schema this code supports. Only then is the live
    file replaced atomically; the previous file is kept beside it, never deleted. The session's
    connection is closed: the user signs in again.
    """
    session = session_of(session)
    _audit.require(session, perm.REGISTER_RESTORE, "register.restore")
    reg = session.register
    source = Path(source)
    report = inspect_copy(source, reg.dek)
    same = report.register_id == reg.register_id
    if not report.healthy or not same:
        _audit.record_now(
            session,
            "register.restore",
            outcome="failed",
            detail={"problems": list(report.problems)[:5], "same_register": same},
        )
        raise RestoreRejected()

    layout = RegisterLayout(reg.directory)
    live = layout.database
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    kept = live.with_name(f"{live.name}.before-restore-{stamp}")
    tmp = live.with_name(f".{live.name}.restore-{stamp}.tmp")
    db.create_private_file(tmp)
    shutil.copyfile(source, tmp)
    with tmp.open("rb") as fh:
        os.fsync(fh.fileno())
    # Fold the WAL into the live file and leave WAL mode so no stale -wal outlives the swap.
    db.leave_wal(reg.conn)
    reg.close()
    db.create_private_file(kept)
    shutil.copyfile(live, kept)
    os.replace(tmp, live)
    conn = db.connect(live, reg.dek)
    try:
        with db.transaction(conn):
            audit.append(
                conn,
                action="register.restore",
                terminal_id=reg.terminal_id,
                user_id=session.user_id,
                detail={"kept_previous": kept.name},
            )
    finally:
        conn.close()
    return kept


@dataclass(frozen=True, slots=True)
class AuditChainCheck:
    """The result of recomputing the audit log's hash chain."""

    entries: int
    first_broken_seq: int | None  # None: every entry matches

    @property
    def intact(self) -> bool:
        return self.first_broken_seq is None


def verify_audit(session: Session | SessionView) -> AuditChainCheck:
    session = session_of(session)
    _audit.require(session, perm.AUDIT_READ, "audit.verify")
    chain = audit.verify_chain(session.register.conn)
    report = AuditChainCheck(chain.entries, chain.first_broken_seq)
    _audit.record_now(
        session,
        "audit.verify",
        outcome="ok" if report.intact else "failed",
        detail={"entries": report.entries, "first_broken": report.first_broken_seq},
    )
    return report
