"""未接種者一覧: residents in a series' window on a date who have not completed it.

The cohort comes from the register by birth date (the range is found with the engine itself, so
it follows the catalog), then each candidate's own doses of that series are judged by the engine.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from app.domain.catalog import Catalog
from app.domain.legaldate import fiscal_year, fiscal_year_start
from app.domain.schedule import (
    OPEN_STATUSES,
    HistoryEntry,
    Person,
    SeriesStatus,
    evaluate,
    open_birth_ranges,
)
from app.errors import InvalidInput
from app.security import permissions as perm
from app.security.atomic import write_atomic
from app.security.masking import Policy, apply, person_policy
from app.security.session import Session, SessionView, session_of
from app.services import _audit
from app.services.schedule import catalog_for
from app.store import lists, register_meta
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
    next_product: str | None = None  # e.g. dpt_ipv_hib: the Hib dose is given as 5種混合


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
    full = catalog_for(session)
    catalog = _one_series(full, series_id)
    series = catalog.series_by_id(series_id)
    ranges = _birth_ranges(full, catalog, series_id, day)
    conn = session.register.conn
    complete_at = max(len(plan.doses) for plan in series.plans)
    since = fiscal_year_start(fiscal_year(day)).isoformat() if series.season else None
    rows, _read = lists.candidates(
        conn,
        series_id,
        [(a.isoformat(), b.isoformat()) for a, b in ranges],
        complete_at=complete_at,
        counted_since=since,
        sex="F" if series.sex == "F" else None,
        area_code=area_code,
    )
    with_doses = [c.id for c in rows if c.doses]
    doses = vaccination_repo.given_for_persons(conn, with_doses, series_id) if with_doses else {}
    # Series that decide which products this one may still offer (DPT-IPV for Hib's 5種混合).
    deps = {
        dep: vaccination_repo.given_for_persons(conn, [c.id for c in rows], dep)
        for dep in catalog.depends_on(series_id)
    }

    def code(product: str | None, sid: str = series_id) -> str:
        # Rows of one series: a product that goes to one series by date stands for it.
        if product is None or product not in catalog.products:
            return sid
        if catalog.products[product].assign == "one":
            return sid
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
        for dep, dep_rows in deps.items():
            if dep_rows[c.id]:
                own = {(code(p, dep), date.fromisoformat(d)) for d, p in dep_rows[c.id]}
                history = tuple(sorted(own.union(history)))
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
                st.next_product,
            )
        )
    _audit.record_now(
        session,
        "list.unvaccinated",
        detail={"series": series_id, "rows": len(out), "area": area_code},
    )
    return UnvaccinatedList(series_id, series.name_ja, day, area_code, tuple(out), len(rows))


_RANGES: dict[tuple[int, str, date], tuple[Catalog, list[tuple[date, date]]]] = {}


def _birth_ranges(
    full: Catalog, catalog: Catalog, series_id: str, on: date
) -> list[tuple[date, date]]:
    """Open birth ranges, memoized per loaded catalog (``catalog_for`` caches the object),
    series and date: a counter lists the same series many times a day."""
    key = (id(full), series_id, on)
    hit = _RANGES.get(key)
    if hit is None or hit[0] is not full:
        if len(_RANGES) > 64:
            _RANGES.clear()
        hit = _RANGES[key] = (full, open_birth_ranges(catalog, series_id, on))
    return hit[1]


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


@dataclass(frozen=True, slots=True)
class AreaChoice:
    code: str
    name: str | None  # None: the register has no name for the code


def area_choices(session: Session | SessionView) -> list[AreaChoice]:
    """The 地区 in use, with their names from the register's settings (for the screens)."""
    session = session_of(session)
    _audit.require(session, perm.LIST_UNVACCINATED, "list.areas")
    conn = session.register.conn
    names = register_meta.area_names(conn)
    return [AreaChoice(code, names.get(code)) for code in person_repo.area_codes(conn)]
