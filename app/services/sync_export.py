"""Export (PACKAGE-FORMAT.md §2–§3, §6): every local change not yet in a package, the audit entries
since the head the server acknowledged, the next sequence and the current ``ack``, in one
``changes`` package for the trusted server.

Order, so that a crash at any point leaves something consistent: one write transaction (taken
first, so every read sees one snapshot) (1) builds the package into the register's ``sync-sent``
folder (atomic write) while it marks the outbox rows with the sequence (on the other core, see
``_sync_export_records``), then (2) records the package in the channel state, appends the audit
entry and commits; (3) the file is copied atomically to the chosen folder. A crash before the
commit leaves an unused file that the next export replaces and nothing marked; after it,
``resend`` copies the kept file again. Kept copies are removed once the server acknowledges them.
Cancelling before the commit leaves nothing. The write lock is held while the package is built.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.errors import VaxDeskError
from app.security import permissions as perm
from app.security.person_numbers import NumberCipher
from app.security.session import Session, SessionView, session_of
from app.services import _audit, _sync_identity, _transfers
from app.services._sync_export_records import CancelCheck, Cancelled, Progress, Records
from app.services._sync_quarantine import work_dir
from app.store import db, outbox_lines, stored_line_reader, sync_outbox, sync_state
from app.store.layout import RegisterLayout
from app.sync.keys import KeyPair
from app.sync.trust import TrustParty
from app.sync.writer import build_package

__all__ = ["Cancelled", "ExportResult", "NoServerTrusted", "export_changes", "resend"]


#: Audit entries up to which the marking thread reads them into memory (about 0.5 KB each) so
#: that the audit member is made beside the records; a longer backlog streams after them.
AUDIT_AHEAD_MAX = 100_000


class NoServerTrusted(VaxDeskError):
    code = "E_SYNC_NO_SERVER"
    message_ja = (
        "信頼するサーバーが登録されていません。サーバーからの信頼リストを取り込んでください。"
    )
    exit_code = 78


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path
    package_id: str
    sequence: int
    ack: int
    records: int
    audit_entries: int
    peer_id: str


def _current_server(conn: db.Connection) -> TrustParty:
    trust = _sync_identity.stored_trust(conn)
    if trust is None:
        raise NoServerTrusted()
    return trust.server()


def _package_file_name(sender: str, recipient: str, sequence: int) -> str:
    return f"{sender}_{recipient}_{sequence:06d}.vxpkg"


def _audit_lines(records: Records, after_seq: int, counter: list[int]) -> Iterator[Any]:
    """The audit entries after ``after_seq``: the rows the marking thread fetched (then this
    never touches the connection), else read on the caller's connection."""
    fetched = records.fetched()
    rows = sync_outbox.audit_since(records.own_conn(), after_seq) if fetched is None else fetched
    for row in rows:
        counter[0] += 1
        yield _audit_entry(row)


def _audit_entry(row: sync_outbox.AuditRow) -> dict[str, Any]:
    """One audit entry of the package's audit member (PACKAGE-FORMAT.md §6)."""
    return {
        "seq": row.seq,
        "at": row.at,
        "user_id": row.user_id,
        "terminal_id": row.terminal_id,
        "action": row.action,
        "outcome": row.outcome,
        "person_id": row.person_id,
        "record_type": row.record_type,
        "record_id": row.record_id,
        "detail": row.detail,
        "prev_hash": row.prev_hash.hex(),
        "entry_hash": row.entry_hash.hex(),
    }


def _write_copy(source: Path, target: Path) -> Path:
    """``source`` copied into a temporary file beside ``target`` (fsync), not yet renamed; a
    temporary file of an earlier copy of the same package that was killed half-way is removed
    first."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(f".{target.name}.*.tmp"):
        stale.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out, source.open("rb") as src:
            shutil.copyfileobj(src, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _copy_atomic(source: Path, target: Path) -> None:
    """Temporary file beside ``target``, fsync, rename."""
    os.replace(_write_copy(source, target), target)


class _CopyBesideCommit:
    """The package copied to the chosen folder on a worker thread while the export records it
    and commits (the copy's write and fsync overlap the commit's). Only a temporary file is
    written until ``finish()`` renames it, after the commit; ``discard()`` (the export failed)
    removes it, so a package that was not committed never appears under its name."""

    def __init__(self, source: Path, target: Path) -> None:
        self.target = target
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="export-copy")
        self._tmp = self._pool.submit(_write_copy, source, target)

    def finish(self) -> None:
        try:
            tmp = self._tmp.result()
        finally:
            self._pool.shutdown(wait=True)
        os.replace(tmp, self.target)

    def discard(self) -> None:
        try:
            tmp = self._tmp.result()
        except BaseException:  # nothing written: the export's own error is raised
            return
        finally:
            self._pool.shutdown(wait=True)
        tmp.unlink(missing_ok=True)


@contextmanager
def _discarded_unless_committed() -> Iterator[list[_CopyBesideCommit]]:
    """Copies made inside (around the export's transaction) are discarded when it fails, the
    commit included."""
    copies: list[_CopyBesideCommit] = []
    try:
        yield copies
    except BaseException:
        for copy in copies:
            copy.discard()
        raise


def export_changes(
    session: Session | SessionView,
    out_dir: Path,
    *,
    progress: Progress | None = None,
    cancel: CancelCheck | None = None,
    approved_by: str | None = None,
) -> ExportResult:
    """Write the next ``changes`` package for the server into ``out_dir``. With ``approved_by``
    (the approving staff member's number) the transfer is entered in the media ledger."""
    session = session_of(session)
    _audit.require(session, perm.SYNC_EXPORT, "sync.export")
    if approved_by is not None:
        _transfers.approver_id(session, approved_by)
    reg = session.register
    conn = reg.conn
    keys: KeyPair = _sync_identity.identity_keys(conn)
    server = _current_server(conn)
    sent_dir = RegisterLayout(reg.directory).sync_sent
    sent_dir.mkdir(mode=0o700, exist_ok=True)
    cipher = NumberCipher(session.number_key()) if session.holds_number_key else None

    # One write transaction from the start: the reads see one snapshot, the stored lines are read
    # on a second connection on that same snapshot (no commit can come between while the lock is
    # held) while this one marks the entries (module text).
    with _discarded_unless_committed() as copies, db.transaction(conn):
        chan = sync_state.channel(conn, server.id)
        sequence, ack = chan.last_sent_seq + 1, chan.last_applied_seq
        up_to = sync_outbox.max_pending_id(conn)
        head = sync_outbox.audit_head(conn)
        head_seq, head_hash = head if head is not None else (0, bytes(32))
        database = RegisterLayout(reg.directory).database
        # from here, this connection is used on the marking thread until ``own_conn`` returns
        records = Records(
            conn,
            keys.party_id,
            cipher,
            up_to,
            progress,
            cancel,
            reader=lambda: stored_line_reader.snapshot_reader(conn, database, reg.dek),
            mark=lambda: sync_outbox.assign_package(conn, sequence, up_to),
            fetch=(
                (lambda: list(sync_outbox.audit_since(conn, chan.audit_ack_seq)))
                if head_seq - chan.audit_ack_seq <= AUDIT_AHEAD_MAX
                else None
            ),
        )
        name = _package_file_name(keys.party_id, server.id, sequence)
        try:
            if cipher is None and "person_number" in records.types:
                raise VaxDeskError(
                    "個人番号を含む変更は番号利用事務担当の操作でのみ送信できます。",
                    code="E_SYNC_NUMBER_KEY",
                )
            counter = [0]
            built = build_package(
                sent_dir / name,
                sender=keys,
                recipient=server.public,
                sequence=sequence,
                ack=ack,
                kind="changes",
                records=records.sources(),
                audit=_audit_lines(records, chan.audit_ack_seq, counter),
                manifest_extra={"audit_head": {"seq": head_seq, "hash": head_hash.hex()}},
                tmp_dir=work_dir(reg.directory),
                # the audit member beside the records when its rows come from the marking thread
                audit_ahead=records.fetching,
            )
            records.finish_marking()
        finally:
            records.close()  # before this connection is used again or rolled back
        if cancel is not None and cancel():
            (sent_dir / name).unlink(missing_ok=True)
            raise Cancelled()
        copy = _CopyBesideCommit(sent_dir / name, Path(out_dir) / name)
        copies.append(copy)
        outbox_lines.forget_packaged(conn, up_to)
        sync_state.record_sent(
            conn,
            sync_state.SentPackage(
                peer_id=server.id,
                sequence=sequence,
                package_id=built.package_id,
                header_sha256=hashlib.sha256(built.header).hexdigest(),
                created_at=sync_state.utc_now(),
                records=records.done,
                audit_from_seq=chan.audit_ack_seq + 1,
                audit_head_seq=head_seq,
                audit_head_hash=head_hash.hex(),
                file_name=name,
            ),
        )
        _audit.record(
            session,
            "sync.export",
            detail={
                "peer": server.id,
                "sequence": sequence,
                "ack": ack,
                "package_id": built.package_id,
                "records": records.done,
                "audit_entries": counter[0],
                "audit_head": head_seq,
            },
        )
        if approved_by is not None:
            _transfers.record_transfer(
                session,
                direction="export",
                path=Path(out_dir) / name,
                package_id=built.package_id,
                sequence=sequence,
                approved_by=approved_by,
            )
    copy.finish()
    target = copy.target
    if progress is not None:
        progress(records.done, records.done)
    return ExportResult(
        target, built.package_id, sequence, ack, records.done, counter[0], server.id
    )


def resend(session: Session | SessionView, out_dir: Path) -> list[Path]:
    """Copy every written but unacknowledged package again (a lost file, a broken medium)."""
    session = session_of(session)
    _audit.require(session, perm.SYNC_EXPORT, "sync.resend")
    reg = session.register
    server = _current_server(reg.conn)
    chan = sync_state.channel(reg.conn, server.id)
    sent_dir = RegisterLayout(reg.directory).sync_sent
    copied = []
    for sent in sync_state.sent_packages(reg.conn, server.id, after_seq=chan.acked_seq):
        source = sent_dir / sent.file_name
        if source.is_file():
            target = Path(out_dir) / sent.file_name
            _copy_atomic(source, target)
            copied.append(target)
    _audit.record_now(
        session,
        "sync.resend",
        detail={"peer": server.id, "sequences": [p.name[-13:-6] for p in copied]},
    )
    return copied
