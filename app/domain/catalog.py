"""The vaccine catalog model (pure data) and its construction from parsed JSON.

The catalog file ``resources/catalog/catalog.json`` is validated against
``schemas/catalog.schema.json`` by ``app.store.catalog_files``; ``catalog_from_dict`` then checks
the cross references (product ids, dose numbers, special-rule series) and builds frozen dataclasses
the schedule engine reads. Every legal number lives in the data, so an administrator can correct
the catalog without a code change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from app.domain.catalog_bounds import Bound, CatalogInvalid

__all__ = [
    "Bound",
    "Catalog",
    "CatalogInvalid",
    "Cohort",
    "DoseSpec",
    "Interval",
    "Plan",
    "Product",
    "Season",
    "Series",
    "SeriesProduct",
    "SpecialRule",
    "Window",
    "catalog_from_dict",
]

LIVE_INJECTED = "live_injected"


@dataclass(frozen=True, slots=True)
class Product:
    id: str
    name_ja: str
    klass: str  # live_injected | live_oral | inactivated
    route: str
    assign: str  # "each": counts for every listed series; "one": for one series (by window)
    note: str = ""

    @property
    def live_injected(self) -> bool:
        return self.klass == LIVE_INJECTED


@dataclass(frozen=True, slots=True)
class Window:
    start: Bound
    until: Bound | None


@dataclass(frozen=True, slots=True)
class Interval:
    """Minimum interval after an earlier dose: ``after`` is a 1-based dose number or None (prev)."""

    after: int | None
    days: int | None
    months: int | None
    doctor_days: int | None = None


@dataclass(frozen=True, slots=True)
class DoseSpec:
    label: str
    intervals: tuple[Interval, ...] = ()
    intervals_if_skipped: tuple[Interval, ...] | None = None
    not_before: Bound | None = None
    skip_after: Bound | None = None
    skip_if_dose: int | None = None
    skip_if_after: Bound | None = None
    standard: Window | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    id: str
    products: frozenset[str] | None
    first_dose_until: Bound | None
    effective_from: date | None
    effective_until: date | None
    doses: tuple[DoseSpec, ...]


@dataclass(frozen=True, slots=True)
class SeriesProduct:
    product: str
    routine_from: date | None
    routine_until: date | None
    window_until: Bound | None
    # Offered for the next dose only while this other series still has a dose to give (and the
    # series was not started with another product): 5種混合 for Hib needs DPT-IPV doses due.
    while_open: str | None = None

    def routine_on(self, d: date) -> bool:
        return (self.routine_from is None or d >= self.routine_from) and (
            self.routine_until is None or d <= self.routine_until
        )


@dataclass(frozen=True, slots=True)
class Cohort:
    kind: str  # turning_age_in_fy | age_at_least_in_fy
    ages: tuple[int, ...]
    fy_from: int
    fy_until: int | None


@dataclass(frozen=True, slots=True)
class Season:
    """A yearly season inside each 年度, e.g. 10-01 to 01-31 (the end may be in the next year)."""

    from_month: int
    from_day: int
    until_month: int
    until_day: int

    def for_fiscal_year(self, fy: int) -> tuple[date, date]:
        def in_fy(month: int, day: int) -> date:
            return date(fy if month >= 4 else fy + 1, month, day)

        return in_fy(self.from_month, self.from_day), in_fy(self.until_month, self.until_day)


@dataclass(frozen=True, slots=True)
class Series:
    id: str
    name_ja: str
    category: str
    sex: str | None
    effective_from: date | None
    effective_until: date | None
    birth_from: date | None
    birth_until: date | None
    requires_fact: str | None
    window: Window | None
    cohorts: tuple[Cohort, ...]
    season: Season | None
    standard: Window | None
    count_from: Bound | None
    upcoming_horizon_months: int | None
    products: tuple[SeriesProduct, ...]
    default_products: tuple[str, ...]
    same_product: str  # none | warn | strict
    exclude_if_prior_products: frozenset[str]
    plans: tuple[Plan, ...]

    def product(self, product_id: str) -> SeriesProduct | None:
        for sp in self.products:
            if sp.product == product_id:
                return sp
        return None


@dataclass(frozen=True, slots=True)
class SpecialRule:
    id: str
    name_ja: str
    series: tuple[str, ...]
    birth_from: date | None
    birth_until: date | None
    requires_fact: str | None
    requires_dose_by: date | None
    window: Window
    effective_from: date | None
    effective_until: date | None
    warning: str | None


@dataclass(frozen=True, slots=True)
class Catalog:
    revision: date
    live_injected_min_days: int
    products: Mapping[str, Product]
    series: tuple[Series, ...]
    special_rules: tuple[SpecialRule, ...]
    rules_by_series: Mapping[str, tuple[SpecialRule, ...]]
    series_by_product: Mapping[str, tuple[str, ...]]

    def restricted_to(self, series_id: str, *more: str) -> Catalog:
        """The same catalog with the given series only (for evaluating one series over many
        people), plus the series their products depend on (``while_open``), which are evaluated
        with them."""
        needed = {series_id, *more}
        for sid in tuple(needed):
            wanted = self.series_by_id(sid)
            needed |= {sp.while_open for sp in wanted.products if sp.while_open}
        kept = tuple(s for s in self.series if s.id in needed)
        return replace(
            self,
            series=kept,
            rules_by_series={sid: self.rules_by_series.get(sid, ()) for sid in needed},
            series_by_product={
                p: tuple(i for i in ids if i in needed)
                for p, ids in self.series_by_product.items()
                if any(i in needed for i in ids)
            },
        )

    def sharing_with(self, series_id: str) -> tuple[str, ...]:
        """The series whose doses the engine may give to ``series_id`` or take from it: those
        linked to it (transitively) by a product given to one series by date (``assign`` "one":
        an MR or 日本脳炎 dose goes to the first series whose window holds its date, whichever
        series it was recorded under). Sorted, ``series_id`` included; just it when none."""
        group = {series_id}
        todo = [series_id]
        while todo:
            s = self.series_by_id(todo.pop())
            for sp in s.products:
                product = self.products.get(sp.product)
                if product is None or product.assign != "one":
                    continue
                for other in self.series_by_product.get(sp.product, ()):
                    if other not in group:
                        group.add(other)
                        todo.append(other)
        return tuple(sorted(group))

    def depends_on(self, series_id: str) -> tuple[str, ...]:
        """Series whose status decides which products ``series_id`` may still offer."""
        s = self.series_by_id(series_id)
        return tuple(sorted({sp.while_open for sp in s.products if sp.while_open}))

    def series_by_id(self, series_id: str) -> Series:
        for s in self.series:
            if s.id == series_id:
                return s
        raise KeyError(series_id)


def catalog_from_dict(data: Mapping[str, Any]) -> Catalog:
    """Build the catalog from schema-valid data; raise ``CatalogInvalid`` on a broken reference
    (the checks and construction are in ``app.domain.catalog_build``)."""
    from app.domain.catalog_build import build_catalog  # (it imports this module's classes)

    return build_catalog(data)
