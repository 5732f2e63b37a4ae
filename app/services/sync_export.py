"""Export (PACKAGE-FORMAT.md §2–§3, §6): every local change not yet in a package, the audit entries
since the head the server acknowledged, the next sequence and the current ``ack``, in one
``changes`` package for the trusted server.

Order, so that a crash at any point leaves something consistent: (1) the package is built from one
read snapshot into the register's ``sync-sent`` folder (atomic write); (2) one transaction marks
the outbox rows with the sequence, records the package in the channel state and appends the audit
entry; (3) the file is copied atomically to the chosen folder. A crash before (2) leaves an unused
file that the next export replaces; after (2), ``resend`` copies the kept file again. Kept copies
are removed once the server acknowledges them. Cancelling before (2) leaves nothing.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.errors import VaxDeskError
from app.security import permissions as perm
from app.security.person_numbers import NumberCipher
from app.security.session import Session, SessionView, session_of
from app.services import _audit, _sync_identity, _transfers
from app.services._retention_sync import purge_envelopes
from app.services._sync_quarantine import work_dir
from app.services._sync_records import EnvelopeMaker, line_shape
from app.store import db, sync_lines, sync_outbox, sync_state
from app.store.layout import RegisterLayout
from app.sync.errors import PackageError
from app.sync.keys import KeyPair
from app.sync.schemas import RECORD_TYPES
from app.sync.trust import TrustParty
from app.sync.writer import build_package

Progress = Callable[[int, int], None]
CancelCheck = Callable[[], bool]
PROGRESS_EVERY = 2000
POSTPONED_KEPT = 50_000


class NoServerTrusted(VaxDeskError):
    code = "E_SYNC_NO_SERVER"
    message_ja = (
        "信頼するサーバーが登録されていません。サーバーからの信頼リストを取り込んでください。"
    )
    exit_code = 78


class Cancelled(VaxDeskError):
    code = "E_CANCELLED"
    message_ja = "中止しました。台帳は変更していません。"
    exit_code = 75


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


def _audit_lines(conn: db.Connection, after_seq: int, counter: list[int]) -> Iterator[Any]:
    for row in sync_outbox.audit_since(conn, after_seq):
        counter[0] += 1
        yield {
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


class _Records:
    """The lines of the waiting changes, per package record type, with progress and cancel.

    Each record type is read in one ordered pass: the waiting rows' ids (named by the outbox;
    entries queued before migration 0007 looked up by uid), then their lines as SQLite builds
    them (``sync_lines``). Postponed vaccinations come in the
    same pass as the given ones and are kept for the postponement member (read again by their
    ids when there are more than ``POSTPONED_KEPT``). Personal numbers, decrypted with the
    session's number key, take the per-row path."""

    def __init__(
        self,
        conn: db.Connection,
        party_id: str,
        cipher: NumberCipher | None,
        up_to: int,
        progress: Progress | None,
        cancel: CancelCheck | None,
    ) -> None:
        self.conn, self.party_id, self.cipher = conn, party_id, cipher
        self.progress, self.cancel = progress, cancel
        self.types = sync_lines.pending_types(conn, up_to)
        self._ids = {
            t: sync_lines.pending_row_ids(conn, t, up_to)
            for t in self.types
            if t in sync_outbox.RECORD_TABLES
        }
        # this terminal's retention purges (app/services/_retention_sync.py), by outbox uid
        self._purges = (
            sync_lines.pending_uids(conn, "purge", up_to) if "purge" in self.types else []
        )
        self.total = sum(len(ids) for ids, _ in self._ids.values()) + len(self._purges)
        self.done = 0
        # postponed vaccination rows met in the vaccination pass: (ids, lines or None)
        self._postponed: tuple[list[int], list[Any] | None] = ([], [])

    def _tick(self) -> None:
        self.done += 1
        if self.done % PROGRESS_EVERY == 0:
            if self.cancel is not None and self.cancel():
                raise Cancelled()
            if self.progress is not None:
                self.progress(self.done, self.total)

    def _keep(self, row_id: int, line: Any) -> None:
        ids, kept = self._postponed
        ids.append(row_id)
        if kept is not None:
            kept.append(line)
            if len(kept) > POSTPONED_KEPT:
                self._postponed = (ids, None)  # too many to keep: read again by their ids

    def _lines(
        self,
        register_type: str,
        package_type: str,
        ids: list[int],
        pending: set[bytes] | None = None,
        *,
        again: bool = True,
    ) -> Iterator[bytes | dict[str, Any]]:
        """The lines of rows ``ids``. With ``pending`` (the uids of the changes; used up), a row
        is sent only when its uid is one of them and not sent yet, and pending records not met
        (an outbox row id that was wrong) are then looked up by uid and sent: row ids of synced
        records do not change, but a wrong id must neither lose nor misplace a change."""
        names = sync_outbox.export_names(self.conn, register_type)
        shape = line_shape(register_type, names, package_type)
        alternate = None
        if package_type == "vaccination":
            alternate = line_shape(register_type, names, "postponement")
        tick, keep = self._tick, self._keep
        check = pending is not None
        todo: set[bytes] = set() if pending is None else pending
        if shape is None or (package_type == "vaccination" and alternate is None):
            make = EnvelopeMaker(register_type, names, party_id=self.party_id, cipher=self.cipher)
            i_id, i_uid = names.index("id"), names.index("uid")
            for row in sync_outbox.rows_by_ids(self.conn, register_type, ids):
                if check:
                    if row[i_uid] not in todo:
                        continue
                    todo.discard(row[i_uid])
                if package_type == "vaccination" and make.postponed(row):
                    keep(int(row[i_id]), make(row)[1])
                else:
                    tick()
                    yield make(row)[1]
        else:
            try:
                for row_id, postponed, uid, line in sync_lines.json_lines(
                    self.conn, shape, ids, self.party_id, alternate=alternate
                ):
                    if check:
                        if uid not in todo:
                            continue
                        todo.discard(uid)
                    if postponed:
                        keep(row_id, line)
                    else:
                        tick()
                        yield line
            except sync_lines.UnexportableValue:
                raise PackageError(
                    "E_RECORD_SCHEMA", f"records/{package_type}.jsonl に送信できない値があります"
                ) from None
        if todo and again:
            found = sync_lines.row_ids_of(self.conn, register_type, todo)
            yield from self._lines(register_type, package_type, found, todo, again=False)

    def source(self, package_type: str) -> Iterator[bytes | dict[str, Any]]:
        if package_type == "purge":
            uids, self._purges = self._purges, []
            for envelope in purge_envelopes(self.conn, uids, self.party_id):
                self._tick()
                yield envelope
            return
        if package_type == "postponement":
            ids, kept = self._postponed
            self._postponed = ([], [])
            if kept is None:
                yield from self._lines("vaccination", "postponement", ids)
                return
            for line in kept:
                self._tick()
                yield line
            return
        ids, pending = self._ids.pop(package_type, ([], set()))
        yield from self._lines(package_type, package_type, ids, pending)

    def sources(self) -> list[tuple[str, Iterator[bytes | dict[str, Any]]]]:
        wanted = set(self._ids) | ({"postponement"} if "vaccination" in self._ids else set())
        if self._purges:
            wanted.add("purge")
        return [(t, self.source(t)) for t in RECORD_TYPES if t in wanted]


def _copy_atomic(source: Path, target: Path) -> None:
    """Temporary file beside ``target``, fsync, rename; a temporary file of an earlier copy of
    the same package that was killed half-way is removed first."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(f".{target.name}.*.tmp"):
        stale.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out, source.open("rb") as src:
            shutil.copyfileobj(src, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
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

    with sync_outbox.read_snapshot(conn):  # the rows, audit entries and counters agree
        chan = sync_state.channel(conn, server.id)
        sequence, ack = chan.last_sent_seq + 1, chan.last_applied_seq
        up_to = sync_outbox.max_pending_id(conn)
        records = _Records(conn, keys.party_id, cipher, up_to, progress, cancel)
        if cipher is None and "person_number" in records.types:
            raise VaxDeskError(
                "個人番号を含む変更は番号利用事務担当の操作でのみ送信できます。",
                code="E_SYNC_NUMBER_KEY",
            )
        head = sync_outbox.audit_head(conn)
        head_seq, head_hash = head if head is not None else (0, bytes(32))
        counter = [0]
        name = _package_file_name(keys.party_id, server.id, sequence)
        built = build_package(
            sent_dir / name,
            sender=keys,
            recipient=server.public,
            sequence=sequence,
            ack=ack,
            kind="changes",
            records=records.sources(),
            audit=_audit_lines(conn, chan.audit_ack_seq, counter),
            manifest_extra={"audit_head": {"seq": head_seq, "hash": head_hash.hex()}},
            tmp_dir=work_dir(reg.directory),
        )
    if cancel is not None and cancel():
        (sent_dir / name).unlink(missing_ok=True)
        raise Cancelled()

    with db.transaction(conn):
        sync_outbox.assign_package(conn, sequence, up_to)
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
    target = Path(out_dir) / name
    _copy_atomic(sent_dir / name, target)
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
