"""A series' windows for one person (the part of the engine that depends on the birth date, facts
and the doses only through rules needing one by a date): whether the series applies, its spans
per product, and those kept per birth date for the judgements of a 未接種者一覧 (~10⁴ persons of
a few thousand birth dates).

Pure: no I/O and no clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from app.domain.catalog import Catalog, Series, SpecialRule
from app.domain.catalog_bounds import BoundContext
from app.domain.schedule.model import NO_FACTS, Facts, Person
from app.domain.schedule.windows import (
    Span,
    clip,
    main_spans,
    main_until_by_product,
    rule_applies,
    rule_span,
)


def applicable(series: Series, person: Person, facts: Facts, ctx: BoundContext) -> str | None:
    """None when the series may apply; else a warning (possibly empty) explaining why not."""
    if series.sex is not None and person.sex != series.sex:
        return "W_SEX_UNKNOWN: 性別が不明なため対象か判断できません" if person.sex is None else ""
    if series.birth_from is not None and person.dob < series.birth_from:
        return ""
    if series.birth_until is not None and person.dob > series.birth_until:
        return ""
    if series.requires_fact is not None and not has_fact(series.requires_fact, facts, ctx):
        return ""
    return None


def has_fact(name: str, facts: Facts, ctx: BoundContext) -> bool:
    if name == "pregnancy":
        return ctx.gestation_start is not None
    return name in ctx.facts or name in facts.flags


def series_spans(
    catalog: Catalog,
    series: Series,
    facts: Facts,
    ctx: BoundContext,
    dates: Sequence[date],
    until: date | None,
) -> list[Span]:
    spans = main_spans(series, ctx, until)
    for rule in catalog.rules_by_series.get(series.id, ()):
        has = rule.requires_fact is None or has_fact(rule.requires_fact, facts, ctx)
        if rule_applies(rule, ctx, has, dates):
            span = rule_span(rule, ctx)
            if span is not None:
                spans.append(span)
    return spans


def assignment_spans(
    catalog: Catalog,
    series_id: str,
    person: Person,
    facts: Facts,
    ctx: BoundContext,
    dates: Sequence[date],
) -> list[Span]:
    """The windows in which a dose of a product given to one series by date (MR, 日本脳炎) may
    go to ``series_id`` (``dates``: the doses it holds, for rules needing one by a date)."""
    s = catalog.series_by_id(series_id)
    if applicable(s, person, facts, ctx) is not None:
        return []
    until = max(main_until_by_product(s, ctx).values()) if s.window else None
    return series_spans(catalog, s, facts, ctx, dates, until)


def window_holds(catalog: Catalog, series_id: str, person: Person, on: date) -> bool:
    """False when, for ``person`` with no doses and no facts, no window of the series holds
    ``on`` (the series applies to them and is not seasonal): the engine then finds it neither
    due nor waiting — both need a window holding the date — without walking any plan. True
    when it may be open (``evaluate`` decides)."""
    series = catalog.series_by_id(series_id)
    if series.season is not None:
        return True
    ctx = BoundContext(person.dob, NO_FACTS.date_facts(), None)
    if applicable(series, person, NO_FACTS, ctx) is not None:
        return False  # not applicable
    # (not kept: the probes' birth dates are mostly decades from any list's cohort)
    windows = windows_for(catalog, series, NO_FACTS, ctx, (), keep=False)
    if windows is None:
        return False  # not applicable
    return any(s.start <= on <= s.until for spans in windows.valid.values() for s in spans)


# The windows of a series per product for a birth date, kept when they depend on nothing else (no
# facts, no rule of the series needing a dose by a date) for the series and rules objects of the
# loaded catalog (shared by its restrictions): a 未接種者一覧 judges ~10⁴ persons of a few
# thousand birth dates.
class Windows(NamedTuple):
    valid: dict[str, list[Span]]  # per product
    first_start: date  # the first day of any
    # the spans reported, merged, by (products closed, the product when only its own count)
    reports: dict[tuple[frozenset[str], str | None], list[Span]]


_Windows = Windows | None
_WINDOWS_MAX = 10_000  # birth dates and series (~10 objects each)
_WINDOWS: dict[tuple[int, date], tuple[Series, tuple[SpecialRule, ...], _Windows]] = {}


def windows_for(
    catalog: Catalog,
    series: Series,
    facts: Facts,
    ctx: BoundContext,
    dates: Sequence[date],
    *,
    keep: bool = True,
) -> _Windows:
    """The valid spans per product, the first day of any and the merged spans reported (None:
    no window at all), kept for the birth date unless ``keep`` is false. The spans are shared
    between calls: never changed in place."""
    if facts is not NO_FACTS:
        return valid_spans(catalog, series, facts, ctx, dates)
    rules = catalog.rules_by_series.get(series.id, ())
    key = (id(series), ctx.dob)
    hit = _WINDOWS.get(key)
    if hit is not None and hit[0] is series and hit[1] is rules:
        return hit[2]  # (only kept for rules needing no dose by a date)
    if not keep or any(rule.requires_dose_by is not None for rule in rules):
        return valid_spans(catalog, series, facts, ctx, dates)
    found = valid_spans(catalog, series, facts, ctx, dates)
    if len(_WINDOWS) >= _WINDOWS_MAX:
        _WINDOWS.clear()
    _WINDOWS[key] = (series, rules, found)
    return found


def valid_spans(
    catalog: Catalog, series: Series, facts: Facts, ctx: BoundContext, dates: Sequence[date]
) -> _Windows:
    by_product = main_until_by_product(series, ctx) if series.window is not None else {}
    valid: dict[str, list[Span]] = {}
    # Products sharing a window end share its spans (computed once: a list judges ~10⁴ persons).
    by_until: dict[date | None, list[Span]] = {}
    for sp in series.products:
        until = by_product.get(sp.product)
        spans = by_until.get(until)
        if spans is None:
            spans = by_until[until] = series_spans(catalog, series, facts, ctx, dates, until)
        if sp.routine_from is None and sp.routine_until is None:
            valid[sp.product] = spans  # nothing to clip (the spans are never changed in place)
            continue
        clipped = (clip(x.start, x.until, sp.routine_from, sp.routine_until) for x in spans)
        valid[sp.product] = [
            x if c == (x.start, x.until) else Span(c[0], c[1], x.rule)
            for c, x in zip(clipped, spans, strict=True)
            if c is not None
        ]
    if not any(valid.values()):
        return None
    return Windows(valid, min(s.start for spans in valid.values() for s in spans), {})
