"""Birth dates whose window for a series is open on a date: the cohort of a 未接種者一覧.

Found with the engine itself (so it follows the catalog): the birth dates are probed every
``PROBE_DAYS`` back to ``MAX_AGE_YEARS`` and each change between two probes is narrowed to the
exact day by bisection. Open ranges can be disjoint (日本脳炎: the main window and a 特例 cohort
years apart; MR 1期: the window and the shortage-extension cohort): the persons born in a gap
are not read at all. The birth limits of the series and its rules (and the days beside them) are
probed too, so a rule's cohort closing to a few birth days is found (日本脳炎 特例 on its last
day). Any other open range shorter than ``PROBE_DAYS`` lying wholly between two closed probes
would be missed; no catalog rule opens one (windows are months or 年度 long), and the test suite
checks every bundled series against a day-by-day scan.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from itertools import pairwise

from app.domain.catalog import Catalog
from app.domain.schedule.engine import evaluate
from app.domain.schedule.model import Person
from app.domain.schedule.person_windows import window_holds

MAX_AGE_YEARS = 120
PROBE_DAYS = 14
OPEN = ("due", "waiting")


def _opener(catalog: Catalog, series_id: str, on: date) -> Callable[[date], bool]:
    cache: dict[date, bool] = {}

    def is_open(dob: date) -> bool:
        hit = cache.get(dob)
        if hit is None:
            person = Person(dob, "F")
            # (most probes are decades away from any window: no plan is walked for them)
            hit = cache[dob] = window_holds(catalog, series_id, person, on) and (
                evaluate(catalog, person, [], on).get(series_id).status in OPEN
            )
        return hit

    return is_open


def _edge(is_open: Callable[[date], bool], closed: date, opened: date) -> date:
    """The open day next to the closed side, between a closed and an open probe."""
    while abs((opened - closed).days) > 1:
        mid = closed + timedelta(days=(opened - closed).days // 2)
        if is_open(mid):
            opened = mid
        else:
            closed = mid
    return opened


def open_birth_ranges(catalog: Catalog, series_id: str, on: date) -> list[tuple[date, date]]:
    """Disjoint, ascending (first, last) birth-date ranges whose window is open on ``on`` for a
    person with no doses (female, so that sex-restricted series are found)."""
    is_open = _opener(catalog, series_id, on)
    floor = on - timedelta(days=int(MAX_AGE_YEARS * 365.25))
    probes = []
    d = on
    while d >= floor:
        probes.append(d)
        d -= timedelta(days=PROBE_DAYS)
    # The birth limits of the series and of its special rules, and the days beside them: a
    # rule's cohort can leave a range of a few birth days open (日本脳炎 特例 born up to
    # 2007-04-01, open until 20 years: on 2027-03-31 one birth day), which probes every
    # PROBE_DAYS would step over.
    probes.extend(d for d in _birth_limits(catalog, series_id) if floor < d < on)
    probes = sorted(set(probes))  # ascending
    if probes[0] != floor:
        probes.insert(0, floor)
    ranges: list[tuple[date, date]] = []
    start: date | None = floor if is_open(floor) else None
    for prev, cur in pairwise(probes):
        now = is_open(cur)
        if start is None and now:
            start = _edge(is_open, prev, cur)
        elif start is not None and not now:
            ranges.append((start, _edge(is_open, cur, prev)))
            start = None
    if start is not None:
        ranges.append((start, probes[-1]))
    return ranges


def _birth_limits(catalog: Catalog, series_id: str) -> set[date]:
    series = catalog.series_by_id(series_id)
    limits = [series.birth_from, series.birth_until]
    for rule in catalog.rules_by_series.get(series_id, ()):
        limits += [rule.birth_from, rule.birth_until]
    one = timedelta(days=1)
    return {d + k * one for d in limits if d is not None for k in (-1, 0, 1)}
