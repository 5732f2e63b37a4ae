"""One series' status, exactly as ``evaluate`` finds it, for the judgements of a 未接種者一覧
(~10⁴–10⁵ persons of one series on one day).

``evaluate`` judges every series of the catalog it is given; a list needs one. The status of a
series depends on the other series only through the statuses of those deciding which products it
may still offer (``dependencies.gated``: DPT-IPV for Hib's 5種混合), so only the series and those
are judged here, from the doses ``evaluate`` would give them (``engine.distribute``).

A dependency's status depends on the person only through the birth date, sex, the doses given to
it and the live-vaccine dates (``engine._series_status``). When the history gives it no dose and
holds no live dose, and it depends on no series itself, its status is a function of (birth date,
sex, day) and is judged once per birth date and sex of the list (``kept``): a Hib list judges
DPT-IPV once per birth date for the children with only standalone Hib doses instead of once per
child.

Pure: no I/O and no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from app.domain.catalog import Catalog, Series
from app.domain.catalog_bounds import BoundContext
from app.domain.schedule.engine import _live_products, _series_status, context, distribute
from app.domain.schedule.model import NO_FACTS, HistoryEntry, Person, SeriesStatus
from app.domain.schedule.spans import kept_span


def evaluate_series(
    catalog: Catalog,
    person: Person,
    history: Sequence[HistoryEntry],
    on: date,
    series_id: str,
    kept: dict[Any, SeriesStatus],
) -> SeriesStatus:
    """``evaluate(catalog, person, history, on).get(series_id)`` (no facts), judging only the
    series and those it depends on. ``kept``: the statuses of dependencies holding no dose, by
    (the catalog's series, dependency, birth date, sex, day); the caller keeps it for one loaded
    catalog (restrictions of it share their series and rules objects) or drops it. A tracked
    ``on`` (``spans.judge_span``) keeps them by the span they hold over (``spans.kept_span``)."""
    ctx = context(person, NO_FACTS, on)
    per_series, live = distribute(catalog, person, history, on, NO_FACTS, ctx)
    live_products = _live_products(catalog.products)
    done: dict[str, SeriesStatus] = {}
    for series, alone in _with_dependencies(catalog, series_id):
        sid = series.id
        doses = per_series[sid]
        if alone and sid != series_id and not doses and not live:
            if type(on) is not date:  # a tracked judgement (spans.judge_span): kept by span
                done[sid] = kept_span(
                    kept,
                    (tuple([s.id for s in catalog.series]), sid, person.dob, person.sex),
                    on,
                    _judge_alone(catalog, series, person, ctx, live_products),
                )
                continue
            key = (tuple([s.id for s in catalog.series]), sid, person.dob, person.sex, on)
            hit = kept.get(key)
            if hit is None:
                hit = _series_status(
                    catalog, series, person, NO_FACTS, ctx, on, doses, live, live_products, {}
                )
                kept[key] = hit
            done[sid] = hit
            continue
        done[sid] = _series_status(
            catalog, series, person, NO_FACTS, ctx, on, doses, live, live_products, done
        )
    return done[series_id]


def _judge_alone(
    catalog: Catalog, series: Series, person: Person, ctx: BoundContext, live: frozenset[str]
) -> Callable[[date], SeriesStatus]:
    """The status of a series depending on none, for a person holding no dose of it and no live
    dose, as a function of the day (``ctx`` holds no facts: it reads no day)."""

    def judge(day: date) -> SeriesStatus:
        return _series_status(catalog, series, person, NO_FACTS, ctx, day, [], [], live, {})

    return judge


_ORDER: dict[tuple[int, str], tuple[tuple[Series, ...], tuple[tuple[Series, bool], ...]]] = {}


def _with_dependencies(catalog: Catalog, series_id: str) -> tuple[tuple[Series, bool], ...]:
    """The series and those it depends on (transitively), each after its dependencies, with
    whether it depends on none; memoized per series tuple (restrictions of a loaded catalog
    are made per list, their series objects are the loaded catalog's)."""
    key = (id(catalog.series), series_id)
    hit = _ORDER.get(key)
    if hit is not None and hit[0] is catalog.series:
        return hit[1]
    out: list[str] = []

    def visit(sid: str, path: tuple[str, ...]) -> None:
        if sid in out or sid in path:
            return
        for dep in catalog.depends_on(sid):
            visit(dep, (*path, sid))
        out.append(sid)

    visit(series_id, ())
    order = tuple((catalog.series_by_id(sid), not catalog.depends_on(sid)) for sid in out)
    if len(_ORDER) > 256:
        _ORDER.clear()
    _ORDER[key] = (catalog.series, order)
    return order
