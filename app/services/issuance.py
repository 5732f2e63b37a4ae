"""Issuing 予診票, vouchers (接種券/助成券), certificates and notices: numbering and 発行履歴.

Numbers are 10 digits: a document-type digit, the 年度 (2 digits) and a 7-digit sequence per type
and 年度 — printable as Code128 / NW-7 and typed or scanned back at batch entry. A reissue needs a
reason; the earlier issuance of the same document is voided (kept, marked 再発行).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from app.domain.ids import parse_voucher_line
from app.domain.reissue import REISSUE_REASONS as REISSUE_REASONS  # re-exported for UI/CLI
from app.errors import NotFound
from app.security import permissions as perm
from app.security.session import Session, SessionView, session_of
from app.services import _audit
from app.services._issuing import DOC_NAMES_JA as DOC_NAMES_JA
from app.services._issuing import DOC_TYPES as DOC_TYPES
from app.services._issuing import IssuanceInvalid as IssuanceInvalid
from app.services._issuing import Issued as Issued
from app.services._issuing import issue_in, require_issue
from app.services._transaction import write
from app.store import issuances, register_meta
from app.store import persons as person_repo


def issue(
    session: Session | SessionView,
    person_id: int,
    doc_type: str,
    *,
    series_id: str | None = None,
    dose_label: str | None = None,
    reissue_reason: str | None = None,
    on: date | None = None,
) -> Issued:
    """Number and record one document for a person. A second issue of the same document in the
    same 年度 is a reissue and needs a reason from REISSUE_REASONS."""
    session = session_of(session)
    require_issue(
        session, doc_type, "issuance.create", reissue_reason=reissue_reason, person_id=person_id
    )
    conn = session.register.conn
    if person_repo.get(conn, person_id) is None:
        raise NotFound()
    day = on or date.today()
    with write(session) as w:
        return issue_in(
            session,
            w,
            person_id,
            doc_type,
            series_id=series_id,
            dose_label=dose_label,
            reissue_reason=reissue_reason,
            on=day,
        )


UNPRINTED_REASON = "未印刷（プレビューのみで閉じた）"


def withdraw_unprinted(session: Session | SessionView, issuance_ids: Sequence[int]) -> int:
    """Void issuances whose document was previewed but neither printed nor saved, so that the
    発行履歴 shows only what left the counter. Only today's active issuances are touched.
    Returns how many were voided."""
    session = session_of(session)
    _audit.require(session, perm.ISSUANCE_CREATE, "issuance.withdraw")
    if not issuance_ids:
        return 0
    today = date.today().isoformat()
    rows = [r for r in (issuances.get(session.register.conn, i) for i in issuance_ids) if r]
    rows = [r for r in rows if r.voided_at is None and r.issued_on == today]
    for doc_type in sorted({r.doc_type for r in rows}):
        require_issue(session, doc_type, "issuance.withdraw")
    if not rows:
        return 0
    with write(session) as w:
        for row in rows:
            issuances.void(w.conn, row.id, UNPRINTED_REASON, version=w.version, stamp=w.stamp)
            w.queue("issuance", issuances.uid_of(w.conn, row.id))
            _audit.record(
                session,
                "issuance.withdraw",
                person_id=row.person_id,
                record_type="issuance",
                record_id=row.id,
            )
    return len(rows)


@dataclass(frozen=True, slots=True)
class IssuedDocument:
    """One 発行履歴 entry as the service gives it (the store's row stays in the store)."""

    id: int
    issued_on: date
    doc_type: str
    series_id: str | None
    dose_label: str | None
    issue_no: str
    process_kind: str
    reason: str | None
    voided_at: str | None
    void_reason: str | None


def history(session: Session | SessionView, person_id: int) -> list[IssuedDocument]:
    """発行履歴 of a person, newest first."""
    session = session_of(session)
    _audit.require(session, perm.ISSUANCE_READ, "issuance.read", person_id=person_id)
    session.touch()
    return [_document(r) for r in issuances.for_person(session.register.conn, person_id)]


def _document(r: issuances.IssuanceRow) -> IssuedDocument:
    return IssuedDocument(
        id=r.id,
        issued_on=date.fromisoformat(r.issued_on),
        doc_type=r.doc_type,
        series_id=r.series_id,
        dose_label=r.dose_label,
        issue_no=r.issue_no,
        process_kind=r.process_kind,
        reason=r.reason,
        voided_at=r.voided_at,
        void_reason=r.void_reason,
    )


@dataclass(frozen=True, slots=True)
class ScanHit:
    person_id: int
    issuance: IssuedDocument | None
    kind: str  # issuance / atena


def find_by_scan(session: Session | SessionView, code: str) -> ScanHit:
    """Resolve a scanned or typed code: an issuance number from a 予診票 or voucher barcode
    (NW-7 start/stop letters are ignored), a voucher's 18-digit QR code / OCR line (its
    municipality must be this register's), or a 宛名番号."""
    session = session_of(session)
    _audit.require(session, perm.PERSON_SEARCH, "person.scan")
    digits = code.strip().upper().strip("ABCD")
    if not digits.isdigit():
        raise IssuanceInvalid(code="E_SCAN_FORMAT")
    conn = session.register.conn
    hit = issuances.by_number(conn, digits)
    line = parse_voucher_line(digits) if hit is None else None
    if line is not None:  # a voucher's QR code / OCR line: 券種 + 回数 + 市町村コード + 券番号
        if (
            line.municipality_code
            != (register_meta.get_meta(conn, "municipality_code") or "").strip()
        ):
            _audit.record_now(
                session,
                "person.scan",
                outcome="failed",
                detail={"kind": "voucher_line_other_municipality"},
            )
            raise IssuanceInvalid(
                "読み取った接種券は、この台帳の市町村のものではありません。",
                code="E_SCAN_MUNICIPALITY",
            )
        hit = issuances.by_number(conn, line.voucher_no)
        if hit is not None and hit.doc_type != "voucher":
            hit = None
    if hit is not None:
        _audit.record_now(
            session, "person.scan", person_id=hit.person_id, detail={"kind": "issuance"}
        )
        return ScanHit(hit.person_id, _document(hit), "issuance")
    person = person_repo.get_by_atena_no(conn, digits)
    if person is not None:
        _audit.record_now(session, "person.scan", person_id=person.id, detail={"kind": "atena"})
        return ScanHit(person.id, None, "atena")
    _audit.record_now(session, "person.scan", outcome="failed", detail={"kind": "none"})
    raise NotFound("読み取った番号に該当する発行記録・住民がありません。")
