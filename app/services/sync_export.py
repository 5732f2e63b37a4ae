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
from app.services import _audit, _transfers, sync_identity
from app.services._retention_sync import purge_envelopes
from app.services.sync_quarantine import work_dir
from app.services.sync_records import EnvelopeMaker
from app.store import db, sync_outbox, sync_state
from app.store.layout import RegisterLayout
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


def current_server(conn: db.Connection) -> TrustParty:
    trust = sync_identity.stored_trust(conn)
    if trust is None:
        raise NoServerTrusted()
    return trust.server()


def package_file_name(sender: str, recipient: str, sequence: int) -> str:
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
    """Envelopes of the waiting changes, per package record type, with progress and cancel."""

    def __init__(
        self,
        conn: db.Connection,
        party_id: str,
        cipher: NumberCipher | None,
        total: int,
        progress: Progress | None,
        cancel: CancelCheck | None,
    ) -> None:
        self.conn, self.party_id, self.cipher = conn, party_id, cipher
        self.total, self.progress, self.cancel = total, progress, cancel
        self.done = 0
        self.by_type: dict[str, list[bytes]] = {}
        # postponed vaccinations met while reading the vaccinations, for the postponement member
        self.postponed: list[dict[str, Any]] | None = None

    def add(self, record_type: str, uid: bytes) -> None:
        self.by_type.setdefault(record_type, []).append(uid)

    def _tick(self) -> None:
        self.done += 1
        if self.done % PROGRESS_EVERY == 0:
            if self.cancel is not None and self.cancel():
                raise Cancelled()
            if self.progress is not None:
                self.progress(self.done, self.total)

    def source(self, package_type: str) -> Iterator[dict[str, Any]]:
        if package_type == "purge":  # retention purges (app/services/_retention_sync.py)
            for envelope in purge_envelopes(self.conn, self.by_type["purge"], self.party_id):
                self._tick()
                yield envelope
            return
        if package_type == "postponement" and self.postponed is not None:
            # read with the vaccinations (one pass over the rows)
            for envelope in self.postponed:
                self._tick()
                yield envelope
            self.postponed = None
            return
        register_type = "vaccination" if package_type == "postponement" else package_type
        uids = self.by_type.get(register_type, [])
        one_pass = package_type == "vaccination"
        outcome = None if one_pass else {"postponement": "postponed"}.get(package_type)
        names, rows = sync_outbox.read_rows(self.conn, register_type, uids, outcome=outcome)
        make = EnvelopeMaker(register_type, names, party_id=self.party_id, cipher=self.cipher)
        postponed: list[dict[str, Any]] | None = [] if one_pass else None
        for row in rows:
            if postponed is not None and make.postponed(row):
                postponed.append(make(row)[1])
                if len(postponed) > POSTPONED_KEPT:
                    postponed = None  # too many to keep: the postponement source reads them
                continue
            if one_pass and make.postponed(row):
                continue
            self._tick()
            yield make(row)[1]
        self.postponed = postponed

    def sources(self) -> list[tuple[str, Iterator[dict[str, Any]]]]:
        wanted = set(self.by_type) | ({"postponement"} if "vaccination" in self.by_type else set())
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
    keys: KeyPair = sync_identity.identity_keys(conn)
    server = current_server(conn)
    sent_dir = RegisterLayout(reg.directory).sync_sent
    sent_dir.mkdir(mode=0o700, exist_ok=True)
    cipher = NumberCipher(session.number_key()) if session.holds_number_key else None

    with sync_outbox.read_snapshot(conn):  # the rows, audit entries and counters agree
        chan = sync_state.channel(conn, server.id)
        sequence, ack = chan.last_sent_seq + 1, chan.last_applied_seq
        pending = sync_outbox.pending_keys(conn)
        up_to = sync_outbox.max_pending_id(conn)
        if cipher is None and any(t == "person_number" for t, _ in pending):
            raise VaxDeskError(
                "個人番号を含む変更は番号利用事務担当の操作でのみ送信できます。",
                code="E_SYNC_NUMBER_KEY",
            )
        records = _Records(conn, keys.party_id, cipher, len(pending), progress, cancel)
        for record_type, uid in pending:
            records.add(record_type, uid)
        head = sync_outbox.audit_head(conn)
        head_seq, head_hash = head if head is not None else (0, bytes(32))
        counter = [0]
        name = package_file_name(keys.party_id, server.id, sequence)
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
    server = current_server(reg.conn)
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


def forget_acknowledged(directory: Path, conn: db.Connection, peer_id: str, ack: int) -> None:
    """Remove kept copies of packages the peer has acknowledged."""
    sent_dir = RegisterLayout(directory).sync_sent
    for sent in sync_state.sent_packages(conn, peer_id):
        if sent.sequence <= ack:
            (sent_dir / sent.file_name).unlink(missing_ok=True)
