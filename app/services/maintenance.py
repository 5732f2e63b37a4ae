"""Administrator maintenance: encrypted backup and verified restore, audit-chain verification."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.errors import InvalidInput, RegisterError
from app.security import permissions as perm
from app.security.atomic import write_atomic
from app.security.audit_head import DB_BEHIND, AuditHeadFile, HeadCheck
from app.security.session import Session, SessionView, session_of
from app.services import _audit
from app.services._terminal_state import audit_head_for
from app.services.register import secret_store_for
from app.store import audit, db, sync_outbox, sync_state
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


def _private_copy(source: Path, directory: Path) -> Path:
    """Copy ``source`` once into a new owner-only temporary file in ``directory``.

    The source is opened with ``O_NOFOLLOW`` (a symbolic link is refused) and must be a regular
    file; everything after this point (the checks and the swap) uses only the private copy, so
    the source being replaced after it was opened changes nothing (issue 11 item 6)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    if not hasattr(os, "O_NOFOLLOW") and source.is_symlink():
        raise RestoreRejected()
    try:
        src = os.open(source, flags)
    except OSError:  # ELOOP for a link, missing, unreadable: all refused the same way
        raise RestoreRejected() from None
    try:
        if not stat.S_ISREG(os.fstat(src).st_mode):
            raise RestoreRejected()
        fd, name = tempfile.mkstemp(prefix=".register.vxdb.restore-", suffix=".tmp", dir=directory)
        tmp = Path(name)
        try:
            with os.fdopen(fd, "wb") as out, os.fdopen(os.dup(src), "rb") as inp:
                shutil.copyfileobj(inp, out, 1 << 20)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    finally:
        os.close(src)
    return tmp


def restore(session: Session | SessionView, source: Path) -> Path:
    """Replace the register with a verified backup. Returns where the previous file was kept.

    The backup is first copied once (no symbolic link) into a private temporary file beside the
    register; that copy must open with this register's key, pass SQLite's and SQLCipher's
    integrity checks, belong to this register and have a schema this code supports. Only then is
    the live file replaced atomically by that same copy; the previous file is kept beside it,
    never deleted. The session's connection is closed: the user signs in again.
    """
    session = session_of(session)
    _audit.require(session, perm.REGISTER_RESTORE, "register.restore")
    reg = session.register
    layout = RegisterLayout(reg.directory)
    try:
        tmp = _private_copy(Path(source), layout.directory)
    except RestoreRejected:
        _audit.record_now(
            session,
            "register.restore",
            outcome="failed",
            detail={"problems": ["E_RESTORE_SOURCE"], "same_register": False},
        )
        raise
    try:
        report = inspect_copy(tmp, reg.dek)
        same = report.register_id == reg.register_id
        if not report.healthy or not same:
            _audit.record_now(
                session,
                "register.restore",
                outcome="failed",
                detail={"problems": list(report.problems)[:5], "same_register": same},
            )
            raise RestoreRejected()
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise

    live = layout.database
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    kept = live.with_name(f"{live.name}.before-restore-{stamp}")
    # Fold the WAL into the live file and leave WAL mode so no stale -wal outlives the swap.
    db.leave_wal(reg.conn)
    reg.close()
    db.create_private_file(kept)
    shutil.copyfile(live, kept)
    os.replace(tmp, live)
    conn = db.connect(live, reg.dek)
    try:
        head = _head_file(session)
        with db.transaction(conn):
            audit.append(
                conn,
                action="register.restore",
                terminal_id=reg.terminal_id,
                user_id=session.user_id,
                detail={"kept_previous": kept.name, "head_before": head.compare(conn).head_seq},
            )
        head.reset(conn)  # the restored copy's chain is the register's chain from now on
    finally:
        conn.close()
    return kept


@dataclass(frozen=True, slots=True)
class AuditChainCheck:
    """The result of recomputing the audit log's hash chain and comparing it with the head kept
    outside the database."""

    entries: int
    first_broken_seq: int | None  # None: every entry matches
    head_problem: str | None = None  # db_behind, diverged, head_missing, head_unauthenticated
    head_seq: int | None = None
    anchor_missed_seq: int | None = None  # the server-acknowledged head the chain does not reach

    @property
    def intact(self) -> bool:
        return (
            self.first_broken_seq is None
            and self.head_problem is None
            and self.anchor_missed_seq is None
        )


def _head_file(session: Session) -> AuditHeadFile:
    reg = session.register
    layout = RegisterLayout(reg.directory)
    store = secret_store_for(layout, reg.demo)
    return audit_head_for(layout, reg.register_id, store, store.get(reg.register_id))


def verify_audit(session: Session | SessionView) -> AuditChainCheck:
    """Check the hash chain in the database, then that it reaches the head kept outside it
    (``audit-head.json``, authenticated with this terminal's key): a database edited elsewhere,
    swapped for an older copy, cut off at the tail or rewritten is reported."""
    session = session_of(session)
    _audit.require(session, perm.AUDIT_READ, "audit.verify")
    conn = session.register.conn
    chain = audit.verify_chain(conn)
    check = _head_file(session).compare(conn)
    anchor = sync_state.audit_anchor(conn)  # the head the server acknowledged (sync)
    missed = None
    if anchor is not None and sync_outbox.audit_hash_at(conn, anchor[0]) != bytes.fromhex(
        anchor[1]
    ):
        missed = anchor[0]
    report = AuditChainCheck(
        chain.entries,
        chain.first_broken_seq if chain.first_broken_seq is not None else _first_bad(check),
        check.problem,
        check.head_seq,
        missed,
    )
    _audit.record_now(
        session,
        "audit.verify",
        outcome="ok" if report.intact else "failed",
        detail={
            "entries": report.entries,
            "first_broken": report.first_broken_seq,
            "head_problem": check.problem,
            "head_seq": check.head_seq,
            "anchor_missed": report.anchor_missed_seq,
        },
    )
    return report


def _first_bad(check: HeadCheck) -> int | None:
    """The entry number to name for a head problem (screens show "broken from entry no. N"):
    the first missing entry when the database is behind, the head's entry when the chain
    diverges from it, and for a missing or unreadable head file the last entry it can still be
    compared with (its keyring copy, else the database's last entry)."""
    if check.problem is None:
        return None
    if check.problem == DB_BEHIND:
        return check.db_seq + 1
    return check.head_seq if check.head_seq is not None else check.db_seq
