"""Batch entry of returned 予診票: a scanned or typed code becomes the person and the pre-fill of
the entry form, in one call.

The code is looked up through ``issuance.find_by_scan`` (a document number or a 宛名番号), the
person is opened through ``persons.open_person`` (masked for the session), and when the code was
not a document that names its series, the first open series of ``schedule.due_list`` is offered.
Each step keeps its own permission check and audit entry. A document whose number was voided
(e.g. 未印刷: the preview was closed without printing, so no genuine sheet carries it) is refused
with E_SCAN_VOIDED: a sheet with that number is not one the office handed out."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.catalog import Catalog
from app.domain.schedule import OPEN_STATUSES
from app.errors import InvalidInput
from app.security import permissions as perm
from app.security.session import Session, SessionView, session_of
from app.services import _audit, issuance, persons, schedule
from app.services.persons import PersonSummary


@dataclass(frozen=True, slots=True)
class ScannedSheet:
    """Who a returned sheet belongs to and what to pre-fill, already masked for the session."""

    person: PersonSummary
    series_id: str | None
    dose_label: str | None
    issuance_id: int | None  # the scanned document, when the code was a document number
    catalog: Catalog


class ScanVoided(InvalidInput):
    code = "E_SCAN_VOIDED"


def _voided_message(reason: str | None) -> str:
    because = f"（取消の理由: {reason}）" if reason else ""
    return (
        f"この番号の書類は取り消されています{because}。この用紙では結果を入力できません。"
        "発行履歴を確認してください。"
    )


def read_scan(
    session: Session | SessionView, code: str, catalog: Catalog | None = None
) -> ScannedSheet:
    """The person and pre-fill for ``code``. ``catalog`` saves reading it again when the caller
    already holds the session's catalog. Every permission it needs is checked before anything
    is read or audited."""
    session = session_of(session)
    for needed in (perm.PERSON_SEARCH, perm.PERSON_READ, perm.SCHEDULE_READ):
        _audit.require(session, needed, "batch.scan")
    hit = issuance.find_by_scan(session, code)
    if hit.issuance is not None and hit.issuance.voided_at is not None:
        raise ScanVoided(_voided_message(hit.issuance.void_reason))
    detail = persons.open_person(session, hit.person_id)
    known = catalog or schedule.catalog_for(session)
    document = hit.issuance
    if document is not None and document.series_id:
        return ScannedSheet(
            detail.summary, document.series_id, document.dose_label, document.id, known
        )
    evaluation = schedule.due_list(session, hit.person_id)
    first = next((s for s in evaluation.series if s.status in OPEN_STATUSES), None)
    return ScannedSheet(
        person=detail.summary,
        series_id=first.id if first else None,
        dose_label=first.next_dose if first else None,
        issuance_id=document.id if document is not None else None,
        catalog=known,
    )
