"""Building the vaccine catalog (``app.domain.catalog``) from schema-valid data: the cross
references (product ids, dose numbers, special-rule series) are checked here and every part
becomes a frozen dataclass. ``catalog.catalog_from_dict`` is the entry point; this module is
split from the model only to keep each module small."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from app.domain.catalog import (
    Catalog,
    Cohort,
    DoseSpec,
    Interval,
    Plan,
    Product,
    Season,
    Series,
    SeriesProduct,
    SpecialRule,
    Window,
)
from app.domain.catalog_bounds import Bound, CatalogInvalid, bound_from_dict


def build_catalog(data: Mapping[str, Any]) -> Catalog:
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
