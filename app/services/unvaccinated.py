"""未接種者一覧: residents in a series' window on a date who have not completed it.

The cohort comes from the register by birth date (the range is found with the engine itself, so
it follows the catalog), then each candidate's doses of that series, dated up to the list date,
are judged by the engine — with the doses of the series sharing a product the engine gives to one
series by date (MR, 日本脳炎, PCV20: ``Catalog.sharing_with``), wherever they were recorded,
split among those series as the engine splits them (``_list_sharing``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import groupby
from operator import itemgetter
from pathlib import Path

from app.domain.schedule import (
    OPEN_STATUSES,
    HistoryEntry,
    Person,
    SeriesStatus,
)
from app.domain.schedule.one_series import evaluate_series
from app.errors import InvalidInput
from app.gcpause import collector_paused
from app.security import permissions as perm
from app.security.atomic import write_atomic
from app.security.session import Session, SessionView, session_of
from app.services import _audit, _list_complete
from app.services._list_export import CSV_HEADER as CSV_HEADER
from app.services._list_export import ExportCancelled as ExportCancelled
from app.services._list_export import csv_bytes
from app.services._list_history import history as history_of
from app.services._list_history import in_birth_order
from app.services._list_live import OtherLive
from app.services._list_memo import (
    JUDGED_MAX,
    birth_ranges,
    judged,
    kept_dependencies,
    minus,
    season_counted,
    season_start,
    sharing,
)
from app.services._list_rows import display_rows
from app.services._list_types import PAGE_ROWS as PAGE_ROWS
from app.services._list_types import Decided as Decided
from app.services._list_types import UnvaccinatedDecision as UnvaccinatedDecision
from app.services._list_types import UnvaccinatedEntry as UnvaccinatedEntry
from app.services._list_types import UnvaccinatedList as UnvaccinatedList
from app.services.schedule import catalog_for
from app.store import list_complete, lists, lists_shared, register_meta
from app.store import persons as person_repo
from app.store.db import transaction

MAX_AGE_YEARS = 120


class UnknownSeries(InvalidInput):
    code = "E_SERIES_UNKNOWN"


def decide_list(
    session: Session | SessionView,
    series_id: str,
    on: date | None = None,
    *,
    area_code: str | None = None,
) -> UnvaccinatedDecision:
    """Everyone in the series' window on ``on`` whose series is due or waiting, decided from
    ids, birth dates, sex and dose facts only (covering indexes; no name or address is read).

    A person is skipped in SQL as complete only when SQL proves the engine finds the series
    complete: for a seasonal series, one routine dose this season of a product routine on its
    day, for a person eligible since the season began (``season_counted``); everyone else
    holding a dose is judged by the engine (a count of doses cannot tell which ones the engine
    counts: intervals, the day a product becomes routine, the window for the age). When the series
    shares a product given to one series by date, the series recorded does not decide alone:
    each dose goes where the engine puts it by the windows of the person's birth date
    (``_list_sharing``; in SQL ``lists_shared.Own``), and the series is judged on its own doses. The
    rest are judged by the engine, whose result depends only on birth date, sex and the
    person's doses of the series (and of those sharing its products), so it is computed once
    per distinct combination. The doses of the
    series that decide which products this one may still offer (DPT-IPV for Hib's 5種混合) are
    read only for the persons whose own doses leave the series open: more doses never reopen a
    complete, missed or not-yet-open series."""
    with collector_paused():  # ~10⁵ row tuples: no collector pass over the process's objects
        return _decide(session, series_id, on, area_code)


def _decide(
    session: Session | SessionView, series_id: str, on: date | None, area_code: str | None
) -> UnvaccinatedDecision:
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
    dated = birth_ranges(full, solo, series_id, day)
    ranges = tuple((a.isoformat(), b.isoformat()) for a, b in dated)
    conn = session.register.conn
    since = season_start(series, day)
    until = day.isoformat()
    # A shared product's doses are split by the windows they fall in (``_list_sharing``): the
    # series is then judged on its own doses by the engine on the catalog of the series alone,
    # nobody left out by a count.
    split_by = sharing(full, catalog, series_id, group) if shared and since is None else None
    rule = None
    if split_by is not None:
        alone, others = split_by.days(dated, "F" if series.sex == "F" else "M")
        rule = lists_shared.Own(series_id, split_by.shared, split_by.direct, alone, others)
    # A seasonal series' persons eligible since the season began who hold one routine dose of
    # it this season, of a product routine on its day, are complete (``season_counted``) — but
    # not those who became eligible after the season began (turning 65 in it): the engine
    # counts their season from that day, so they are judged by it. Nobody else is left out by
    # a count: the engine judges everyone holding a dose.
    whole, late = dated, []
    series_sex = "F" if series.sex == "F" else None
    if since is not None and since <= until:
        whole = birth_ranges(full, solo, series_id, date.fromisoformat(since))
        whole, late = minus(dated, minus(dated, whole)), minus(dated, whole)
    key: bytes | None = None
    kept_complete: dict[int, bytes] = {}
    fresh: list[tuple[int, bytes]] = []
    if rule is not None:
        # (a series split by ``rule`` has no season: ``late`` is empty)
        members, doses = lists_shared.own_cohort(
            conn, group, ranges, rule, counted_until=until, sex=series_sex, area_code=area_code
        )
        facts: dict[int, str] = {}
        if key := _list_complete.rules_key(conn, full, series_id):
            kept_complete = list_complete.bases(conn, series_id, [m[0] for m in members if m[3]])
    else:
        counted = season_counted(full, series)
        parts = [
            lists.cohort(
                conn,
                group,
                [(a.isoformat(), b.isoformat()) for a, b in part],
                complete_at=complete_at,
                counted_since=since,
                counted_until=until,
                counted=counted or (),
                sex=series_sex,
                area_code=area_code,
            )
            for part, complete_at in ((whole, None if counted is None else 1), (late, None))
        ]
        members = in_birth_order(parts)
        # the dose facts as one string per person: the judgements are looked up by it
        holding = [m[0] for m in members if m[3]]
        facts = lists.dose_facts(conn, holding, group, since, until)
        doses = {}
        # "complete" judgements kept from earlier lists (``_list_complete``; no season only)
        if since is None and (key := _list_complete.rules_key(conn, full, series_id)):
            kept_complete = list_complete.bases(conn, series_id, holding)

    def code(product: str | None, sid: str = series_id) -> str:
        # Rows of one series: a product that goes to one series by date stands for it (unless
        # the series' doses are judged with the others that share the product).
        if product is None or product not in catalog.products:
            return sid
        if catalog.products[product].assign == "one" and not shared:
            return sid
        return product

    memo = judged(full, series_id, day)
    kept = kept_dependencies(full, day)

    def judge(
        dob: date, sex: str, history: tuple[tuple[str, date], ...], alone: bool = False
    ) -> SeriesStatus:
        key = (dob, sex, history, alone)
        hit = memo.get(key)
        if hit is None:
            entries = [HistoryEntry(c, d) for c, d in history]
            person = Person(dob, "F" if sex == "F" else "M")
            # Without doses nothing is shared: the series' own catalog judges as the group's.
            own_catalog = alone or not history
            hit = evaluate_series(
                solo if own_catalog else catalog, person, entries, day, series_id, kept
            )
            if len(memo) < JUDGED_MAX:
                memo[key] = hit
        return hit

    # The engine reads sex only for a series restricted to one sex (engine.py): otherwise it is
    # left out of the memo key, which halves the evaluations.
    sex_matters = series.sex is not None
    born_on = lru_cache(maxsize=None)(date.fromisoformat)
    open_: list[Decided] = []
    deps = catalog.depends_on(series_id)
    make = tuple.__new__  # a Decided without the Python-level constructor (~10⁵ per list)
    # Members come in birth-date order and most have no dose of the series: a birth date's
    # members without doses (of one sex, or for a series that does not read it) are decided by
    # one judgement and their rows made at once (~1.7·10⁵ members for flu65 at 1M persons).
    append = open_.append
    extend = open_.extend
    given_of = itemgetter(3)
    # another series' injected live doses that the engine's 27-day rule may read (``_list_live``)
    live = OtherLive(conn, full, series_id, group, day, [m[0] for m in members])
    lives = live.doses

    def fully(pid: int, sex: str, dob: date, st: SeriesStatus | None = None) -> SeriesStatus:
        # the person view's judgement when another live dose lies near what ``st`` read
        if st is None or (st.status != "complete" and live.near(pid, (st.earliest,))):
            return live.judge(pid, dob, sex, kept, memo)
        return st

    for born, same_day in groupby(members, itemgetter(2)):
        group_rows = list(same_day)
        dob = born_on(born)
        if (
            (not sex_matters or len(group_rows) == 1)
            and not any(map(given_of, group_rows))
            and not (lives and any(m[0] in lives for m in group_rows))
        ):
            st = judge(dob, group_rows[0][1] if sex_matters else "", ())
            if st.status in OPEN_STATUSES:
                extend([make(Decided, (m[0], m[1], dob, st)) for m in group_rows])
            continue
        for pid, sex, _, given in group_rows:
            key_sex = sex if sex_matters else ""
            if not given:
                st = judge(dob, key_sex, ())
                if pid in lives:
                    st = fully(pid, sex, dob, None if live.near(pid, ()) else st)
                if st.status in OPEN_STATUSES:
                    append(make(Decided, (pid, sex, dob, st)))
                continue
            if pid in lives:
                given_on = (
                    [r[0] for r in lists.parse_facts(facts[pid])]
                    if split_by is None
                    else [r[0] for r in doses[pid]]
                )
                if live.near(pid, [born_on(d) for d in given_on]):
                    st = fully(pid, sex, dob)
                    if st.status in OPEN_STATUSES:
                        append(make(Decided, (pid, sex, dob, st)))
                    continue
            if split_by is None:
                if key is not None:
                    basis = _list_complete.basis(key, born, key_sex, facts[pid])
                    if kept_complete.get(pid) == basis:
                        continue  # judged complete before, on the same facts and rules
                seen = (dob, key_sex, facts[pid])  # (not a judge key: those have 4 parts)
                known = memo.get(seen)
                if known is None:
                    known = judge(dob, key_sex, history_of(lists.parse_facts(seen[2]), code, since))
                    if len(memo) < JUDGED_MAX:
                        memo[seen] = known
                st = known
                if pid in lives:
                    st = fully(pid, sex, dob, st)
                if key is not None and st.status == "complete":
                    fresh.append((pid, basis))
                if st.status in OPEN_STATUSES:
                    append(make(Decided, (pid, sex, dob, st)))
                continue
            if key is not None:
                basis = _list_complete.basis(key, born, key_sex, _list_complete.of(doses[pid]))
                if kept_complete.get(pid) == basis:
                    continue  # judged complete before, on the same facts and rules
            split = None
            if given == 2:  # every dose its own (``lists_shared.own_cohort``)
                split = split_by.own_only(doses[pid])
            if split is None:
                split = split_by.split(
                    Person(dob, "F" if key_sex == "F" else "M"), doses[pid], code
                )
            if split is not None:
                history = split[0]  # (the series has no dependencies: ``Sharing.usable``)
                st = judge(dob, key_sex, history, alone=bool(history))
            else:
                history = history_of(doses[pid], code, since)
                st = judge(dob, key_sex, history)
            if pid in lives:
                st = fully(pid, sex, dob, st)
            if st.status in OPEN_STATUSES:
                append(make(Decided, (pid, sex, dob, st)))
            elif key is not None and st.status == "complete":
                fresh.append((pid, basis))
    read = tuple(group)
    for dep in deps:
        # Series that decide which products this one may still offer, for the open ones only:
        # their doses merged with the series' own in the order the engine walks them.
        read = (*read, dep)
        rows = lists.given_for_persons(conn, [d.person_id for d in open_], read, until)
        rejudged = []
        for d in open_:
            mine = rows[d.person_id]
            if d.person_id not in live.judged_fully and any(r[2] == dep for r in mine):
                history = history_of(mine, code, since, group)
                st = judge(d.birth_date, d.sex if sex_matters else "", history)
                if st.status not in OPEN_STATUSES:
                    continue
                d = d._replace(judged=st)
            rejudged.append(d)
        open_ = rejudged
    with transaction(conn):
        # (derived data: kept with the list's audit entry, in its transaction)
        list_complete.keep(conn, series_id, fresh)
        _audit.record(
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
    return display_rows(session, decision, decision.rows[start:stop])


def iter_entries(
    session: Session | SessionView, decision: UnvaccinatedDecision, *, chunk: int = 5000
) -> Iterator[list[UnvaccinatedEntry]]:
    """Every row of a decided list, ``chunk`` rows at a time (print and CSV stream them)."""
    session = session_of(session)
    _audit.require(session, perm.LIST_UNVACCINATED, "list.unvaccinated")
    for start in range(0, len(decision.rows), chunk):
        yield display_rows(session, decision, decision.rows[start : start + chunk])


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
    rows = display_rows(session_of(session), decision, decision.rows)
    return UnvaccinatedList(
        decision.series_id,
        decision.series_name,
        decision.on,
        decision.area_code,
        tuple(rows),
        decision.cohort_size,
    )


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
    data, done = csv_bytes(chunks, total, names, progress, cancelled)
    write_atomic(Path(out), data)
    _audit.record_now(
        session,
        "list.unvaccinated.export",
        detail={"series": listing.series_id, "rows": done},
    )
    return done


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
