"""Numbering one document inside the caller's write transaction (private to the services).

``require_issue`` is the one permission check for every service that draws an issuance number:
the document's print permission, ``issuance.create`` and, when a reissue reason is given,
``issuance.reissue``. A reissue needs a reason (``issue_in`` refuses it without one), so a session
without ``issuance.reissue`` can never reissue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.domain.legaldate import fiscal_year
from app.domain.reissue import REISSUE_REASONS
from app.errors import InvalidInput
from app.security import permissions as perm
from app.security.session import Session
from app.services import _audit
from app.services._transaction import WriteContext
from app.store import issuances, stamps

DOC_TYPES = {"yoshinhyo": "1", "voucher": "2", "certificate": "3", "notice": "4"}
DOC_NAMES_JA = {
    "yoshinhyo": "予診票",
    "voucher": "接種券",
    "certificate": "予防接種済証",
    "notice": "個別通知",
}
PERMISSIONS = {
    "yoshinhyo": perm.PRINT_YOSHINHYO,
    "voucher": perm.PRINT_VOUCHER,
    "certificate": perm.PRINT_CERTIFICATE,
    "notice": perm.PRINT_NOTICES,
}


class IssuanceInvalid(InvalidInput):
    code = "E_ISSUANCE_INVALID"


@dataclass(frozen=True, slots=True)
class Issued:
    issuance_id: int
    issue_no: str
    fiscal_year: int
    doc_type: str
    series_id: str | None
    dose_label: str | None
    process_kind: str
    issued_on: date


def require_issue(
    session: Session,
    doc_type: str,
    action: str,
    *,
    reissue_reason: str | None = None,
    person_id: int | None = None,
) -> None:
    """Refuse (audited) unless the session may print ``doc_type`` and issue its number, and,
    with a reissue reason, reissue it."""
    if doc_type not in DOC_TYPES:
        raise IssuanceInvalid(code="E_ISSUANCE_TYPE")
    _audit.require(session, PERMISSIONS[doc_type], action, person_id=person_id)
    _audit.require(session, perm.ISSUANCE_CREATE, action, person_id=person_id)
    if reissue_reason is not None:
        _audit.require(session, perm.ISSUANCE_REISSUE, action, person_id=person_id)


def issue_in(
    session: Session,
    w: WriteContext,
    person_id: int,
    doc_type: str,
    *,
    series_id: str | None = None,
    dose_label: str | None = None,
    reissue_reason: str | None = None,
    on: date,
) -> Issued:
    """Number one document inside the caller's write transaction (so the number rolls back with
    a failed or cancelled print): 発行履歴 row, reissue rule, outbox entry, audit entry. The caller
    has checked the permissions (``require_issue``)."""
    if doc_type not in DOC_TYPES:
        raise IssuanceInvalid(code="E_ISSUANCE_TYPE")
    conn = w.conn
    fy = fiscal_year(on)
    earlier = issuances.active_same(conn, person_id, doc_type, series_id, dose_label, fy)
    if earlier and reissue_reason not in REISSUE_REASONS:
        raise IssuanceInvalid(code="E_REISSUE_REASON")
    kind = "reissue" if earlier else "new"
    seq = issuances.next_sequence(conn, f"{doc_type}.{fy}")
    if seq > 9_999_999:
        raise IssuanceInvalid(code="E_ISSUANCE_NUMBERS")
    number = f"{DOC_TYPES[doc_type]}{fy % 100:02d}{seq:07d}"
    for old in earlier:
        issuances.void(conn, old.id, "再発行", version=w.version, stamp=w.stamp)
        w.queue("issuance", issuances.uid_of(conn, old.id))
    uid = stamps.new_uid()
    iid = issuances.insert(
        conn,
        person_id=person_id,
        fiscal_year=fy,
        doc_type=doc_type,
        series_id=series_id,
        dose_label=dose_label,
        issue_no=number,
        reason=REISSUE_REASONS.get(reissue_reason or "") if earlier else None,
        issued_on=on.isoformat(),
        process_kind=kind,
        uid=uid,
        version=w.version,
        origin=w.origin,
        stamp=w.stamp,
    )
    w.queue("issuance", uid)
    _audit.record(
        session,
        "issuance.create",
        person_id=person_id,
        record_type="issuance",
        record_id=iid,
        detail={"doc": doc_type, "kind": kind, "series": series_id},
    )
    return Issued(iid, number, fy, doc_type, series_id, dose_label, kind, on)
