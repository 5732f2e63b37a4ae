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

from app.domain.catalog_bounds import Bound, CatalogInvalid, bound_from_dict

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

    def restricted_to(self, series_id: str) -> Catalog:
        """The same catalog with one series only (for evaluating one series over many people),
        plus the series its products depend on (``while_open``), which are evaluated with it."""
        wanted = self.series_by_id(series_id)
        needed = {series_id} | {sp.while_open for sp in wanted.products if sp.while_open}
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
    """Build the catalog from schema-valid data; raise ``CatalogInvalid`` on a broken reference."""
    try:
        products: dict[str, Product] = {}
        for i, p in enumerate(data["products"]):
            where = f"products[{i}]"
            if p["id"] in products:
                raise CatalogInvalid.at(where, f"製品IDが重複しています: {p['id']}")
            products[p["id"]] = Product(
                id=p["id"],
                name_ja=p["name_ja"],
                klass=p["class"],
                route=p["route"],
                assign=p.get("assign", "each"),
                note=p.get("note", ""),
            )
        series: list[Series] = []
        for i, s in enumerate(data["series"]):
            series.append(_series(s, f"series[{i}]({s.get('id')})", products))
        ids = [s.id for s in series]
        dup = {x for x in ids if ids.count(x) > 1}
        if dup:
            raise CatalogInvalid.at("series", f"シリーズIDが重複しています: {sorted(dup)}")
        rules = tuple(
            _rule(r, f"special_rules[{i}]({r.get('id')})", set(ids))
            for i, r in enumerate(data.get("special_rules", []))
        )
        by_product: dict[str, list[str]] = {}
        for s in series:
            for sp in s.products:
                by_product.setdefault(sp.product, []).append(s.id)
                if (
                    sp.while_open is not None and sp.while_open not in ids
                ) or sp.while_open == s.id:
                    raise CatalogInvalid.at(
                        f"series({s.id}).products({sp.product}).while_open",
                        f"シリーズが定義されていません: {sp.while_open}",
                    )
        return Catalog(
            revision=_date(data["revision"], "revision"),
            live_injected_min_days=int(data["live_injected_min_days"]),
            products=products,
            series=tuple(series),
            special_rules=rules,
            rules_by_series={s.id: tuple(r for r in rules if s.id in r.series) for s in series},
            series_by_product={k: tuple(v) for k, v in by_product.items()},
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise CatalogInvalid.at("catalog", f"必要な項目がないか形式が違います: {exc!r}") from exc


def _date(value: Any, where: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise CatalogInvalid.at(where, f"日付が不正です: {value!r}") from exc


def _opt_date(data: Mapping[str, Any], key: str, where: str) -> date | None:
    return None if data.get(key) is None else _date(data[key], f"{where}.{key}")


def _opt_bound(data: Mapping[str, Any], key: str, where: str) -> Bound | None:
    return None if data.get(key) is None else bound_from_dict(data[key], f"{where}.{key}")


def _window(data: Mapping[str, Any], where: str) -> Window:
    return Window(bound_from_dict(data["from"], f"{where}.from"), _opt_bound(data, "until", where))


def _intervals(items: list[Mapping[str, Any]], index: int, where: str) -> tuple[Interval, ...]:
    out = []
    for j, it in enumerate(items):
        after = it["after"]
        ref = None if after == "prev" else int(after)
        if ref is not None and not 1 <= ref <= index:
            raise CatalogInvalid.at(f"{where}[{j}]", f"前の接種回を指していません: after={after}")
        out.append(Interval(ref, it.get("days"), it.get("months"), it.get("doctor_days")))
    return tuple(out)


def _plan(p: Mapping[str, Any], where: str, series_products: set[str]) -> Plan:
    doses = []
    for k, d in enumerate(p["doses"]):
        dw = f"{where}.doses[{k}]({d.get('label')})"
        skip_if = d.get("skip_if")
        if skip_if is not None and not 1 <= int(skip_if["dose"]) <= k:
            raise CatalogInvalid.at(dw, "skip_if.dose は前の接種回を指す必要があります")
        skipped = d.get("intervals_if_skipped")
        doses.append(
            DoseSpec(
                label=d["label"],
                intervals=_intervals(d.get("intervals", []), k, f"{dw}.intervals"),
                intervals_if_skipped=None
                if skipped is None
                else _intervals(skipped, k, f"{dw}.intervals_if_skipped"),
                not_before=_opt_bound(d, "not_before", dw),
                skip_after=_opt_bound(d, "skip_after", dw),
                skip_if_dose=None if skip_if is None else int(skip_if["dose"]),
                skip_if_after=None
                if skip_if is None
                else bound_from_dict(skip_if["after"], f"{dw}.skip_if.after"),
                standard=None if d.get("standard") is None else _window(d["standard"], dw),
            )
        )
    plan_products = p.get("products")
    if plan_products is not None:
        unknown = set(plan_products) - series_products
        if unknown:
            raise CatalogInvalid.at(where, f"シリーズにない製品です: {sorted(unknown)}")
    return Plan(
        id=p["id"],
        products=None if plan_products is None else frozenset(plan_products),
        first_dose_until=_opt_bound(p, "first_dose_until", where),
        effective_from=_opt_date(p, "effective_from", where),
        effective_until=_opt_date(p, "effective_until", where),
        doses=tuple(doses),
    )


def _series(s: Mapping[str, Any], where: str, products: Mapping[str, Product]) -> Series:
    sps = []
    for j, sp in enumerate(s["products"]):
        pw = f"{where}.products[{j}]"
        if sp["product"] not in products:
            raise CatalogInvalid.at(pw, f"製品が定義されていません: {sp['product']}")
        sps.append(
            SeriesProduct(
                product=sp["product"],
                routine_from=_opt_date(sp, "routine_from", pw),
                routine_until=_opt_date(sp, "routine_until", pw),
                window_until=_opt_bound(sp, "window_until", pw),
                while_open=sp.get("while_open"),
            )
        )
    own = {sp.product for sp in sps}
    for pid in s["default_products"]:
        if pid not in own:
            raise CatalogInvalid.at(f"{where}.default_products", f"シリーズにない製品です: {pid}")
    plans = tuple(_plan(p, f"{where}.plans[{k}]", own) for k, p in enumerate(s["plans"]))
    for pid in own:
        if not any(p.products is None or pid in p.products for p in plans):
            raise CatalogInvalid.at(f"{where}.plans", f"製品 {pid} に使える接種計画がありません")
    window = None if s.get("window") is None else _window(s["window"], f"{where}.window")
    cohorts = tuple(
        Cohort(c["kind"], tuple(c["ages"]), int(c["fy_from"]), c.get("fy_until"))
        for c in s.get("cohorts", [])
    )
    if window is None and not cohorts:
        raise CatalogInvalid.at(where, "window か cohorts が必要です")
    season = None
    if s.get("season") is not None:
        f_m, f_d = (int(x) for x in s["season"]["from"].split("-"))
        u_m, u_d = (int(x) for x in s["season"]["until"].split("-"))
        season = Season(f_m, f_d, u_m, u_d)
    return Series(
        id=s["id"],
        name_ja=s["name_ja"],
        category=s["category"],
        sex=s.get("sex"),
        effective_from=_opt_date(s, "effective_from", where),
        effective_until=_opt_date(s, "effective_until", where),
        birth_from=_opt_date(s, "birth_from", where),
        birth_until=_opt_date(s, "birth_until", where),
        requires_fact=s.get("requires_fact"),
        window=window,
        cohorts=cohorts,
        season=season,
        standard=None if s.get("standard") is None else _window(s["standard"], where),
        count_from=_opt_bound(s, "count_from", where),
        upcoming_horizon_months=s.get("upcoming_horizon_months"),
        products=tuple(sps),
        default_products=tuple(s["default_products"]),
        same_product=s.get("same_product", "none"),
        exclude_if_prior_products=frozenset(s.get("exclude_if_prior_products", [])),
        plans=plans,
    )


def _rule(r: Mapping[str, Any], where: str, series_ids: set[str]) -> SpecialRule:
    unknown = set(r["series"]) - series_ids
    if unknown:
        raise CatalogInvalid.at(where, f"シリーズが定義されていません: {sorted(unknown)}")
    return SpecialRule(
        id=r["id"],
        name_ja=r["name_ja"],
        series=tuple(r["series"]),
        birth_from=_opt_date(r, "birth_from", where),
        birth_until=_opt_date(r, "birth_until", where),
        requires_fact=r.get("requires_fact"),
        requires_dose_by=_opt_date(r, "requires_dose_by", where),
        window=_window(r["window"], f"{where}.window"),
        effective_from=_opt_date(r, "effective_from", where),
        effective_until=_opt_date(r, "effective_until", where),
        warning=r.get("warning"),
    )
