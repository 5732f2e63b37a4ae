"""Walking a series' dose plan: plan choice by product and age, intervals, skips, validity."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from app.domain import legaldate as ld
from app.domain.catalog import DoseSpec, Interval, Plan, Series
from app.domain.catalog_bounds import BoundContext
from app.domain.schedule.windows import Span


@dataclass(frozen=True, slots=True)
class SeriesDose:
    """A history dose attributed to a series; ``product`` is assumed when only the series was given."""

    date: date
    product: str


@dataclass(slots=True)
class WalkState:
    plan: Plan | None = None
    product: str | None = None
    counted: dict[int, date] = field(default_factory=dict)  # plan index → date
    last: date | None = None
    skipped: set[int] = field(default_factory=set)
    next_index: int = 0
    warnings: list[str] = field(default_factory=list)


def default_product(series: Series, on: date, exclude: frozenset[str] = frozenset()) -> str:
    for pid in series.default_products:
        sp = series.product(pid)
        if sp is not None and sp.routine_on(on) and pid not in exclude:
            return pid
    kept = [pid for pid in series.default_products if pid not in exclude]
    return (kept or list(series.default_products))[0]


def choose_plan(series: Series, product: str, first: date, ctx: BoundContext) -> Plan:
    """The first plan for ``product`` in force on ``first`` whose age band contains ``first``."""
    fallback: Plan | None = None
    for plan in series.plans:
        if plan.products is not None and product not in plan.products:
            continue
        if plan.effective_from is not None and first < plan.effective_from:
            continue
        if plan.effective_until is not None and first > plan.effective_until:
            continue
        fallback = plan
        if plan.first_dose_until is not None:
            limit = plan.first_dose_until.evaluate(ctx)
            if limit is not None and first > limit:
                continue
        return plan
    return fallback if fallback is not None else series.plans[-1]


def _interval_date(iv: Interval, ref: date, doctor: bool = False) -> date:
    if iv.days is not None:
        days = iv.doctor_days if doctor and iv.doctor_days is not None else iv.days
        return ld.after_days_interval(ref, days)
    assert iv.months is not None
    return ld.after_months_interval(ref, iv.months)


def _intervals_for(spec: DoseSpec, k: int, st: WalkState) -> tuple[Interval, ...]:
    if spec.intervals_if_skipped is not None and any(i < k for i in st.skipped):
        return spec.intervals_if_skipped
    return spec.intervals


def interval_earliest(spec: DoseSpec, k: int, st: WalkState, doctor: bool = False) -> date | None:
    """Earliest date allowed by the own intervals of dose ``k`` (None: no constraint)."""
    best: date | None = None
    for iv in _intervals_for(spec, k, st):
        ref = st.last if iv.after is None else st.counted.get(iv.after - 1)
        if ref is None:
            continue
        d = _interval_date(iv, ref, doctor)
        if best is None or d > best:
            best = d
    return best


def _interval_text(spec: DoseSpec, k: int, st: WalkState) -> str:
    parts = []
    for iv in _intervals_for(spec, k, st):
        ref = "前回" if iv.after is None else f"{iv.after}回目"
        amount = f"{iv.days}日" if iv.days is not None else f"{iv.months}月"
        parts.append(f"{ref}から{amount}以上")
    return "・".join(parts)


def is_skipped(spec: DoseSpec, t: date, st: WalkState, ctx: BoundContext) -> bool:
    if spec.skip_after is not None:
        limit = spec.skip_after.evaluate(ctx)
        if limit is not None and t > limit:
            return True
    if spec.skip_if_dose is not None and spec.skip_if_after is not None:
        given = st.counted.get(spec.skip_if_dose - 1)
        limit = spec.skip_if_after.evaluate(ctx)
        if given is not None and limit is not None and given > limit:
            return True
    return False


def advance(plan: Plan, st: WalkState, t: date, ctx: BoundContext, lookahead: bool) -> int:
    """Skip doses that may no longer be given at ``t`` (or, looking ahead, at their earliest date)."""
    k = st.next_index
    while k < len(plan.doses) - 1:
        spec = plan.doses[k]
        when = t
        if lookahead:
            e = interval_earliest(spec, k, st)
            if e is not None and e > when:
                when = e
        if not is_skipped(spec, when, st, ctx):
            break
        st.skipped.add(k)
        k += 1
    st.next_index = k
    return k


def live_blocked_until(d: date, live_dates: Sequence[date], min_days: int) -> date | None:
    """If an injected live dose before ``d`` is fewer than ``min_days``+1 days back, the first allowed day."""
    for s in live_dates:
        if s < d < ld.after_days_interval(s, min_days):
            return ld.after_days_interval(s, min_days)
    return None


def live_earliest(c: date, live_dates: Sequence[date], min_days: int) -> date:
    """Push ``c`` past every injected live dose that blocks it (live_dates sorted ascending)."""
    for s in live_dates:
        if s < c < ld.after_days_interval(s, min_days):
            c = ld.after_days_interval(s, min_days)
    return c


def _w(code: str, text: str) -> str:
    return f"{code}: {text}"


def walk(
    series: Series,
    doses: Sequence[SeriesDose],
    valid_span: dict[str, list[Span]],
    ctx: BoundContext,
    live_dates: Sequence[date],
    live_products: frozenset[str],
    min_live_days: int,
) -> WalkState:
    """Judge each history dose in date order: count it as 定期 or warn why it is 任意."""
    st = WalkState()
    for dose in doses:
        d, pid = dose.date, dose.product
        sp = series.product(pid)
        if sp is None or not sp.routine_on(d):
            st.warnings.append(
                _w(
                    "W_PRODUCT_NOT_ROUTINE",
                    f"{d.isoformat()} の {pid} はこの日の定期接種に使えない製品です（任意接種扱い）",
                )
            )
            continue
        if st.product is not None and pid != st.product and series.same_product != "none":
            if series.same_product == "strict":
                st.warnings.append(
                    _w(
                        "W_PRODUCT_MIXED",
                        f"{d.isoformat()} の {pid} は最初の製品（{st.product}）と異なるため数えません（任意接種扱い）",
                    )
                )
                continue
            st.warnings.append(
                _w(
                    "W_PRODUCT_MIXED",
                    f"{d.isoformat()} の {pid} は最初の製品（{st.product}）と異なります。原則として同じ製品で完了してください",
                )
            )
        plan = st.plan if st.plan is not None else choose_plan(series, pid, d, ctx)
        k = advance(plan, st, d, ctx, lookahead=False) if st.plan is not None else 0
        if k >= len(plan.doses):
            st.warnings.append(
                _w(
                    "W_EXTRA_DOSE",
                    f"{d.isoformat()} の接種は必要回数を超えています（任意接種扱い）",
                )
            )
            continue
        spec = plan.doses[k]
        spans = [s for s in valid_span.get(pid, ()) if s.contains(d)]
        if not spans:
            st.warnings.append(
                _w(
                    "W_OUTSIDE_WINDOW",
                    f"{d.isoformat()} の接種は定期接種の対象期間外です（任意接種扱い）",
                )
            )
            continue
        if spec.not_before is not None:
            nb = spec.not_before.evaluate(ctx)
            if nb is not None and d < nb:
                st.warnings.append(
                    _w(
                        "W_TOO_EARLY",
                        f"{d.isoformat()} の{spec.label}は {nb.isoformat()} 以降が必要です（任意接種扱い）",
                    )
                )
                continue
        allowed = interval_earliest(spec, k, st)
        doctor_note = False
        if allowed is not None and d < allowed:
            doctor = interval_earliest(spec, k, st, doctor=True)
            if doctor is None or d < doctor:
                st.warnings.append(
                    _w(
                        "W_INTERVAL",
                        f"{d.isoformat()} の{spec.label}は間隔（{_interval_text(spec, k, st)}）を満たしていません（任意接種扱い）",
                    )
                )
                continue
            doctor_note = True
        if pid in live_products:
            blocked = live_blocked_until(d, live_dates, min_live_days)
            if blocked is not None:
                st.warnings.append(
                    _w(
                        "W_LIVE_INTERVAL",
                        f"{d.isoformat()} の接種は注射生ワクチンの後{min_live_days}日以上の間隔がありません（任意接種扱い）",
                    )
                )
                continue
        if doctor_note:
            st.warnings.append(
                _w(
                    "W_INTERVAL_DOCTOR",
                    f"{d.isoformat()} の{spec.label}は医師の判断による短い間隔で接種されています",
                )
            )
        if spans[0].rule is not None and all(s.rule is not None for s in spans):
            for s in spans:
                if s.rule is not None and s.rule.warning:
                    st.warnings.append(
                        _w(
                            s.rule.warning,
                            f"{d.isoformat()} の接種は{s.rule.name_ja}によるものです。必要な書類（医師の理由書など）を記録してください",
                        )
                    )
                    break
        if st.plan is None:
            st.plan, st.product = plan, pid
        st.counted[k] = d
        st.last = d
        st.next_index = k + 1
    return st
