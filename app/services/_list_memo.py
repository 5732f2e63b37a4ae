"""What a 未接種者一覧 keeps between lists, per loaded catalog (``catalog_for`` caches the
object): the engine's judgements of a series on a day, the open birth ranges of a series on a
day, and the windows per birth date of a series sharing its products. A counter lists the same
series many times a day; the first list of a day computes them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from app.domain.catalog import Catalog, Series
from app.domain.legaldate import fiscal_year
from app.domain.schedule import SeriesStatus, open_birth_ranges
from app.services._list_sharing import Sharing

# The engine's judgement of one series on one day for a (birth date, sex, doses) combination,
# kept across lists per loaded catalog for the last few series listed: a counter lists the same
# series many times a day, and its persons share ~10⁴ combinations at 1M persons (~3 MiB each).
JUDGED_MAX = 120_000  # combinations kept per series and day; the rest are judged every time
JUDGED_LISTS = 4  # series and days kept
_JUDGED: dict[tuple[int, str, date], tuple[Catalog, dict[Any, SeriesStatus]]] = {}


def judged(full: Catalog, series_id: str, on: date) -> dict[Any, SeriesStatus]:
    key = (id(full), series_id, on)
    hit = _JUDGED.pop(key, None)
    if hit is None or hit[0] is not full:
        hit = (full, {})
    while len(_JUDGED) >= JUDGED_LISTS:
        del _JUDGED[next(iter(_JUDGED))]  # the least recently listed
    _JUDGED[key] = hit
    return hit[1]


_SPANS: dict[tuple[int, str, date], tuple[Catalog, dict[Any, Any]]] = {}


def judged_spans(full: Catalog, series_id: str, on: date) -> dict[Any, Any]:
    """As ``judged``, for the judgements with their spans (``_list_kept.Judged``)."""
    key = (id(full), series_id, on)
    hit = _SPANS.pop(key, None)
    if hit is None or hit[0] is not full:
        hit = (full, {})
    while len(_SPANS) >= JUDGED_LISTS:
        del _SPANS[next(iter(_SPANS))]
    _SPANS[key] = hit
    return hit[1]


# The statuses of the series others depend on (DPT-IPV for Hib) for persons holding no dose of
# them, per (catalog's series, series, birth date, sex, day): ``one_series.evaluate_series``.
_KEPT: dict[int, tuple[Catalog, date, dict[Any, SeriesStatus]]] = {}


def kept_dependencies(full: Catalog, on: date) -> dict[Any, SeriesStatus]:
    """The dependency statuses kept for the loaded catalog's lists of ``on`` (a few thousand
    birth dates per series): dropped when another day or catalog is listed."""
    hit = _KEPT.get(id(full))
    if hit is None or hit[0] is not full or hit[1] != on:
        _KEPT.clear()
        hit = _KEPT[id(full)] = (full, on, {})
    return hit[2]


_RANGES: dict[tuple[int, str, date], tuple[Catalog, list[tuple[date, date]]]] = {}
_SHARING: dict[tuple[int, str], tuple[Catalog, Sharing]] = {}


def sharing(
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


def birth_ranges(
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


def season_counted(full: Catalog, series: Series) -> tuple[tuple[str, str, str], ...] | None:
    """For a seasonal series: the (product, first day, last day) on which a routine dose
    recorded under the series surely counts for the engine's season (``engine._seasonal``: a
    product of the series, routine on the day, going to the series — not a product the engine
    gives to one series by date — and no ``count_from``). One such dose in the season makes
    the series complete for a person eligible all season: the list leaves the person out
    without a judgement. None: nobody is left out so (not seasonal, or ``count_from``)."""
    if series.season is None or series.count_from is not None:
        return None
    out = []
    for sp in series.products:
        product = full.products.get(sp.product)
        targets = full.series_by_product.get(sp.product, ())
        if product is None or series.id not in targets:
            continue
        if product.assign == "one" and len(targets) > 1:
            continue
        out.append(
            (sp.product, _iso(sp.routine_from, "0000-01-01"), _iso(sp.routine_until, "9999-12-31"))
        )
    return tuple(out)


def _iso(day: date | None, default: str) -> str:
    return default if day is None else day.isoformat()


def season_start(series: Series, day: date) -> str | None:
    """For a seasonal series, the first day of the season of ``day``'s 年度 (doses before it do
    not count there); None for the others."""
    if series.season is None:
        return None
    return series.season.for_fiscal_year(fiscal_year(day))[0].isoformat()


Range = tuple[date, date]  # inclusive


def minus(ranges: list[Range], cut: list[Range]) -> list[Range]:
    """The days of ``ranges`` outside every range of ``cut`` (both inclusive, ascending)."""
    out = []
    for a, b in ranges:
        parts = [(a, b)]
        for c, d in cut:
            kept = []
            for x, y in parts:
                if d < x or c > y:
                    kept.append((x, y))
                    continue
                if x < c:
                    kept.append((x, c - timedelta(days=1)))
                if d < y:
                    kept.append((d + timedelta(days=1), y))
            parts = kept
        out.extend(parts)
    return out


def forget() -> None:
    """Drop the judgements this process keeps between lists (``judged``, ``judged_spans``,
    ``kept_dependencies``): the next list judges as the first list of a new process."""
    _JUDGED.clear()
    _SPANS.clear()
    _KEPT.clear()
