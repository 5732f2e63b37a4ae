"""Everything the person view shows for one person, read in one call: the record, what is due
(when the role may read the schedule), the 発行履歴 with series names (when it may read
issuances) and the catalog. Each part is read through its own service function, so the
permission checks and audit entries are exactly those of ``persons.open_person``,
``schedule.due_list`` and ``issuance.history``; parts the role may not read are left out
(``None`` / empty), never refused as a whole."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.domain.catalog import Catalog
from app.domain.schedule import SeriesStatus
from app.security import permissions as perm
from app.security.session import Session, SessionView, session_of
from app.services import issuance, persons, schedule
from app.services.persons import PersonDetail


@dataclass(frozen=True, slots=True)
class IssuanceLine:
    """One 発行履歴 row as shown: the issued document plus the series name from the catalog."""

    issuance_id: int
    issued_on: date
    doc_type: str
    series_name: str
    dose_label: str | None
    issue_no: str
    process_kind: str
    reason: str | None
    voided_at: str | None
    void_reason: str | None


@dataclass(frozen=True, slots=True)
class PersonCard:
    """One person as the counter sees them, already masked for the session."""

    detail: PersonDetail
    due: tuple[SeriesStatus, ...] | None  # None: the role may not read the schedule
    on: date
    issued: tuple[IssuanceLine, ...]  # empty: none issued, or the role may not read them
    catalog: Catalog


def _line(doc: issuance.IssuedDocument, names: dict[str, str]) -> IssuanceLine:
    return IssuanceLine(
        issuance_id=doc.id,
        issued_on=doc.issued_on,
        doc_type=doc.doc_type,
        series_name=names.get(doc.series_id, doc.series_id) if doc.series_id else "—",
        dose_label=doc.dose_label,
        issue_no=doc.issue_no,
        process_kind=doc.process_kind,
        reason=doc.reason,
        voided_at=doc.voided_at,
        void_reason=doc.void_reason,
    )


def open_card(
    session: Session | SessionView,
    person_id: int,
    *,
    on: date | None = None,
    catalog: Catalog | None = None,
) -> PersonCard:
    """The person's card on ``on`` (default today). ``catalog`` saves reading it again when the
    caller already holds the session's catalog."""
    session = session_of(session)
    detail = persons.open_person(session, person_id)
    day = on or date.today()
    due = (
        schedule.due_list(session, person_id, day).series
        if session.can(perm.SCHEDULE_READ)
        else None
    )
    docs = issuance.history(session, person_id) if session.can(perm.ISSUANCE_READ) else []
    known = catalog or schedule.catalog_for(session)
    names = {s.id: s.name_ja for s in known.series}
    return PersonCard(detail, due, day, tuple(_line(d, names) for d in docs), known)
