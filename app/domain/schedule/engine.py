"""The schedule engine: what is due for one person on one date, series by series.

Pure: inputs are the catalog, the person, the history and facts; no I/O and no clock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from types import MappingProxyType

from app.domain.catalog import Catalog, Product, Series, Window
from app.domain.catalog_bounds import BoundContext
from app.domain.schedule import spans as tracking  # date reads a tracked judgement models
from app.domain.schedule.dependencies import dependency_order, gated
from app.domain.schedule.doses import (
    SeriesDose,
    WalkState,
    advance,
    choose_plan,
    default_product,
    interval_earliest,
    live_earliest,
    walk,
)
from app.domain.schedule.model import (
    NO_FACTS,
    Evaluation,
    Facts,
    HistoryEntry,
    Person,
    SeriesStatus,
    Status,
    not_applicable,
)
from app.domain.schedule.person_windows import (
    applicable,
    assignment_spans,
    series_spans,
    windows_for,
)
from app.domain.schedule.windows import Span, merged, season_span
from app.errors import InvalidInput


class UnknownVaccine(InvalidInput):
    code = "E_UNKNOWN_VACCINE"


def evaluate(
    catalog: Catalog,
    person: Person,
    history: Sequence[HistoryEntry],
    on: date,
    facts: Facts = NO_FACTS,
) -> Evaluation:
    """Evaluate every catalog series for ``person`` on ``on``.

    ``history`` entries name a product id (counted for every series the product belongs to; MR
    and 日本脳炎 doses go to the one series whose window holds the date) or a series id. Entries
    dated after ``on`` are ignored. Raises ``UnknownVaccine`` for an id not in the catalog.
    """
    ctx = context(person, facts, on)
    per_series, live = distribute(catalog, person, history, on, facts, ctx)
    live_products = _live_products(catalog.products)
    done: dict[str, SeriesStatus] = {}
    for s in dependency_order(catalog):
        done[s.id] = _series_status(
            catalog, s, person, facts, ctx, on, per_series[s.id], live, live_products, done
        )
    return Evaluation(on=on, series=tuple(done[s.id] for s in catalog.series))


def context(person: Person, facts: Facts, on: date) -> BoundContext:
    if facts is NO_FACTS:
        return BoundContext(person.dob, _NO_DATE_FACTS)
    return BoundContext(person.dob, facts.date_facts(), facts.gestation_start(on))


def distribute(
    catalog: Catalog,
    person: Person,
    history: Sequence[HistoryEntry],
    on: date,
    facts: Facts,
    ctx: BoundContext,
) -> tuple[dict[str, list[SeriesDose]], list[date]]:
    """The history's doses up to ``on`` per series (MR/日本脳炎-type doses by the windows they
    fall in) and the dates of the live injected ones, as ``evaluate`` judges them."""
    per_series: dict[str, list[SeriesDose]] = {s.id: [] for s in catalog.series}
    live: list[date] = []
    deferred: list[tuple[date, str]] = []
    for entry in history if len(history) < 2 else sorted(history, key=_by_date):
        if entry.date > on:
            continue
        product = catalog.products.get(entry.code)
        if product is not None:
            if product.live_injected:
                live.append(entry.date)
            targets = catalog.series_by_product.get(product.id, ())
            if product.assign == "one" and len(targets) > 1:
                deferred.append((entry.date, product.id))
            else:
                for sid in targets:
                    per_series[sid].append(SeriesDose(entry.date, product.id))
        elif entry.code in per_series:
            s = catalog.series_by_id(entry.code)
            pid = default_product(s, entry.date)
            if catalog.products[pid].live_injected:
                live.append(entry.date)
            per_series[entry.code].append(SeriesDose(entry.date, pid))
        else:
            raise UnknownVaccine(
                f"接種歴に不明なワクチン「{entry.code}」があります。製品IDまたはシリーズIDを確認してください。"
            )
    if deferred:
        _assign(catalog, person, facts, ctx, deferred, per_series)
    return per_series, live


_NO_DATE_FACTS: Mapping[str, date] = MappingProxyType({})  # NO_FACTS.date_facts(), shared


def _by_date(entry: HistoryEntry) -> date:
    return entry.date


_LIVE: dict[int, tuple[Mapping[str, Product], frozenset[str]]] = {}


def _live_products(products: Mapping[str, Product]) -> frozenset[str]:
    """Ids of the live injected products, once per loaded catalog's product table (a list
    evaluates one series for ~10⁴ persons; the table is the same object every time)."""
    hit = _LIVE.get(id(products))
    if hit is None or hit[0] is not products:
        if len(_LIVE) > 16:
            _LIVE.clear()
        hit = _LIVE[id(products)] = (
            products,
            frozenset(p.id for p in products.values() if p.live_injected),
        )
    return hit[1]


def _assign(
    catalog: Catalog,
    person: Person,
    facts: Facts,
    ctx: BoundContext,
    deferred: Sequence[tuple[date, str]],
    per_series: dict[str, list[SeriesDose]],
) -> None:
    """Give each MR/日本脳炎-type dose to the first series whose window holds its date."""
    spans: dict[str, list[Span]] = {}
    for d, pid in deferred:
        targets = catalog.series_by_product[pid]
        open_ones = []
        for sid in targets:
            if sid not in spans:
                dates = [x.date for x in per_series[sid]]
                spans[sid] = assignment_spans(catalog, sid, person, facts, ctx, dates)
            if any(sp.contains(d) for sp in spans[sid]):
                open_ones.append(sid)
        needing = [sid for sid in open_ones if len(per_series[sid]) < _max_doses(catalog, sid)]
        with_window = [sid for sid in targets if spans[sid]]
        chosen = (needing or open_ones or with_window or list(targets))[0]
        per_series[chosen].append(SeriesDose(d, pid))


def _max_doses(catalog: Catalog, sid: str) -> int:
    return max(len(p.doses) for p in catalog.series_by_id(sid).plans)


def _series_status(
    catalog: Catalog,
    series: Series,
    person: Person,
    facts: Facts,
    ctx: BoundContext,
    on: date,
    doses: list[SeriesDose],
    live: Sequence[date],
    live_products: frozenset[str],
    done: dict[str, SeriesStatus],
) -> SeriesStatus:
    why = applicable(series, person, facts, ctx)
    if why is not None:
        return not_applicable(series.id, series.name_ja, (why,) if why else ())
    if series.count_from is not None:
        start = series.count_from.evaluate(ctx)
        if start is not None:
            doses = [d for d in doses if d.date >= start]
    dates = [d.date for d in doses]
    if series.season is not None:
        return _seasonal(catalog, series, facts, ctx, on, doses, dates)
    windows = windows_for(catalog, series, facts, ctx, dates)
    if windows is None:
        return not_applicable(series.id, series.name_ja)
    valid, first_start, reports = windows
    prior = [
        d for d in doses if d.product in series.exclude_if_prior_products and d.date < first_start
    ]
    if prior:
        return not_applicable(
            series.id,
            series.name_ja,
            (
                f"W_EXCLUDED_PRIOR: {prior[0].date.isoformat()} に {prior[0].product} を接種済みのため対象外です",
            ),
        )
    st = walk(series, doses, valid, ctx, live, live_products, catalog.live_injected_min_days)
    closed = gated(series, st.product, done)
    offered = {p: spans for p, spans in valid.items() if p not in closed and spans}
    if not offered:
        offered = valid
    if st.product is not None and st.product not in closed:
        product = st.product
    else:
        product = default_product(series, on, exclude=closed)
    strict = st.product is not None and series.same_product == "strict" and product in offered
    key = (closed, product if strict else None)
    report = reports.get(key)
    if report is None:
        if strict:
            report = merged(offered[product])
        else:
            report = merged(s for spans in offered.values() for s in spans)
        reports[key] = report
    return _status(catalog, series, ctx, on, st, product, report, live, live_products)


def _status(
    catalog: Catalog,
    series: Series,
    ctx: BoundContext,
    on: date,
    st: WalkState,
    product: str,
    spans: list[Span],
    live: Sequence[date],
    live_products: frozenset[str],
) -> SeriesStatus:
    current = future = None
    for s in spans:  # sorted and disjoint (merged)
        if s.start > on:
            future = s
            break
        if on <= s.until:
            current = s
            break
    shown = current or future or spans[-1]
    plan = st.plan
    if plan is None:
        plan = choose_plan(series, product, max(on, shown.start), ctx)
    ctx_prev = BoundContext(ctx.dob, ctx.facts, ctx.gestation_start, st.last)
    earliest = (
        interval_earliest(plan.doses[st.next_index], st.next_index, st)
        if st.next_index < len(plan.doses)
        else None
    )
    k = (
        advance(plan, st, max(on, earliest or on), ctx, lookahead=True)
        if st.next_index < len(plan.doses)
        else st.next_index
    )
    required = len(plan.doses) - len(st.skipped)
    warnings = list(st.warnings)
    std = series.standard
    base = dict(
        id=series.id,
        name_ja=series.name_ja,
        doses_given=len(st.counted),
        doses_required=required,
        next_product=product,
    )
    if k >= len(plan.doses):
        return _result(base, "complete", None, None, shown, std, ctx_prev, warnings)
    spec = plan.doses[k]
    std = spec.standard or series.standard
    if current is None and future is None:
        return _result(base, "missed", spec.label, None, shown, std, ctx_prev, warnings)
    e = interval_earliest(spec, k, st) or shown.start
    if spec.not_before is not None:
        nb = spec.not_before.evaluate(ctx)
        if nb is not None and nb > e:
            e = nb
    e = max(e, shown.start)
    live_rule = product in live_products
    if live_rule:
        e = live_earliest(e, live, catalog.live_injected_min_days)
    if current is not None and e <= on and live_rule:
        # Allowed once, but is the evaluation date itself inside a later live-vaccine wait?
        today = live_earliest(on, live, catalog.live_injected_min_days)
        if today > on:
            e = today
    if current is None:
        assert future is not None
        horizon = series.upcoming_horizon_months
        if horizon is not None and future.start > tracking.after_months_interval(on, horizon):
            return not_applicable(series.id, series.name_ja, tuple(warnings))
        return _result(base, "upcoming", spec.label, e, shown, std, ctx_prev, warnings)
    if e <= on:
        return _result(base, "due", spec.label, e, shown, std, ctx_prev, warnings)
    if e > spans[-1].until:
        warnings.append(
            f"W_EARLIEST_AFTER_WINDOW: 次の接種可能日 {e.isoformat()} は対象期間の後です"
        )
    return _result(base, "waiting", spec.label, e, shown, std, ctx_prev, warnings)


def _result(
    base: dict[str, object],
    status: Status,
    label: str | None,
    earliest: date | None,
    shown: Span,
    std: Window | None,
    ctx: BoundContext,
    warnings: list[str],
) -> SeriesStatus:
    s_from = s_until = None
    if std is not None:
        s_from = std.start.evaluate(ctx)
        s_until = std.until.evaluate(ctx) if std.until is not None else None
    required = base["doses_required"]
    given = base["doses_given"]
    assert isinstance(given, int) and isinstance(required, int)
    return SeriesStatus(
        id=str(base["id"]),
        name_ja=str(base["name_ja"]),
        status=status,
        next_dose=label,
        earliest=earliest,
        window_from=shown.start,
        window_until=None if shown.until.year == 9999 else shown.until,
        standard_from=s_from,
        standard_until=s_until,
        doses_given=given,
        doses_required=required,
        warnings=tuple(warnings),
        next_product=None if status in ("complete", "missed") else _opt(base.get("next_product")),
    )


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


def _seasonal(
    catalog: Catalog,
    series: Series,
    facts: Facts,
    ctx: BoundContext,
    on: date,
    doses: list[SeriesDose],
    dates: list[date],
) -> SeriesStatus:
    """B類 vaccines given once per season (年度): only the current season is judged."""
    eligibility = series_spans(catalog, series, facts, ctx, dates, None)
    fy = tracking.fiscal_year(on)
    label = series.plans[0].doses[0].label
    base: dict[str, object] = dict(id=series.id, name_ja=series.name_ja, doses_required=1)
    span = season_span(series, fy, eligibility)
    if span is None:
        nxt = season_span(series, fy + 1, eligibility)
        horizon = series.upcoming_horizon_months
        if nxt is None or (
            horizon is not None and nxt.start > tracking.after_months_interval(on, horizon)
        ):
            return not_applicable(series.id, series.name_ja)
        base["doses_given"] = 0
        return _result(base, "upcoming", label, nxt.start, nxt, None, ctx, [])
    warnings: list[str] = []
    given = 0
    for dose in doses:
        if not span.contains(dose.date):
            continue
        sp = series.product(dose.product)
        iso = dose.date.isoformat()
        if sp is None or not sp.routine_on(dose.date):
            warnings.append(
                f"W_PRODUCT_NOT_ROUTINE: {iso} の {dose.product} は定期接種に使えない製品です（任意接種扱い）"
            )
        elif given >= 1:
            warnings.append(
                f"W_EXTRA_DOSE: {iso} の接種は今シーズンの必要回数を超えています（任意接種扱い）"
            )
        else:
            given = 1
    base["doses_given"] = given
    if given:
        return _result(base, "complete", None, None, span, None, ctx, warnings)
    if on < span.start:
        return _result(base, "upcoming", label, span.start, span, None, ctx, warnings)
    if on <= span.until:
        return _result(base, "due", label, span.start, span, None, ctx, warnings)
    return _result(base, "missed", label, None, span, None, ctx, warnings)
