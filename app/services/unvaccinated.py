"""未接種者一覧: residents in a series' window on a date who have not completed it.

The cohort comes from the register by birth date (the range is found with the engine itself, so
it follows the catalog), then each candidate's own doses of that series are judged by the engine.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from app.domain.catalog import Catalog
from app.domain.legaldate import fiscal_year, fiscal_year_start
from app.domain.schedule import OPEN_STATUSES, HistoryEntry, Person, SeriesStatus, evaluate
from app.errors import InvalidInput
from app.security import permissions as perm
from app.security.atomic import write_atomic
from app.security.masking import Policy, apply, person_policy
from app.security.session import Session, SessionView, session_of
from app.services import _audit
from app.services.schedule import catalog_for
from app.store import lists
from app.store import persons as person_repo
from app.store import vaccinations as vaccination_repo

MAX_AGE_YEARS = 120


class UnknownSeries(InvalidInput):
    code = "E_SERIES_UNKNOWN"


class UnvaccinatedEntry(NamedTuple):  # immutable; a NamedTuple as lists reach ~10⁵ rows
    person_id: int
    atena_no: str
    name: str
    name_kana: str
    sex: str
    birth_date: date
    postal_code: str | None
    address: str
    area_code: str | None
    status: str
    doses_given: int
    next_dose: str | None
    earliest: date | None
    window_until: date | None


@dataclass(frozen=True, slots=True)
class UnvaccinatedList:
    series_id: str
    series_name: str
    on: date
    area_code: str | None
    entries: tuple[UnvaccinatedEntry, ...]
    cohort_size: int  # candidates judged by the engine (the complete ones are not counted)


def _one_series(catalog: Catalog, series_id: str) -> Catalog:
    try:
        return catalog.restricted_to(series_id)
    except KeyError:
        raise UnknownSeries() from None


def _window_open(catalog: Catalog, dob: date, series_id: str, on: date) -> bool:
    status = evaluate(catalog, Person(dob, "F"), [], on).get(series_id).status
    return status in OPEN_STATUSES


def birth_range(catalog: Catalog, series_id: str, on: date) -> tuple[date, date] | None:
    """Earliest and latest birth dates whose window for the series is open on ``on``.

    Found by scanning month by month (then day by day at the edges) back to ``MAX_AGE_YEARS``
    (series open to every age above a limit, e.g. flu65, stop there). Gaps inside the range (a
    special-rule cohort apart from the main window) only widen the cohort: every candidate is
    judged by the engine afterwards."""
    floor = on - timedelta(days=int(MAX_AGE_YEARS * 365.25))
    probe = [on - timedelta(days=30 * m) for m in range(0, MAX_AGE_YEARS * 12 + 1)]
    open_months = [d for d in probe if d >= floor and _window_open(catalog, d, series_id, on)]
    if not open_months:
        return None
    latest, earliest = open_months[0], open_months[-1]
    day = timedelta(days=1)
    while latest + day <= on and _window_open(catalog, latest + day, series_id, on):
        latest += day
    while earliest - day >= floor and _window_open(catalog, earliest - day, series_id, on):
        earliest -= day
    return earliest, latest


def build_list(
    session: Session | SessionView,
    series_id: str,
    on: date | None = None,
    *,
    area_code: str | None = None,
) -> UnvaccinatedList:
    """Everyone in the series' window on ``on`` whose series is due or waiting.

    Persons whose routine doses already reach the series' largest plan (this 年度's, for
    seasonal series — earlier seasons do not count there) are complete and skipped in SQL; the
    rest are judged by the engine, whose result depends only on birth date, sex and the person's
    doses of the series, so it is computed once per distinct combination."""
    session = session_of(session)
    _audit.require(session, perm.LIST_UNVACCINATED, "list.unvaccinated")
    day = on or date.today()
    catalog = _one_series(catalog_for(session), series_id)
    series = catalog.series[0]
    span = birth_range(catalog, series_id, day)
    conn = session.register.conn
    complete_at = max(len(plan.doses) for plan in series.plans)
    since = fiscal_year_start(fiscal_year(day)).isoformat() if series.season else None
    rows = (
        lists.candidates(
            conn,
            series_id,
            span[0].isoformat(),
            span[1].isoformat(),
            complete_at=complete_at,
            counted_since=since,
            sex="F" if series.sex == "F" else None,
            area_code=area_code,
            span_days=(span[1] - span[0]).days,
        )
        if span
        else []
    )
    with_doses = [c.id for c in rows if c.doses]
    doses = vaccination_repo.given_for_persons(conn, with_doses, series_id) if with_doses else {}

    def code(product: str | None) -> str:
        # Rows of this series only: a product that goes to one series by date stands for it.
        if product is None or product not in catalog.products:
            return series_id
        if catalog.products[product].assign == "one":
            return series_id
        return product

    @lru_cache(maxsize=65536)
    def judge(dob: date, sex: str, history: tuple[tuple[str, date], ...]) -> SeriesStatus:
        entries = [HistoryEntry(c, d) for c, d in history]
        return evaluate(catalog, Person(dob, "F" if sex == "F" else "M"), entries, day).get(
            series_id
        )

    # The engine reads sex only for a series restricted to one sex (engine.py): otherwise it is
    # left out of the memo key, which halves the evaluations.
    sex_matters = series.sex is not None
    policy = person_policy(session.permissions)
    shown = policy is Policy.SHOW
    born_on = lru_cache(maxsize=None)(date.fromisoformat)
    out = []
    for c in rows:
        history: tuple[tuple[str, date], ...] = ()
        if c.doses:
            history = tuple(
                sorted(
                    {
                        (code(p), date.fromisoformat(d))
                        for d, p in doses[c.id]
                        if since is None or d >= since
                    }
                )
            )
        dob = born_on(c.birth_date)
        st = judge(dob, c.sex if sex_matters else "", history)
        if st.status not in OPEN_STATUSES:
            continue
        if shown:
            name, kana, postal, address = c.name, c.name_kana, c.postal_code, c.address
        else:
            name = apply(policy, c.name, kind="name") or ""
            kana = apply(policy, c.name_kana, kind="name") or ""
            postal, address = apply(policy, c.postal_code), apply(policy, c.address) or ""
        out.append(
            UnvaccinatedEntry(
                c.id,
                c.atena_no,
                name,
                kana,
                c.sex,
                dob,
                postal,
                address,
                c.area_code,
                st.status,
                st.doses_given,
                st.next_dose,
                st.earliest,
                st.window_until,
            )
        )
    _audit.record_now(
        session,
        "list.unvaccinated",
        detail={"series": series_id, "rows": len(out), "area": area_code},
    )
    return UnvaccinatedList(series_id, series.name_ja, day, area_code, tuple(out), len(rows))


CSV_HEADER = [
    "宛名番号",
    "氏名",
    "カナ氏名",
    "性別",
    "生年月日",
    "郵便番号",
    "住所",
    "地区",
    "状態",
    "接種済回数",
    "次回",
    "接種可能日",
    "期限",
]


def export_csv(session: Session | SessionView, listing: UnvaccinatedList, out: Path) -> int:
    """The list as UTF-8 CSV (with BOM for Excel), for mailing; audited as an export."""
    session = session_of(session)
    _audit.require(session, perm.LIST_UNVACCINATED, "list.unvaccinated.export")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_HEADER)
    for e in listing.entries:
        w.writerow(
            [
                e.atena_no,
                e.name,
                e.name_kana,
                "女" if e.sex == "F" else "男",
                e.birth_date.isoformat(),
                e.postal_code or "",
                e.address,
                e.area_code or "",
                "接種可" if e.status == "due" else "間隔待ち",
                e.doses_given,
                e.next_dose or "",
                e.earliest.isoformat() if e.earliest else "",
                e.window_until.isoformat() if e.window_until else "",
            ]
        )
    write_atomic(Path(out), ("\ufeff" + buf.getvalue()).encode("utf-8"))
    _audit.record_now(
        session,
        "list.unvaccinated.export",
        detail={"series": listing.series_id, "rows": len(listing.entries)},
    )
    return len(listing.entries)


def areas(session: Session | SessionView) -> list[str]:
    session = session_of(session)
    _audit.require(session, perm.LIST_UNVACCINATED, "list.areas")
    return person_repo.area_codes(session.register.conn)
