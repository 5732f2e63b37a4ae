"""Helpers of the sync services for the 媒体管理簿 (not user actions: the export and import
services check their own permissions and call these inside their transaction)."""

from __future__ import annotations

from pathlib import Path

from app.security.session import Session, SessionView, session_of
from app.services import _audit
from app.services.media import ApproverUnknown, volume_of
from app.store import media_ledger


def approver_id(session: Session | SessionView, staff_no: str) -> int:
    session = session_of(session)
    found = media_ledger.user_id_by_staff_no(session.register.conn, staff_no.strip())
    if found is None or found == session.user_id:
        raise ApproverUnknown()
    return found


def record_transfer(
    session: Session | SessionView,
    *,
    direction: str,
    path: Path,
    package_id: str | None,
    sequence: int | None,
    approved_by: str,
) -> int:
    """One ledger entry and its audit entry, inside the caller's transaction."""
    session = session_of(session)
    approver = approver_id(session, approved_by)
    volume = volume_of(path.parent)
    entry_id = media_ledger.add(
        session.register.conn,
        direction=direction,
        package_id=package_id,
        sequence=sequence,
        file_name=path.name,
        file_path=str(path),
        volume_label=volume.label,
        volume_serial=volume.serial,
        carried_by=session.user_id,
        approved_by=approved_by.strip(),
    )
    _audit.record(
        session,
        "media.transfer",
        record_type="media_ledger",
        record_id=entry_id,
        detail={
            "direction": direction,
            "sequence": sequence,
            "approver": approver,
            "volume_serial": volume.serial,
        },
    )
    return entry_id
