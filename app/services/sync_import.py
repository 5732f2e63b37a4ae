"""Import a server package (PACKAGE-FORMAT.md §4–§6) into the register.

The package layer runs every check of §4 in order against this register's channel state (the
sequence step reads ``sync_applied``). Then, in one transaction: a newer trust file from the
package (§5), the ``ack`` (our outbox up to that sequence is acknowledged), the ``audit_ack``
(§6), every record (_sync_apply), the applied package and the audit entry. A whole-package failure
changes no record: its audit entry is the only write, and the file is moved to the register's
quarantine folder with a report. An identical header already applied reports "already imported"
and changes nothing. An ``initial`` package (a full load, ``_sync_initial``) is applied only to a
register without residents or records: otherwise E_SYNC_INITIAL_NOT_EMPTY, audited, nothing
changed, and the sound file stays where it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.security import permissions as perm
from app.security.person_numbers import NumberCipher
from app.security.session import Session, SessionView, session_of
from app.services import _audit, _sync_identity, _transfers
from app.services._sync_apply import (
    CancelCheck,
    Progress,
    apply_package,
)
from app.services._sync_hub_conflicts import queue_hub_conflicts
from app.services._sync_initial import InitialNotEmpty, apply_initial
from app.services._sync_quarantine import forget_acknowledged, quarantine_file, work_dir
from app.services.sync_export import NoServerTrusted
from app.store import db, initial_load, sync_state
from app.sync.channel import Applied, Outcome
from app.sync.errors import PackageError
from app.sync.opened import OpenedPackage
from app.sync.reader import open_package
from app.sync.trust import Trust, verify_trust

# An initial load runs with a rollback journal (app.store.initial_load.load_journal).
LOAD_JOURNAL = True
# An updates package's member checks run on a worker thread while it is applied (app.sync.deferred;
# apply_package waits for their verdict before the commit). False: checked first (tests compare).
DEFER_UPDATES = True


class RegisterChannel:
    """``ChannelState`` over the register's ``sync_applied`` table."""

    def __init__(self, conn: db.Connection) -> None:
        self.conn = conn

    def last_applied(self, sender_id: str) -> int:
        return sync_state.channel(self.conn, sender_id).last_applied_seq

    def applied(self, sender_id: str, sequence: int) -> Applied | None:
        row = sync_state.applied_by_sequence(self.conn, sender_id, sequence)
        return None if row is None else Applied(row.package_id, row.header_sha256)

    def sequence_of(self, sender_id: str, package_id: str) -> int | None:
        row = sync_state.applied_by_package_id(self.conn, package_id)
        return None if row is None or row.peer_id != sender_id else row.sequence


@dataclass(frozen=True, slots=True)
class ImportResult:
    package_id: str
    sender: str
    kind: str
    sequence: int
    already_imported: bool
    applied: int = 0
    unchanged: int = 0
    quarantined: int = 0
    conflicts: int = 0
    acknowledged: int = 0
    trust_version: int | None = None
    by_type: dict[str, int] = field(default_factory=dict)


def _refuse(session: Session, path: Path, exc: PackageError) -> None:
    """Audit the refusal (the only write) and move the file to the quarantine folder."""
    report_name = None
    try:
        report_name = quarantine_file(session.register.directory, path, exc).file_name
    finally:
        _audit.record_now(
            session,
            "sync.import",
            outcome="failed",
            detail={
                "code": exc.code,
                "step": getattr(exc, "step", ""),
                "quarantined": report_name,
            },
        )


def _newer_trust(opened: OpenedPackage, current: Trust) -> Trust | None:
    files = opened.trust_files()
    if files is None or current.same_as(*files):
        return None
    raw, sig = files
    if raw == current.raw:
        return None
    return verify_trust(raw, sig, current)


def _audit_ack(manifest: dict[str, Any], party_id: str) -> dict[str, Any] | None:
    ack = manifest.get("audit_ack")
    if ack is None:
        return None
    if ack["terminal"] != party_id:
        raise PackageError("E_MANIFEST", "audit_ack が別の端末宛てです", step="audit_ack")
    return dict(ack)


def _check_header(opened: OpenedPackage, last_sent: int) -> None:
    header = opened.header
    if header.kind == "changes":
        raise PackageError("E_HEADER", "端末は changes パッケージを取り込みません", step="kind")
    if header.ack > last_sent:
        raise PackageError(
            "E_HEADER",
            f"受領確認 {header.ack} は送信済みの通番 {last_sent} を超えています",
            step="ack",
        )


def checkpoint(session: Session | SessionView) -> int:
    """Fold the WAL of the session's register back into the file (after an import, at idle;
    PASSIVE: it never waits for a reader); the frames the WAL held. Part of an import: the same
    permission."""
    session = session_of(session)
    _audit.require(session, perm.SYNC_IMPORT, "sync.import")
    return db.checkpoint(session.register.conn)


def import_package(
    session: Session | SessionView,
    path: Path,
    *,
    progress: Progress | None = None,
    cancel: CancelCheck | None = None,
    approved_by: str | None = None,
) -> ImportResult:
    """Verify and apply one ``updates`` or ``initial`` package from the trusted server. With
    ``approved_by`` (the approving staff member's number) the transfer is entered in the media
    ledger."""
    session = session_of(session)
    _audit.require(session, perm.SYNC_IMPORT, "sync.import")
    if approved_by is not None:
        _transfers.approver_id(session, approved_by)
    reg = session.register
    conn = reg.conn
    path = Path(path)
    keys = _sync_identity.identity_keys(conn)
    trust = _sync_identity.stored_trust(conn)
    if trust is None:
        raise NoServerTrusted()
    cipher = NumberCipher(session.number_key()) if session.holds_number_key else None
    try:
        opened = open_package(
            path,
            trust=trust,
            identity=keys,
            channel=RegisterChannel(conn),
            tmp_dir=work_dir(reg.directory),
            defer_initial=True,  # an initial load checks its lines while it applies them
            defer_updates=DEFER_UPDATES,  # so does an updates package (apply_package waits)
        )
    except PackageError as exc:
        _refuse(session, path, exc)
        raise
    failure: PackageError | None = None
    # an updates import's commit is durable in the WAL; folding the WAL back into the file (the
    # checkpoint) is left to ``checkpoint`` at idle, the next commit or the close
    with opened, db.checkpoint_deferred(conn, opened.header.kind == "updates"):
        header = opened.header
        if opened.outcome is Outcome.ALREADY_IMPORTED:
            _audit.record_now(
                session,
                "sync.import",
                detail={
                    "package_id": header.package_id,
                    "sequence": header.sequence,
                    "already_imported": True,
                },
            )
            return ImportResult(
                header.package_id, header.sender_id, header.kind, header.sequence, True
            )
        try:
            last_sent = sync_state.channel(conn, header.sender_id).last_sent_seq
            _check_header(opened, last_sent)
            new_trust = _newer_trust(opened, trust)
            audit_ack = _audit_ack(opened.manifest, keys.party_id)
            initial = header.kind == "initial" and LOAD_JOURNAL
            with initial_load.load_journal(conn, initial), db.transaction(conn):
                if new_trust is not None:
                    _sync_identity.install_trust(conn, new_trust, f"package:{header.package_id}")
                acked = sync_state.record_ack(conn, header.sender_id, header.ack)
                if audit_ack is not None:
                    sync_state.record_audit_ack(
                        conn, header.sender_id, int(audit_ack["seq"]), str(audit_ack["hash"])
                    )
                apply = apply_initial if header.kind == "initial" else apply_package
                stats = apply(
                    conn,
                    opened,
                    party_id=keys.party_id,
                    cipher=cipher,
                    progress=progress,
                    cancel=cancel,
                )
                stats.conflicts += queue_hub_conflicts(
                    conn,
                    opened.manifest,
                    package_id=header.package_id,
                    party_id=keys.party_id,
                    cipher=cipher,
                )
                sync_state.record_applied(
                    conn,
                    sync_state.AppliedPackage(
                        peer_id=header.sender_id,
                        sequence=header.sequence,
                        package_id=header.package_id,
                        header_sha256=header.sha256,
                        kind=header.kind,
                        applied_at=sync_state.utc_now(),
                        records=stats.applied,
                        quarantined=stats.quarantined,
                        conflicts=stats.conflicts,
                    ),
                )
                _audit.record(
                    session,
                    "sync.import",
                    detail={
                        "package_id": header.package_id,
                        "sender": header.sender_id,
                        "kind": header.kind,
                        "sequence": header.sequence,
                        "ack": header.ack,
                        "applied": stats.applied,
                        "unchanged": stats.unchanged,
                        "quarantined": stats.quarantined,
                        "conflicts": stats.conflicts,
                        "purged": stats.purged,  # retention purges applied (retention_sync)
                        "acknowledged": acked,
                        "trust_version": None if new_trust is None else new_trust.version,
                        "audit_ack": None if audit_ack is None else audit_ack["seq"],
                    },
                )
                if approved_by is not None:
                    _transfers.record_transfer(
                        session,
                        direction="import",
                        path=path,
                        package_id=header.package_id,
                        sequence=header.sequence,
                        approved_by=approved_by,
                    )
        except PackageError as exc:
            failure = exc
            if opened.verifying:  # the member checks' verdict comes first (spec §4 order)
                try:
                    opened.verify_records()
                except PackageError as checked:
                    failure = checked
        except InitialNotEmpty as exc:  # the package is sound: it stays where it is
            _audit.record_now(
                session,
                "sync.import",
                outcome="failed",
                detail={"code": exc.code, "step": "initial", "package_id": header.package_id},
            )
            raise
    if failure is not None:
        _refuse(session, path, failure)
        raise failure
    forget_acknowledged(reg.directory, conn, header.sender_id, header.ack)
    return ImportResult(
        package_id=header.package_id,
        sender=header.sender_id,
        kind=header.kind,
        sequence=header.sequence,
        already_imported=False,
        applied=stats.applied,
        unchanged=stats.unchanged,
        quarantined=stats.quarantined,
        conflicts=stats.conflicts,
        acknowledged=acked,
        trust_version=None if new_trust is None else new_trust.version,
        by_type=dict(stats.by_type),
    )


def prepare_lists(session: Session | SessionView) -> dict[str, int]:
    """After an initial load (committed, its result told): every 未接種者一覧 series judged for
    today and kept (``unvaccinated._prepare``), so that the first lists at the counter read no
    dose. Derived data only, nothing shown: part of the load, the same permission. Run by the
    command line and the 同期 page after the import, not inside it (a load's figure is the load's
    own). Returns series id → persons listed; empty when the preparation failed — the load
    stands, the failure is audited (``list.prepare``, failed, its error kind) and the first
    lists judge everyone."""
    session = session_of(session)
    _audit.require(session, perm.SYNC_IMPORT, "sync.import")
    from app.services import unvaccinated

    try:
        return unvaccinated._prepare(session, detail={"kind": "initial"})
    except Exception as exc:  # derived data only: never reported as a failed import
        code = getattr(exc, "code", None) or type(exc).__name__
        _audit.record_now(
            session, "list.prepare", outcome="failed", detail={"kind": "initial", "code": code}
        )
        return {}
