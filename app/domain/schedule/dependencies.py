"""Products that depend on another series' status (5種混合 for Hib needs DPT-IPV doses due)."""

from __future__ import annotations

from app.domain.catalog import Catalog, Series
from app.domain.schedule.model import SeriesStatus

_ORDER: dict[int, tuple[tuple[Series, ...], tuple[Series, ...]]] = {}


def dependency_order(catalog: Catalog) -> tuple[Series, ...]:
    """Series whose products depend on another series' status (5種混合 for Hib) after the
    others; memoized per series tuple (catalogs are immutable and cached by their loader)."""
    key = id(catalog.series)
    hit = _ORDER.get(key)
    if hit is None or hit[0] is not catalog.series:
        if len(_ORDER) > 256:
            _ORDER.clear()
        later = tuple(s for s in catalog.series if any(sp.while_open for sp in s.products))
        first = tuple(s for s in catalog.series if s not in later)
        hit = _ORDER[key] = (catalog.series, first + later)
    return hit[1]


OPEN = ("upcoming", "due", "waiting")


def gated(
    series: Series, started_with: str | None, done: dict[str, SeriesStatus]
) -> frozenset[str]:
    """Products that can no longer be given for the next dose: their ``while_open`` series has
    no dose left (complete, missed, not applicable), or this series was started with another
    product (a child started on standalone Hib stays on it)."""
    out = set()
    for sp in series.products:
        if sp.while_open is None:
            continue
        other = done.get(sp.while_open)
        closed = other is None or other.status not in OPEN
        if closed or (started_with is not None and started_with != sp.product):
            out.add(sp.product)
    return frozenset(out)
