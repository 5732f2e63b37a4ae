"""Windows (対象期間) of a series for one person: main window, cohorts, special rules, seasons."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from app.domain import legaldate as ld
from app.domain.catalog import Series, SpecialRule
from app.domain.catalog_bounds import BoundContext

OPEN_END = date(9999, 12, 31)


@dataclass(frozen=True, slots=True)
class Span:
    """An inclusive date range; ``rule`` is the special rule that opens it (None: the main rule)."""

    start: date
    until: date
    rule: SpecialRule | None = None

    def contains(self, d: date) -> bool:
        return self.start <= d <= self.until


def clip(
    start: date | None, until: date | None, lo: date | None, hi: date | None
) -> tuple[date, date] | None:
    """Intersect [start, until] with the effective period [lo, hi]; None when empty or unknown."""
    if start is None:
        return None
    s = start if lo is None or start >= lo else lo
    u = until if until is not None else OPEN_END
    if hi is not None and u > hi:
        u = hi
    return (s, u) if s <= u else None


def main_until_by_product(series: Series, ctx: BoundContext) -> dict[str, date]:
    """Last day of the main window for each product (products may extend it, e.g. 5種混合)."""
    assert series.window is not None
    default = series.window.until.evaluate(ctx) if series.window.until is not None else None
    out: dict[str, date] = {}
    for sp in series.products:
        until = sp.window_until.evaluate(ctx) if sp.window_until is not None else default
        out[sp.product] = until if until is not None else OPEN_END
    return out


def main_spans(series: Series, ctx: BoundContext, until: date | None) -> list[Span]:
    """The main window (clipped to the series' effective period) or the cohort windows."""
    if series.window is not None:
        start = series.window.start.evaluate(ctx)
        c = clip(start, until, series.effective_from, series.effective_until)
        return [] if c is None else [Span(c[0], c[1])]
    spans = []
    for fy in cohort_fiscal_years(series, ctx.dob):
        c = clip(
            ld.fiscal_year_start(fy),
            ld.fiscal_year_end(fy),
            series.effective_from,
            series.effective_until,
        )
        if c is not None:
            spans.append(Span(c[0], c[1]))
    return spans


def cohort_fiscal_years(series: Series, dob: date) -> list[int]:
    years: set[int] = set()
    for cohort in series.cohorts:
        last = cohort.fy_until if cohort.fy_until is not None else 9998
        for age in cohort.ages:
            reached = ld.age_reached(dob, age)
            if cohort.kind == "turning_age_in_fy":
                fy = ld.fiscal_year(reached)
                if cohort.fy_from <= fy <= last:
                    years.add(fy)
            else:  # age_at_least_in_fy: every listed 年度 by whose end the age is reached
                for fy in range(cohort.fy_from, min(last, cohort.fy_from + 50) + 1):
                    if reached <= ld.fiscal_year_end(fy):
                        years.add(fy)
    return sorted(years)


def rule_applies(
    rule: SpecialRule, ctx: BoundContext, has_fact: bool, series_dates: Sequence[date]
) -> bool:
    dob = ctx.dob
    if rule.birth_from is not None and dob < rule.birth_from:
        return False
    if rule.birth_until is not None and dob > rule.birth_until:
        return False
    if rule.requires_fact is not None and not has_fact:
        return False
    return rule.requires_dose_by is None or any(d <= rule.requires_dose_by for d in series_dates)


def rule_span(rule: SpecialRule, ctx: BoundContext) -> Span | None:
    start = rule.window.start.evaluate(ctx)
    until = rule.window.until.evaluate(ctx) if rule.window.until is not None else None
    c = clip(start, until, rule.effective_from, rule.effective_until)
    return None if c is None else Span(c[0], c[1], rule)


def merged(spans: Iterable[Span]) -> list[Span]:
    """Sorted union of spans (touching spans are joined); rule identity is dropped."""
    out: list[Span] = []
    for s in sorted(spans, key=lambda x: (x.start, x.until)):
        if out and s.start <= out[-1].until + timedelta(days=1):
            if s.until > out[-1].until:
                out[-1] = Span(out[-1].start, s.until)
        else:
            out.append(Span(s.start, s.until))
    return out


def season_span(series: Series, fy: int, eligibility: Sequence[Span]) -> Span | None:
    """The part of the season of 年度 ``fy`` in which the person is eligible (first piece)."""
    assert series.season is not None
    s_from, s_until = series.season.for_fiscal_year(fy)
    for e in merged(eligibility):
        start = max(s_from, e.start)
        until = min(s_until, e.until)
        if start <= until:
            return Span(start, until)
    return None
