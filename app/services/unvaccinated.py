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
from pathlib import Path

from app.errors import InvalidInput
from app.gcpause import collector_paused
from app.security import permissions as perm
from app.security.atomic import write_atomic
from app.security.session import Session, SessionView, session_of
from app.services import _audit, _list_judge, _list_season
from app.services._list_export import CSV_HEADER as CSV_HEADER
from app.services._list_export import ExportCancelled as ExportCancelled
from app.services._list_export import csv_bytes
from app.services._list_memo import (
    birth_ranges,
    minus,
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
from app.store import list_kept, register_meta
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

    A series without a season (``_list_judge``): the cohort is read joined with the judgements
    kept by earlier lists (``_list_kept``, migration 0013) in one statement; only the persons
    without a usable kept row (none, other rules, the list date outside its span) have their
    doses read and are judged by the engine — on their own doses, or for a series sharing a
    product given to one series by date on the doses the engine gives it by the windows of the
    birth date (``_list_sharing``), once per distinct combination — and their judgements are
    kept with the span of list dates over which they hold, in the list's transaction. A
    seasonal series (``_list_season``) is judged every day as before: a person is skipped in
    SQL as complete only when one routine dose this season of a product routine on its day
    proves it (``season_counted``). The doses of the series that decide which products this one
    may still offer (DPT-IPV for Hib's 5種混合) are read only for the persons whose own doses
    leave the series open: more doses never reopen a complete, missed or not-yet-open
    series."""
    with collector_paused():  # ~10⁵ row tuples: no collector pass over the process's objects
        return _decide(session, series_id, on, area_code)


def prepare_lists(session: Session | SessionView, on: date | None = None) -> dict[str, int]:
    """Judge every series without a season on ``on`` (default today) as its list does, keeping
    every judgement with its span (``_list_kept``), so that the first list of each series reads
    no dose for the persons judged; one audit entry. Returns series id → persons listed."""
    session = session_of(session)
    _audit.require(session, perm.LIST_UNVACCINATED, "list.prepare")
    return _prepare(session, on)


def _prepare(
    session: Session, on: date | None = None, detail: dict[str, str] | None = None
) -> dict[str, int]:
    """``prepare_lists`` for a caller that has checked its own permission (an initial load: the
    judgements are derived data, nothing is shown); one audit entry ``list.prepare``."""
    day = on or date.today()
    done: dict[str, int] = {}
    with collector_paused():
        for series in catalog_for(session).series:
            if series.season is None:
                done[series.id] = len(
                    _decide(session, series.id, day, None, audit=False, checked=True)
                )
    _audit.record_now(
        session,
        "list.prepare",
        detail={"count": len(done), "list_date": day.isoformat(), **(detail or {})},
    )
    return done


def _decide(
    session: Session | SessionView,
    series_id: str,
    on: date | None,
    area_code: str | None,
    *,
    audit: bool = True,
    checked: bool = False,
) -> UnvaccinatedDecision:
    session = session_of(session)
    if not checked:
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
    # A seasonal series' persons eligible since the season began who hold one routine dose of
    # it this season, of a product routine on its day, are complete (``season_counted``) — but
    # not those who became eligible after the season began (turning 65 in it): the engine
    # counts their season from that day, so they are judged by it. Nobody else is left out by
    # a count: the engine judges everyone holding a dose.
    whole, late = dated, []
    if since is not None and since <= until:
        whole = birth_ranges(full, solo, series_id, date.fromisoformat(since))
        whole, late = minus(dated, minus(dated, whole)), minus(dated, whole)

    def code(product: str | None, sid: str = series_id) -> str:
        # Rows of one series: a product that goes to one series by date stands for it (unless
        # the series' doses are judged with the others that share the product).
        if product is None or product not in catalog.products:
            return sid
        if catalog.products[product].assign == "one" and not shared:
            return sid
        return product

    if since is None:
        # judgements kept between lists, by span of list dates (``_list_judge``, ``_list_kept``)
        open_, size, keeping = _list_judge.decide(
            conn, full, catalog, solo, series_id, group, ranges, day, area_code, split_by, code
        )
    else:
        open_, size = _list_season.decide(
            conn, full, catalog, solo, series_id, group, day, whole, late, since, area_code, code
        )
        keeping = _list_judge.Keeping(None, [])
    with transaction(conn):
        # (derived data: kept with the list's audit entry, in its transaction)
        if keeping.key is not None and keeping.rows:
            rules = list_kept.new_rules_id(conn, keeping.key)
            list_kept.keep(conn, series_id, rules, keeping.rows)
        if audit:
            _audit.record(
                session,
                "list.unvaccinated",
                detail={"series": series_id, "rows": len(open_), "area": area_code},
            )
    return UnvaccinatedDecision(
        series_id, series.name_ja, day, area_code, tuple(open_), size, ranges
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
