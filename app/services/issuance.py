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
from app.domain.legaldate import fiscal_year
from app.domain.reissue import REISSUE_REASONS as REISSUE_REASONS  # re-exported for UI/CLI
from app.errors import InvalidInput, NotFound
from app.security.session import Session
from app.services import audit_log
from app.services.transaction import WriteContext, write
from app.store import issuances, register_meta, stamps
from app.store import persons as person_repo

DOC_TYPES = {"yoshinhyo": "1", "voucher": "2", "certificate": "3", "notice": "4"}
DOC_NAMES_JA = {
    "yoshinhyo": "予診票",
    "voucher": "接種券",
    "certificate": "予防接種済証",
    "notice": "個別通知",
}
PERMISSIONS = {
    "yoshinhyo": "print.yoshinhyo",
    "voucher": "print.voucher",
    "certificate": "print.certificate",
    "notice": "print.notices",
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


def issue(
    session: Session,
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
    if doc_type not in DOC_TYPES:
        raise IssuanceInvalid(code="E_ISSUANCE_TYPE")
    audit_log.require(session, PERMISSIONS[doc_type], "issuance.create", person_id=person_id)
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
    has checked the print permission."""
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
    audit_log.record(
        session,
        "issuance.create",
        person_id=person_id,
        record_type="issuance",
        record_id=iid,
        detail={"doc": doc_type, "kind": kind, "series": series_id},
    )
    return Issued(iid, number, fy, doc_type, series_id, dose_label, kind, on)


UNPRINTED_REASON = "未印刷（プレビューのみで閉じた）"


def withdraw_unprinted(session: Session, issuance_ids: Sequence[int]) -> int:
    """Void issuances whose document was previewed but neither printed nor saved, so that the
    発行履歴 shows only what left the counter. Only today's active issuances are touched.
    Returns how many were voided."""
    if not issuance_ids:
        return 0
    today = date.today().isoformat()
    rows = [r for r in (issuances.get(session.register.conn, i) for i in issuance_ids) if r]
    rows = [r for r in rows if r.voided_at is None and r.issued_on == today]
    for doc_type in sorted({r.doc_type for r in rows}):
        audit_log.require(session, PERMISSIONS[doc_type], "issuance.withdraw")
    if not rows:
        return 0
    with write(session) as w:
        for row in rows:
            issuances.void(w.conn, row.id, UNPRINTED_REASON, version=w.version, stamp=w.stamp)
            w.queue("issuance", issuances.uid_of(w.conn, row.id))
            audit_log.record(
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


def history(session: Session, person_id: int) -> list[IssuedDocument]:
    """発行履歴 of a person, newest first."""
    audit_log.require(session, "issuance.read", "issuance.read", person_id=person_id)
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


def find_by_scan(session: Session, code: str) -> ScanHit:
    """Resolve a scanned or typed code: an issuance number from a 予診票 or voucher barcode
    (NW-7 start/stop letters are ignored), a voucher's 18-digit QR code / OCR line (its
    municipality must be this register's), or a 宛名番号."""
    audit_log.require(session, "person.search", "person.scan")
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
            audit_log.record_now(
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
        audit_log.record_now(
            session, "person.scan", person_id=hit.person_id, detail={"kind": "issuance"}
        )
        return ScanHit(hit.person_id, _document(hit), "issuance")
    person = person_repo.get_by_atena_no(conn, digits)
    if person is not None:
        audit_log.record_now(session, "person.scan", person_id=person.id, detail={"kind": "atena"})
        return ScanHit(person.id, None, "atena")
    audit_log.record_now(session, "person.scan", outcome="failed", detail={"kind": "none"})
    raise NotFound("読み取った番号に該当する発行記録・住民がありません。")
