"""Find a person and open their record (counter work). Results are masked for the session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.domain import kana, wareki
from app.domain.ids import normalize_digits
from app.errors import InvalidInput, NotFound
from app.security import permissions as perm
from app.security.masking import Policy, apply, person_policy
from app.security.session import Session, SessionView, session_of
from app.services import _audit
from app.store import persons as person_repo
from app.store import vaccinations as vaccination_repo
from app.store.persons import PersonRow

SEARCH_LIMIT = 200


class EmptySearch(InvalidInput):
    code = "E_SEARCH_EMPTY"


class UnrecognisedSearch(InvalidInput):
    code = "E_SEARCH_UNRECOGNISED"


@dataclass(frozen=True, slots=True)
class PersonSummary:
    person_id: int
    atena_no: str
    name: str
    name_kana: str
    sex: str
    birth_date: date
    address: str
    moved_out: bool
    deceased: bool


@dataclass(frozen=True, slots=True)
class HouseholdMember:
    person_id: int
    name: str
    name_kana: str
    relationship: str | None
    sex: str
    birth_date: date


@dataclass(frozen=True, slots=True)
class HistoryItem:
    vaccination_id: int
    series_id: str
    product_id: str | None
    dose_label: str | None
    vaccinated_on: date
    outcome: str
    category: str
    institution: str | None
    vaccine_name: str | None
    maker: str | None
    lot_no: str | None
    doctor: str | None
    voided: bool
    void_reason: str | None
    receipt_no: str | None = None
    payment_month: str | None = None
    dose_amount_ml: float | None = None
    route: str | None = None
    site: str | None = None
    postpone_reason: str | None = None


@dataclass(frozen=True, slots=True)
class PersonDetail:
    summary: PersonSummary
    postal_code: str | None
    phone: str | None
    household_no: str | None
    relationship: str | None
    tax_status: str | None
    moved_out_date: date | None
    deceased_date: date | None
    guardian: HouseholdMember | None
    household: tuple[HouseholdMember, ...]
    history: tuple[HistoryItem, ...]


@dataclass(frozen=True, slots=True)
class SearchResult:
    mode: str  # kana / atena / birth / kana_birth
    people: tuple[PersonSummary, ...]
    truncated: bool


def _d(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _summary(row: PersonRow, policy: Policy) -> PersonSummary:
    return PersonSummary(
        person_id=row.id,
        atena_no=row.atena_no,
        name=apply(policy, row.name, kind="name") or "",
        name_kana=apply(policy, row.name_kana, kind="name") or "",
        sex=row.sex,
        birth_date=date.fromisoformat(row.birth_date),
        address=apply(policy, row.address) or "",
        moved_out=bool(row.moved_out),
        deceased=bool(row.deceased),
    )


def _member(row: PersonRow, policy: Policy) -> HouseholdMember:
    return HouseholdMember(
        person_id=row.id,
        name=apply(policy, row.name, kind="name") or "",
        name_kana=apply(policy, row.name_kana, kind="name") or "",
        relationship=row.relationship,
        sex=row.sex,
        birth_date=date.fromisoformat(row.birth_date),
    )


def _try_date(text: str) -> date | None:
    try:
        return wareki.parse_date(text)
    except InvalidInput:
        return None


def _run_query(session: Session, text: str, limit: int, mode: str) -> tuple[str, list[PersonRow]]:
    conn = session.register.conn
    cleaned = " ".join(text.replace("\u3000", " ").split())
    if not cleaned:
        raise EmptySearch()
    digits = normalize_digits(cleaned)
    if mode == "atena":
        if not digits.isdigit():
            raise UnrecognisedSearch(code="E_SEARCH_ATENA")
        return "atena", person_repo.search_atena_no(conn, digits, limit)
    if digits.isdigit():
        if len(digits) == 8 and (born := _try_date(digits)) is not None:
            return "birth", person_repo.search_birth_date(conn, born.isoformat(), limit)
        return "atena", person_repo.search_atena_no(conn, digits, limit)
    if kana.is_kana(cleaned):
        low, high = kana.kana_prefix_range(cleaned)
        return "kana", person_repo.search_kana_range(conn, low, high, limit)
    if (born := _try_date(cleaned)) is not None:
        return "birth", person_repo.search_birth_date(conn, born.isoformat(), limit)
    tokens = cleaned.split(" ")
    if len(tokens) >= 2:  # kana and birth date together, in either order
        for i, token in enumerate(tokens):
            rest = " ".join(tokens[:i] + tokens[i + 1 :])
            born = _try_date(token)
            if born is not None and kana.is_kana(rest):
                low, high = kana.kana_prefix_range(rest)
                return "kana_birth", person_repo.search_kana_and_birth(
                    conn, low, high, born.isoformat(), limit
                )
    raise UnrecognisedSearch()


def search(
    session: Session | SessionView, text: str, *, limit: int = SEARCH_LIMIT, mode: str = "auto"
) -> SearchResult:
    """Search by kana prefix, 宛名番号 (prefix), birth date (any accepted format), or kana with a
    birth date; ``mode="atena"`` reads the text as a 宛名番号 only (an 8-digit number that is also
    a date stays a number). The query text itself is never written to the audit log."""
    session = session_of(session)
    _audit.require(session, perm.PERSON_SEARCH, "person.search")
    policy = person_policy(session.permissions)
    mode, rows = _run_query(session, text, limit + 1, mode)
    truncated = len(rows) > limit
    rows = rows[:limit]
    _audit.record_now(session, "person.search", detail={"mode": mode, "results": len(rows)})
    return SearchResult(mode, tuple(_summary(r, policy) for r in rows), truncated)


def open_person(session: Session | SessionView, person_id: int) -> PersonDetail:
    """The person's basic items, household and vaccination history (a person view)."""
    session = session_of(session)
    _audit.require_any(
        session, (perm.PERSON_READ, perm.PERSON_READ_MASKED), "person.view", person_id=person_id
    )
    policy = person_policy(session.permissions)
    conn = session.register.conn
    row = person_repo.get(conn, person_id)
    if row is None:
        raise NotFound()
    household_rows = (
        person_repo.household_members(conn, row.household_id) if row.household_id else []
    )
    guardian_row = person_repo.get(conn, row.guardian_id) if row.guardian_id else None
    history: tuple[HistoryItem, ...] = ()
    if session.can(perm.VACCINATION_READ):
        history = tuple(
            HistoryItem(
                vaccination_id=v.id,
                series_id=v.series_id,
                product_id=v.product_id,
                dose_label=v.dose_label,
                vaccinated_on=date.fromisoformat(v.vaccinated_on),
                outcome=v.outcome,
                category=v.category,
                institution=v.institution_name,
                vaccine_name=v.vaccine_name,
                maker=v.maker,
                lot_no=v.lot_no,
                doctor=v.doctor,
                voided=v.voided_at is not None,
                void_reason=v.void_reason,
                receipt_no=v.receipt_no,
                payment_month=v.payment_month,
                dose_amount_ml=v.dose_amount_ml,
                route=v.route,
                site=v.site,
                postpone_reason=v.postpone_reason,
            )
            for v in vaccination_repo.for_person(conn, person_id)
        )
    detail = PersonDetail(
        summary=_summary(row, policy),
        postal_code=apply(policy, row.postal_code),
        phone=apply(policy, row.phone),
        household_no=person_repo.household_no(conn, row.household_id) if row.household_id else None,
        relationship=row.relationship,
        tax_status=row.tax_status if policy is Policy.SHOW else None,
        moved_out_date=_d(row.moved_out_date),
        deceased_date=_d(row.deceased_date),
        guardian=_member(guardian_row, policy) if guardian_row else None,
        household=tuple(_member(m, policy) for m in household_rows if m.id != row.id),
        history=history,
    )
    _audit.record_now(session, "person.view", person_id=person_id)
    return detail
