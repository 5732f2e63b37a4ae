"""Recording vaccination results from returned 予診票: checks, overrides, 見合わせ, correction, void.

Checks against the schedule engine (interval, window, completed series), the lot master (expiry)
and the register (duplicate dose) produce warnings; a warned entry is stored only with a recorded
reason, and a dose that breaks the routine rules is stored as 任意 (voluntary), not 定期.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from app.domain.schedule import HistoryEntry, Person, evaluate
from app.errors import InvalidInput, NotFound
from app.security import permissions as perm
from app.security.session import Session, SessionView, session_of
from app.services import _audit
from app.services._transaction import write
from app.services.schedule import catalog_for, history_entries
from app.store import masters, stamps
from app.store import persons as person_repo
from app.store import vaccinations as vaccination_repo


class ResultInvalid(InvalidInput):
    code = "E_RESULT_INVALID"


class NeedsReason(InvalidInput):
    """The entry has warnings; store it only with ``override_reason``."""

    code = "E_RESULT_NEEDS_REASON"

    def __init__(self, warnings: list[ResultWarning]) -> None:
        super().__init__()
        self.warnings = warnings


@dataclass(frozen=True, slots=True)
class ResultWarning:
    code: str
    message_ja: str


@dataclass(frozen=True, slots=True)
class ResultInput:
    """One returned 予診票's administration record."""

    series_id: str
    vaccinated_on: date
    product_id: str | None = None
    dose_label: str | None = None
    receipt_no: str | None = None
    institution_code: str | None = None
    lot_no: str | None = None
    dose_amount_ml: float | None = None
    route: str | None = None
    site: str | None = None
    place: str | None = None
    doctor: str | None = None
    screening_institution_code: str | None = None
    screening_doctor: str | None = None
    payment_month: str | None = None
    issuance_id: int | None = None
    special_rule: str | None = None
    follow_up: bool = False


@dataclass(frozen=True, slots=True)
class CheckResult:
    warnings: tuple[ResultWarning, ...]
    dose_no: int
    dose_label: str | None
    routine: bool
    series_ids: tuple[str, ...] = field(default=())


_BREAKS_ROUTINE = {"W_INTERVAL", "W_WINDOW", "W_COMPLETE", "W_LIVE_INTERVAL", "W_NOT_APPLICABLE"}


def _person(session: Session, person_id: int) -> person_repo.PersonRow:
    row = person_repo.get(session.register.conn, person_id)
    if row is None:
        raise NotFound()
    return row


def check(session: Session | SessionView, person_id: int, entry: ResultInput) -> CheckResult:
    """Validate an entry and list what needs a reason. Hard errors raise ResultInvalid."""
    session = session_of(session)
    _audit.require(session, perm.VACCINATION_CREATE, "vaccination.check", person_id=person_id)
    conn = session.register.conn
    catalog = catalog_for(session)
    row = _person(session, person_id)
    birth = date.fromisoformat(row.birth_date)
    if entry.vaccinated_on > date.today():
        raise ResultInvalid(code="E_RESULT_FUTURE_DATE")
    if entry.vaccinated_on < birth:
        raise ResultInvalid(code="E_RESULT_BEFORE_BIRTH")
    if not any(s.id == entry.series_id for s in catalog.series):
        raise ResultInvalid(code="E_RESULT_SERIES")
    product = entry.product_id
    if product is not None:
        if product not in catalog.products:
            raise ResultInvalid(code="E_RESULT_PRODUCT")
        if entry.series_id not in catalog.series_by_product.get(product, ()):
            raise ResultInvalid(code="E_RESULT_PRODUCT_SERIES")
    if entry.institution_code and masters.institution_by_code(conn, entry.institution_code) is None:
        raise ResultInvalid(code="E_RESULT_INSTITUTION")
    existing = vaccination_repo.for_person(conn, person_id, include_voided=False)
    history = history_entries(existing, before=entry.vaccinated_on)
    person = Person(birth, "F" if row.sex == "F" else "M")
    before = evaluate(catalog, person, history, entry.vaccinated_on).get(entry.series_id)
    warnings: list[ResultWarning] = []
    status = before.status
    if status == "waiting":
        warnings.append(
            ResultWarning(
                "W_INTERVAL", f"接種間隔が不足しています（{before.earliest} 以降に接種可能）。"
            )
        )
    elif status in ("upcoming", "missed"):
        warnings.append(
            ResultWarning("W_WINDOW", "定期接種の対象期間外です（任意接種になります）。")
        )
    elif status == "not_applicable":
        warnings.append(
            ResultWarning("W_NOT_APPLICABLE", "定期接種の対象外です（任意接種になります）。")
        )
    elif status == "complete":
        warnings.append(ResultWarning("W_COMPLETE", "この種類の定期接種は既に完了しています。"))
    after = evaluate(
        catalog,
        person,
        [*history, HistoryEntry(product or entry.series_id, entry.vaccinated_on)],
        entry.vaccinated_on,
    ).get(entry.series_id)
    if status == "due" and any(w.startswith("W_LIVE_INTERVAL") for w in after.warnings):
        warnings.append(
            ResultWarning("W_LIVE_INTERVAL", "生ワクチン同士の間隔（27日）が不足しています。")
        )
    if any(
        r.series_id == entry.series_id
        and r.outcome == "given"
        and r.vaccinated_on == entry.vaccinated_on.isoformat()
        for r in existing
    ):
        warnings.append(
            ResultWarning("W_DUPLICATE", "同じ日に同じ種類の接種が既に登録されています。")
        )
    if entry.lot_no and product:
        lot = masters.lot(conn, product, entry.lot_no)
        if lot is None:
            warnings.append(ResultWarning("W_LOT_UNKNOWN", "ロット番号がマスタにありません。"))
        elif lot.expires_on and lot.expires_on < entry.vaccinated_on.isoformat():
            warnings.append(
                ResultWarning(
                    "W_LOT_EXPIRED", f"ロットの有効期限（{lot.expires_on}）を過ぎています。"
                )
            )
    routine = not any(w.code in _BREAKS_ROUTINE for w in warnings)
    targets = (
        catalog.series_by_product.get(product, (entry.series_id,))
        if product
        else (entry.series_id,)
    )
    if product and catalog.products[product].assign == "one":
        targets = (entry.series_id,)
    # The schedule's label wins over the form's pre-printed one (e.g. a Hib catch-up plan whose
    # form says 初回1回目 while the series counts it as 1回目).
    return CheckResult(
        tuple(warnings),
        before.doses_given + 1,
        before.next_dose or entry.dose_label,
        routine,
        tuple(targets),
    )


def _values(entry: ResultInput, session: Session) -> dict[str, object]:
    conn = session.register.conn
    inst = (
        masters.institution_by_code(conn, entry.institution_code)
        if entry.institution_code
        else None
    )
    screen = (
        masters.institution_by_code(conn, entry.screening_institution_code)
        if entry.screening_institution_code
        else None
    )
    names = masters.vaccine(conn, entry.product_id) if entry.product_id else None
    return {
        "product_id": entry.product_id,
        "vaccinated_on": entry.vaccinated_on.isoformat(),
        "receipt_no": entry.receipt_no,
        "institution_id": inst.id if inst else None,
        "payment_month": entry.payment_month,
        "follow_up": int(entry.follow_up),
        "lot_no": entry.lot_no,
        "dose_amount_ml": entry.dose_amount_ml,
        "route": entry.route,
        "site": entry.site,
        "place": entry.place,
        "doctor": entry.doctor,
        "vaccine_name": names[0] if names else None,
        "maker": names[1] if names else None,
        "screening_institution_id": screen.id if screen else None,
        "screening_doctor": entry.screening_doctor,
        "issuance_id": entry.issuance_id,
        "special_rule": entry.special_rule,
    }


def record(
    session: Session | SessionView,
    person_id: int,
    entry: ResultInput,
    *,
    override_reason: str | None = None,
) -> list[int]:
    """Store a given dose (one row per series the product counts for). Returns the row ids."""
    session = session_of(session)
    _audit.require(session, perm.VACCINATION_CREATE, "vaccination.create", person_id=person_id)
    result = check(session, person_id, entry)
    reason = (override_reason or "").strip()
    if result.warnings and len(reason) < 2:
        raise NeedsReason(list(result.warnings))
    values = _values(entry, session)
    ids = []
    with write(session) as w:
        for sid in result.series_ids:
            row_values = {
                **values,
                "series_id": sid,
                "outcome": "given",
                "category": "routine" if result.routine else "voluntary",
                "dose_no": result.dose_no if sid == entry.series_id else None,
                "dose_label": result.dose_label if sid == entry.series_id else None,
                "override_reason": reason or None,
            }
            uid = stamps.new_uid()
            vid = vaccination_repo.insert(
                w.conn,
                person_id,
                row_values,
                uid=uid,
                version=w.version,
                origin=w.origin,
                stamp=w.stamp,
            )
            w.queue("vaccination", uid)
            ids.append(vid)
        _audit.record(
            session,
            "vaccination.create",
            person_id=person_id,
            record_type="vaccination",
            record_id=ids[0],
            detail={
                "series": list(result.series_ids),
                "routine": result.routine,
                "warnings": [x.code for x in result.warnings],
            },
        )
    return ids


def record_postponement(
    session: Session | SessionView,
    person_id: int,
    series_id: str,
    on: date,
    reason: str,
    institution_code: str | None = None,
) -> int:
    """見合わせ: the 予診 found the person could not be vaccinated that day (no dose counted)."""
    session = session_of(session)
    _audit.require(session, perm.VACCINATION_CREATE, "vaccination.postpone", person_id=person_id)
    if len(reason.strip()) < 2:
        raise ResultInvalid(code="E_POSTPONE_REASON")
    _person(session, person_id)
    inst = (
        masters.institution_by_code(session.register.conn, institution_code)
        if institution_code
        else None
    )
    with write(session) as w:
        uid = stamps.new_uid()
        vid = vaccination_repo.insert(
            w.conn,
            person_id,
            {
                "series_id": series_id,
                "outcome": "postponed",
                "vaccinated_on": on.isoformat(),
                "postpone_reason": reason.strip(),
                "institution_id": inst.id if inst else None,
            },
            uid=uid,
            version=w.version,
            origin=w.origin,
            stamp=w.stamp,
        )
        w.queue("vaccination", uid)
        _audit.record(
            session,
            "vaccination.postpone",
            person_id=person_id,
            record_type="vaccination",
            record_id=vid,
            detail={"reason": reason},
        )
    return vid


def _live_row(
    session: Session, vaccination_id: int, reason: str, code: str
) -> vaccination_repo.VaccinationRow:
    """The stored, not voided result a correction or void applies to; the reason is required."""
    if len(reason.strip()) < 2:
        raise ResultInvalid(code=code)
    row = vaccination_repo.get(session.register.conn, vaccination_id)
    if row is None or row.voided_at is not None:
        raise NotFound()
    return row


def correct(
    session: Session | SessionView, vaccination_id: int, changes: dict[str, object], reason: str
) -> None:
    """Correct fields of a stored result (訂正); the reason and the changed field names are audited."""
    session = session_of(session)
    _audit.require(session, perm.VACCINATION_CORRECT, "vaccination.correct")
    row = _live_row(session, vaccination_id, reason, "E_CORRECT_REASON")
    allowed = {
        "vaccinated_on",
        "receipt_no",
        "lot_no",
        "dose_amount_ml",
        "route",
        "site",
        "place",
        "doctor",
        "payment_month",
        "follow_up",
        "screening_doctor",
        "dose_label",
    }
    bad = set(changes) - allowed
    if bad or not changes:
        raise ResultInvalid(code="E_CORRECT_FIELDS")
    values = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in changes.items()}
    if "vaccinated_on" in values:
        birth = _person(session, row.person_id).birth_date
        if not (birth <= str(values["vaccinated_on"]) <= date.today().isoformat()):
            raise ResultInvalid(code="E_RESULT_DATE")
    with write(session) as w:
        vaccination_repo.update(
            w.conn, vaccination_id, values, version=w.version, origin=w.origin, stamp=w.stamp
        )
        w.queue("vaccination", vaccination_repo.uid_of(w.conn, vaccination_id))
        _audit.record(
            session,
            "vaccination.correct",
            person_id=row.person_id,
            record_type="vaccination",
            record_id=vaccination_id,
            detail={"fields": sorted(values), "reason": reason},
        )


def void(session: Session | SessionView, vaccination_id: int, reason: str) -> None:
    """Void a result (取消). The row stays in the register, marked with the reason."""
    session = session_of(session)
    _audit.require(session, perm.VACCINATION_VOID, "vaccination.void")
    row = _live_row(session, vaccination_id, reason, "E_VOID_REASON")
    with write(session) as w:
        vaccination_repo.void(
            w.conn,
            vaccination_id,
            reason.strip(),
            version=w.version,
            origin=w.origin,
            stamp=w.stamp,
        )
        w.queue("vaccination", vaccination_repo.uid_of(w.conn, vaccination_id))
        _audit.record(
            session,
            "vaccination.void",
            person_id=row.person_id,
            record_type="vaccination",
            record_id=vaccination_id,
            detail={"reason": reason},
        )
