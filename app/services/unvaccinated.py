"""未接種者一覧: residents in a series' window on a date who have not completed it.

The cohort comes from the register by birth date (the range is found with the engine itself, so
it follows the catalog), then each candidate's doses of that series, dated up to the list date,
are judged by the engine — with the doses of the series sharing a product the engine gives to one
series by date (MR, 日本脳炎: ``Catalog.sharing_with``), wherever they were recorded.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from app.domain.catalog import Catalog, Series
from app.domain.legaldate import fiscal_year
from app.domain.schedule import (
    OPEN_STATUSES,
    HistoryEntry,
    Person,
    SeriesStatus,
    evaluate,
    open_birth_ranges,
)
from app.errors import InvalidInput, VaxDeskError
from app.security import permissions as perm
from app.security.atomic import write_atomic
from app.security.masking import Policy, apply, person_policy
from app.security.session import Session, SessionView, session_of
from app.services import _audit
from app.services._list_sharing import Sharing
from app.services._list_types import Decided as Decided
from app.services._list_types import UnvaccinatedDecision as UnvaccinatedDecision
from app.services._list_types import UnvaccinatedEntry as UnvaccinatedEntry
from app.services._list_types import UnvaccinatedList as UnvaccinatedList
from app.services.schedule import catalog_for
from app.store import lists, register_meta
from app.store import persons as person_repo

MAX_AGE_YEARS = 120


class UnknownSeries(InvalidInput):
    code = "E_SERIES_UNKNOWN"


def _season_start(series: Series, day: date) -> str | None:
    """For a seasonal series, the first day of the season of ``day``'s 年度 (doses before it do
    not count there); None for the others."""
    if series.season is None:
        return None
    return series.season.for_fiscal_year(fiscal_year(day))[0].isoformat()


def decide_list(
    session: Session | SessionView,
    series_id: str,
    on: date | None = None,
    *,
    area_code: str | None = None,
) -> UnvaccinatedDecision:
    """Everyone in the series' window on ``on`` whose series is due or waiting, decided from
    ids, birth dates, sex and dose facts only (covering indexes; no name or address is read).

    Persons whose routine doses up to ``on`` already reach the series' largest plan (this
    season's, for seasonal series — earlier seasons do not count there) are complete and skipped
    in SQL, unless the series shares a product given to one series by date (then the series
    recorded does not decide, so nobody is skipped by it); the rest are judged by the engine,
    whose result depends only on birth date, sex and the person's doses of the series (and of
    those sharing its products), so it is computed once per distinct combination. The doses of the
    series that decide which products this one may still offer (DPT-IPV for Hib's 5種混合) are
    read only for the persons whose own doses leave the series open: more doses never reopen a
    complete, missed or not-yet-open series."""
    session = session_of(session)
    _audit.require(session, perm.LIST_UNVACCINATED, "list.unvaccinated")
    day = on or date.today()
    full = catalog_for(session)
    # Series sharing a product the engine gives to one series by date (MR, 日本脳炎): their
    # doses are judged together, as the engine does, and none is dropped by its own count.
    try:
        group = full.sharing_with(series_id)
    except KeyError:
        raise UnknownSeries() from None
    shared = len(group) > 1
    catalog = full.restricted_to(series_id, *group)
    series = catalog.series_by_id(series_id)
    # The windows open to a person with no doses: the series' own (and its dependencies')
    # rules decide them, whatever series share its products.
    solo = full.restricted_to(series_id) if shared else catalog
    dated = _birth_ranges(full, solo, series_id, day)
    ranges = tuple((a.isoformat(), b.isoformat()) for a, b in dated)
    conn = session.register.conn
    most = max(len(plan.doses) for plan in series.plans)
    complete_at = None if shared else most
    since = _season_start(series, day)
    until = day.isoformat()
    # A shared product's doses are split by the windows they fall in (``_list_sharing``): the
    # series is then judged on its own doses by the engine on the catalog of the series alone,
    # and persons whose doses are all its own and reach its largest plan are left out in SQL.
    sharing = _sharing(full, catalog, series_id, group) if shared and since is None else None
    rule = None
    if sharing is not None:
        alone, others = sharing.days(dated, "F" if series.sex == "F" else "M")
        rule = lists.Own(series_id, sharing.shared, sharing.direct, most, alone, others)
    members = lists.cohort(
        conn,
        group,
        ranges,
        complete_at=complete_at,
        counted_since=since,
        counted_until=until,
        sex="F" if series.sex == "F" else None,
        area_code=area_code,
        own=rule,
    )
    doses = lists.given_for_persons(conn, [m[0] for m in members if m[3]], group, until)

    def code(product: str | None, sid: str = series_id) -> str:
        # Rows of one series: a product that goes to one series by date stands for it (unless
        # the series' doses are judged with the others that share the product).
        if product is None or product not in catalog.products:
            return sid
        if catalog.products[product].assign == "one" and not shared:
            return sid
        return product

    judged = _judged(full, series_id, day)

    def judge(
        dob: date, sex: str, history: tuple[tuple[str, date], ...], alone: bool = False
    ) -> SeriesStatus:
        key = (dob, sex, history, alone)
        hit = judged.get(key)
        if hit is None:
            entries = [HistoryEntry(c, d) for c, d in history]
            person = Person(dob, "F" if sex == "F" else "M")
            hit = evaluate(solo if alone else catalog, person, entries, day).get(series_id)
            if len(judged) < JUDGED_MAX:
                judged[key] = hit
        return hit

    # The engine reads sex only for a series restricted to one sex (engine.py): otherwise it is
    # left out of the memo key, which halves the evaluations.
    sex_matters = series.sex is not None
    born_on = lru_cache(maxsize=None)(date.fromisoformat)
    own: dict[int, tuple[tuple[str, date], ...]] = {}
    open_: list[Decided] = []
    deps = catalog.depends_on(series_id)
    make = tuple.__new__  # a Decided without the Python-level constructor (~10⁵ per list)
    # Members come in birth-date order and most have no dose of the series: the judgement of
    # the previous birth date (and sex) without doses is reused until it changes (kept in
    # locals: the loop runs once per cohort member, ~1.7·10⁵ for flu65 at 1M persons).
    append = open_.append
    last_born: str | None = None
    last_sex = ""
    last_st: SeriesStatus | None = None
    last_open = False
    last_dob = day
    for pid, sex, born, given in members:
        key_sex = sex if sex_matters else ""
        if not given:
            if born != last_born or key_sex != last_sex:
                last_dob = born_on(born)
                last_st = judge(last_dob, key_sex, ())
                last_born, last_sex, last_open = born, key_sex, last_st.status in OPEN_STATUSES
            if last_open:
                append(make(Decided, (pid, sex, last_dob, last_st)))
                if deps:
                    own[pid] = ()
            continue
        dob = born_on(born)
        split = None
        if sharing is not None:
            split = sharing.split(Person(dob, "F" if key_sex == "F" else "M"), doses[pid], code)
        if split is not None:
            if split[1]:
                continue  # complete: routine doses recorded under it reach the largest plan
            st = judge(dob, key_sex, split[0], alone=bool(split[0]))
        else:
            history = tuple(
                sorted(
                    {
                        (code(p, sid), date.fromisoformat(d))
                        for d, p, sid, _ in doses[pid]
                        if since is None or d >= since
                    }
                )
            )
            st = judge(dob, key_sex, history)
        if st.status in OPEN_STATUSES:
            open_.append(make(Decided, (pid, sex, dob, st)))
            if deps:
                own[pid] = history
    for dep in deps:
        # Series that decide which products this one may still offer, for the open ones only.
        dep_rows = lists.given_for_persons(conn, [d.person_id for d in open_], (dep,), until)
        rejudged = []
        for d in open_:
            if dep_rows[d.person_id]:
                mine = {
                    (code(p, dep), date.fromisoformat(v)) for v, p, _, _ in dep_rows[d.person_id]
                }
                own[d.person_id] = history = tuple(sorted(mine.union(own[d.person_id])))
                st = judge(d.birth_date, d.sex if sex_matters else "", history)
                if st.status not in OPEN_STATUSES:
                    continue
                d = d._replace(judged=st)
            rejudged.append(d)
        open_ = rejudged
    _audit.record_now(
        session,
        "list.unvaccinated",
        detail={"series": series_id, "rows": len(open_), "area": area_code},
    )
    return UnvaccinatedDecision(
        series_id, series.name_ja, day, area_code, tuple(open_), len(members), ranges
    )


def entries(
    session: Session | SessionView,
    decision: UnvaccinatedDecision,
    start: int = 0,
    stop: int | None = None,
) -> list[UnvaccinatedEntry]:
    """The rows ``start:stop`` of a decided list with their display columns, masked for the
    session as every list is. Reads only the birth-date spans of those rows (one page of the
    screen, one chunk of a print or CSV)."""
    session = session_of(session)
    _audit.require(session, perm.LIST_UNVACCINATED, "list.unvaccinated")
    return _entries(session, decision, decision.rows[start:stop])


def iter_entries(
    session: Session | SessionView, decision: UnvaccinatedDecision, *, chunk: int = 5000
) -> Iterator[list[UnvaccinatedEntry]]:
    """Every row of a decided list, ``chunk`` rows at a time (print and CSV stream them)."""
    session = session_of(session)
    _audit.require(session, perm.LIST_UNVACCINATED, "list.unvaccinated")
    for start in range(0, len(decision.rows), chunk):
        yield _entries(session, decision, decision.rows[start : start + chunk])


def _entries(
    session: Session, decision: UnvaccinatedDecision, rows: Sequence[Decided]
) -> list[UnvaccinatedEntry]:
    if not rows:
        return []
    lo, hi = rows[0].birth_date.isoformat(), rows[-1].birth_date.isoformat()
    spans = [(max(a, lo), min(b, hi)) for a, b in decision.ranges if a <= hi and b >= lo]
    conn = session.register.conn
    wanted = {r.person_id for r in rows}
    shown = lists.shown_rows(conn, wanted, spans)
    if len(shown) < len(wanted):  # changed since the list was decided: read them by id
        shown.update(lists.shown_by_id(conn, [i for i in wanted if i not in shown]))
    policy = person_policy(session.permissions)
    out = []
    for r in rows:
        s = shown.get(r.person_id)
        if s is None:  # removed from the register since: left out of the page
            continue
        if policy is Policy.SHOW:
            name, kana, postal, address = s.name, s.name_kana, s.postal_code, s.address
        else:
            name = apply(policy, s.name, kind="name") or ""
            kana = apply(policy, s.name_kana, kind="name") or ""
            postal, address = apply(policy, s.postal_code), apply(policy, s.address) or ""
        st = r.judged
        out.append(
            UnvaccinatedEntry(
                r.person_id,
                s.atena_no,
                name,
                kana,
                r.sex,
                r.birth_date,
                postal,
                address,
                s.area_code,
                st.status,
                st.doses_given,
                st.next_dose,
                st.earliest,
                st.window_until,
                st.next_product,
            )
        )
    return out


def build_list(
    session: Session | SessionView,
    series_id: str,
    on: date | None = None,
    *,
    area_code: str | None = None,
) -> UnvaccinatedList:
    """The whole list with every row's display columns (``decide_list`` + ``entries``): what a
    caller that needs every row at once uses; the screen and the outputs page through it."""
    decision = decide_list(session, series_id, on, area_code=area_code)
    rows = _entries(session_of(session), decision, decision.rows)
    return UnvaccinatedList(
        decision.series_id,
        decision.series_name,
        decision.on,
        decision.area_code,
        tuple(rows),
        decision.cohort_size,
    )


# The engine's judgement of one series on one day for a (birth date, sex, doses) combination,
# kept across lists per loaded catalog for the last few series listed: a counter lists the same
# series many times a day, and its persons share ~10⁴ combinations at 1M persons (~3 MiB each).
JUDGED_MAX = 50_000  # combinations kept per series and day; the rest are judged every time
JUDGED_LISTS = 4  # series and days kept
_JUDGED: dict[tuple[int, str, date], tuple[Catalog, dict[Any, SeriesStatus]]] = {}


def _judged(full: Catalog, series_id: str, on: date) -> dict[Any, SeriesStatus]:
    key = (id(full), series_id, on)
    hit = _JUDGED.pop(key, None)
    if hit is None or hit[0] is not full:
        hit = (full, {})
    while len(_JUDGED) >= JUDGED_LISTS:
        del _JUDGED[next(iter(_JUDGED))]  # the least recently listed
    _JUDGED[key] = hit
    return hit[1]


_RANGES: dict[tuple[int, str, date], tuple[Catalog, list[tuple[date, date]]]] = {}
_SHARING: dict[tuple[int, str], tuple[Catalog, Sharing]] = {}


def _sharing(
    full: Catalog, catalog: Catalog, series_id: str, group: tuple[str, ...]
) -> Sharing | None:
    """The split of shared-product doses for the series (None: not usable for its group),
    kept per loaded catalog with the windows it has computed (per birth date, not per day)."""
    key = (id(full), series_id)
    hit = _SHARING.get(key)
    if hit is None or hit[0] is not full:
        if len(_SHARING) > 16:
            _SHARING.clear()
        hit = _SHARING[key] = (full, Sharing(catalog, series_id, group))
    return hit[1] if hit[1].usable else None


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


class ExportCancelled(VaxDeskError):
    """A CSV export was cancelled: no file was written."""

    code = "E_EXPORT_CANCELLED"


def export_csv(
    session: Session | SessionView,
    listing: UnvaccinatedList | UnvaccinatedDecision,
    out: Path,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> int:
    """The list as UTF-8 CSV (with BOM for Excel), for mailing; audited as an export. A decided
    list is streamed chunk by chunk (display columns read per chunk), reporting ``progress``
    (rows done, total) and stopping with ``ExportCancelled`` (no file) when ``cancelled``."""
    session = session_of(session)
    _audit.require(session, perm.LIST_UNVACCINATED, "list.unvaccinated.export")
    if isinstance(listing, UnvaccinatedList):
        chunks: Iterable[Sequence[UnvaccinatedEntry]] = [listing.entries]
        total = len(listing.entries)
    else:
        chunks = iter_entries(session, listing)
        total = len(listing.rows)
    names = register_meta.area_names(session.register.conn)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_HEADER)
    done = 0
    for chunk in chunks:
        if cancelled is not None and cancelled():
            raise ExportCancelled()
        w.writerows(_csv_row(e, names) for e in chunk)
        done += len(chunk)
        if progress is not None:
            progress(done, total)
    if cancelled is not None and cancelled():
        raise ExportCancelled()
    write_atomic(Path(out), ("\ufeff" + buf.getvalue()).encode("utf-8"))
    _audit.record_now(
        session,
        "list.unvaccinated.export",
        detail={"series": listing.series_id, "rows": done},
    )
    return done


def _area_text(code: str | None, names: dict[str, str]) -> str:
    """「中央地区（01）」 when the administrator named the 地区, else the bare code (as the printed
    list's ``printing._inputs.area_label``)."""
    if not code:
        return ""
    name = names.get(code)
    return f"{name}（{code}）" if name else code


def _csv_row(e: UnvaccinatedEntry, names: dict[str, str]) -> list[object]:
    return [
        e.atena_no,
        e.name,
        e.name_kana,
        "女" if e.sex == "F" else "男",
        e.birth_date.isoformat(),
        e.postal_code or "",
        e.address,
        _area_text(e.area_code, names),
        "接種可" if e.status == "due" else "間隔待ち",
        e.doses_given,
        e.next_dose or "",
        e.earliest.isoformat() if e.earliest else "",
        e.window_until.isoformat() if e.window_until else "",
    ]


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
