"""``spans.judge_span``: the span of list dates over which a judgement provably holds (issue 12
item 20), the tracker itself. Its rules one by one against brute force over the cap (each
comparison in either operand order, offsets, max and min), every escaping use of the date
collapsing the span, exceptions, nested and kept judgements, and the monotone maps
(``after_months_interval``, ``fiscal_year``) checked day by day. What the engine does with the
tracked date: test_schedule_spans_engine.py."""

from __future__ import annotations

import copy
import operator
import pickle
import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

import pytest

from app.domain import legaldate as ld
from app.domain.schedule import spans as sp
from app.domain.schedule.spans import CAP_AFTER, CAP_BEFORE, Judged, Trace, judge_span
from tests.support.spans import HIGH, LOW, ON


def _days(lo: date, hi: date) -> list[date]:
    return [date.fromordinal(o) for o in range(lo.toordinal(), hi.toordinal() + 1)]


def _widest(fn: Callable[[date], Any], on: date) -> tuple[date, date]:
    """Brute force: the widest run of days within the cap around ``on`` with fn's answer."""
    want = fn(on)
    lo = hi = on
    while lo > on - timedelta(days=CAP_BEFORE) and fn(lo - timedelta(days=1)) == want:
        lo -= timedelta(days=1)
    while hi < on + timedelta(days=CAP_AFTER) and fn(hi + timedelta(days=1)) == want:
        hi += timedelta(days=1)
    return lo, hi


OPS = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
NEAR = (-500, -30, -1, 0, 1, 30, 900)  # x relative to ON (beyond the cap too)


@pytest.mark.parametrize("op", sorted(OPS))
@pytest.mark.parametrize("shift", NEAR)
@pytest.mark.parametrize("tracked_left", [True, False])
def test_one_comparison_gives_the_widest_span(op: str, shift: int, tracked_left: bool) -> None:
    x = ON + timedelta(days=shift)
    cmp = OPS[op]

    def fn(d: date) -> bool:
        return bool(cmp(d, x) if tracked_left else cmp(x, d))

    got = judge_span(fn, ON)
    assert got.status == fn(ON)
    # == false and != true: a hole at x, the span keeps to the side of it holding ON
    assert (got.valid_from, got.valid_until) == _widest(fn, ON)


def test_the_reflected_method_of_the_tracked_date_is_asked_first() -> None:
    # x < on with x a plain date: Python asks the subclass's __gt__ before date.__lt__.
    trace = Trace()
    got = judge_span(lambda d: date(2026, 12, 1) < d, ON, trace=trace)
    assert got == Judged(False, LOW, date(2026, 12, 1))
    assert trace.thresholds == [date(2026, 12, 2).toordinal()]


def test_no_comparison_gives_the_cap() -> None:
    got = judge_span(lambda d: "same", ON)
    assert got == Judged("same", LOW, HIGH)
    assert got.holds_on(LOW) and got.holds_on(HIGH) and got.holds_on(ON)
    assert not got.holds_on(LOW - timedelta(days=1))
    assert not got.holds_on(HIGH + timedelta(days=1))


def test_an_offset_keeps_the_span_to_days_where_it_is_a_date() -> None:
    on = date(9000, 6, 1)
    k = (date.max - on).days - 10  # on + k is a date up to 10 days later, not after
    got = judge_span(lambda d: d + timedelta(days=k) > date(1, 1, 1), on)
    assert (got.status, got.valid_from) == (True, on - timedelta(days=CAP_BEFORE))
    assert got.valid_until == on + timedelta(days=10)
    for day in _days(got.valid_from, got.valid_until)[-3:]:
        assert day + timedelta(days=k) > date(1, 1, 1)
    with pytest.raises(OverflowError):
        got.valid_until + timedelta(days=k + 1)
    with pytest.raises(OverflowError):  # as for a plain date
        judge_span(lambda d: d + timedelta(days=k + 11), on)


def test_max_min_and_offsets_constrain_the_date() -> None:
    x = date(2027, 1, 10)
    got = judge_span(lambda d: max(d, x) > date(2027, 1, 5), ON)
    assert (got.status, got.valid_from, got.valid_until) == (True, LOW, x - timedelta(days=1))
    week = timedelta(days=7)
    for fn in (
        lambda d: d + week < x,
        lambda d: week + d < x,
        lambda d: x > d + week,
        lambda d: d - week >= date(2026, 11, 1),
        lambda d: (d + week) - timedelta(days=30) <= date(2026, 11, 20),
        lambda d: ld.after_days_interval(d, 27) == date(2026, 12, 25),
    ):
        got = judge_span(fn, ON)
        assert (got.valid_from, got.valid_until) == _widest(fn, ON), fn
        assert got.status == fn(ON)


def test_offsets_of_the_same_date_compare_as_constants() -> None:
    def fn(d: date) -> tuple[bool, bool, timedelta]:
        later = d + timedelta(days=3)
        return (later > d, max(d, later) == later, later - d)

    got = judge_span(fn, ON)
    assert got == Judged((True, True, timedelta(days=3)), LOW, HIGH)


def test_a_result_holding_the_tracked_date_collapses() -> None:
    trace = Trace()
    got = judge_span(lambda d: (max(d, date(2026, 1, 1)),), ON, trace=trace)
    assert got == Judged((ON,), ON, ON)
    assert type(got.status[0]) is date
    assert trace.collapsed_by == "result"


ESCAPES: dict[str, Callable[[date], object]] = {
    "year": lambda d: d.year,
    "month": lambda d: d.month,
    "day": lambda d: d.day,
    "toordinal": lambda d: d.toordinal(),
    "weekday": lambda d: d.weekday(),
    "isoweekday": lambda d: d.isoweekday(),
    "isocalendar": lambda d: tuple(d.isocalendar()),
    "isoformat": lambda d: d.isoformat(),
    "strftime": lambda d: d.strftime("%Y%m%d"),
    "ctime": lambda d: d.ctime(),
    "timetuple": lambda d: tuple(d.timetuple()),
    "replace": lambda d: d.replace(day=1) < date(2026, 11, 2),
    "str": str,
    "repr": repr,
    "f-string": lambda d: f"{d}",
    "format": lambda d: format(d, "%m"),
    "percent": lambda d: "%s" % d,  # noqa: UP031 - the old formatting reads it too
    "hash": hash,
    "dict key": lambda d: {d: 1}.get(ON),
    "set": lambda d: ON in {d},
    "pickle": lambda d: pickle.loads(pickle.dumps(d)),
    "copy": copy.copy,
    "deepcopy": copy.deepcopy,
    "reduce": lambda d: d.__reduce__(),
    "minus a date": lambda d: (d - date(2026, 1, 1)).days,
    "a date minus": lambda d: (date(2027, 1, 1) - d).days,
    "sorted by str": lambda d: sorted([d, ON], key=str)[0] == ON,
    "legaldate months": lambda d: ld.months_reached(d, 2),
    "legaldate fiscal year": ld.fiscal_year,
    "age": lambda d: ld.age_years_months(date(2020, 2, 29), d),
    "image attribute": lambda d: sp.after_months_interval(d, 3).day,
    "image hash": lambda d: hash(sp.after_months_interval(d, 3)),
    "image minus a date": lambda d: sp.after_months_interval(d, 3) - date(2026, 1, 1),
    "image vs tracked": lambda d: sp.after_months_interval(d, 1) > d,
}


@pytest.mark.parametrize("name", sorted(ESCAPES))
def test_every_other_use_collapses_to_the_day(name: str) -> None:
    fn = ESCAPES[name]
    trace = Trace()
    got = judge_span(fn, ON, trace=trace)
    assert (got.valid_from, got.valid_until) == (ON, ON)
    assert trace.collapsed_by is not None
    assert got.status == fn(ON)  # answered as a plain date would


def test_pickled_or_copied_or_remade_it_is_a_plain_date() -> None:
    seen: list[object] = []
    judge_span(
        lambda d: seen.extend([pickle.loads(pickle.dumps(d)), copy.copy(d), type(d)(2026, 1, 2)]),
        ON,
    )
    assert [type(x) for x in seen] == [date, date, date]
    assert seen[:2] == [ON, ON]


def test_unordered_types_answer_as_for_a_plain_date_and_keep_the_span() -> None:
    got = judge_span(lambda d: (d == None, d != "x", d in (None, 3)), ON)  # noqa: E711
    assert got == Judged((False, True, False), LOW, HIGH)
    with pytest.raises(TypeError):
        judge_span(lambda d: d < datetime(2026, 1, 1), ON)
    with pytest.raises(TypeError):
        judge_span(lambda d: d + 1, ON)  # type: ignore[operator]


def test_another_tracked_date_or_a_date_subclass_collapses() -> None:
    class Day(date):
        pass

    leaked: list[date] = []
    judge_span(lambda d: leaked.append(d), ON)
    uses: list[Callable[[date], object]] = [
        lambda d: d < leaked[0],
        lambda d: leaked[0] <= d,
        lambda d: d < Day(2027, 1, 1),
        lambda d: d - leaked[0],
    ]
    for fn in uses:
        trace = Trace()
        got = judge_span(fn, ON, trace=trace)
        assert (got.status, got.valid_from, got.valid_until) == (fn(ON), ON, ON)
        assert trace.collapsed_by is not None
    # A date subclass of another kind on the left compares in C first: unseen (the engine's
    # modules define no date subclass, see below).
    assert judge_span(lambda d: Day(2027, 1, 1) > d, ON).valid_until == HIGH


def test_exceptions_propagate_unchanged() -> None:
    boom = ValueError("E_TEST")

    def fn(d: date) -> None:
        if d > date(2026, 1, 1):
            raise boom

    with pytest.raises(ValueError) as caught:
        judge_span(fn, ON)
    assert caught.value is boom


def test_dates_far_from_today_are_judged_for_their_day() -> None:
    for on in (date(1, 1, 2), date(9999, 12, 30)):
        assert judge_span(lambda d: d > date(5000, 1, 1), on) == Judged(on.year > 5000, on, on)


def test_a_nested_judgement_records_its_span_on_the_outer_date() -> None:
    x = date(2027, 2, 1)

    def inner(d: date) -> bool:
        return d < x

    def outer(d: date) -> bool:
        return judge_span(inner, d).status

    assert judge_span(outer, ON) == Judged(True, LOW, x - timedelta(days=1))


def test_kept_span_is_the_per_day_memo_for_a_plain_date_and_a_span_for_a_tracked_one() -> None:
    kept: dict[Any, Any] = {}
    calls: list[date] = []
    x = date(2027, 3, 1)

    def judge(d: date) -> bool:
        calls.append(d)
        return d < x

    assert sp.kept_span(kept, ("k",), ON, judge) is True
    assert sp.kept_span(kept, ("k",), ON, judge) is True
    assert list(kept) == [("k", ON)] and len(calls) == 1
    first = judge_span(lambda d: sp.kept_span(kept, ("k",), d, judge), ON)
    again = judge_span(lambda d: sp.kept_span(kept, ("k",), d, judge), ON + timedelta(days=5))
    assert first.valid_until == again.valid_until == x - timedelta(days=1)
    assert len(calls) == 2  # the second tracked judgement used the kept span
    late = judge_span(lambda d: sp.kept_span(kept, ("k",), d, judge), x + timedelta(days=2))
    assert (late.status, late.valid_from) == (False, x)


# ------------------------------------------------------------------------------ monotone maps

ALL_DAYS = _days(date(1990, 1, 1), date(2040, 12, 31))
HORIZONS = sorted({*range(0, 37), 48, 60, 120, 1200} | {12})


def test_after_months_interval_is_non_decreasing_day_by_day() -> None:
    for n in HORIZONS:
        prev = ld.after_months_interval(ALL_DAYS[0], n)
        for day in ALL_DAYS[1:]:
            cur = ld.after_months_interval(day, n)
            assert cur >= prev, (n, day)
            prev = cur


def test_fiscal_year_span_is_its_year_day_by_day() -> None:
    prev = ld.fiscal_year(ALL_DAYS[0])
    for day in ALL_DAYS[1:]:
        fy = ld.fiscal_year(day)
        assert fy in (prev, prev + 1)
        assert (fy == prev + 1) == (day.month == 4 and day.day == 1)
        prev = fy
    for on in (date(2026, 3, 31), date(2026, 4, 1), date(2027, 2, 28)):
        got = judge_span(sp.fiscal_year, on)
        fy = ld.fiscal_year(on)
        assert got.status == fy
        assert got.valid_from == max(date(fy, 4, 1), on - timedelta(days=CAP_BEFORE))
        assert got.valid_until == min(date(fy + 1, 3, 31), on + timedelta(days=CAP_AFTER))


@pytest.mark.parametrize("months", [1, 12, 13])
@pytest.mark.parametrize("on", [date(2026, 1, 29), date(2026, 1, 31), date(2024, 2, 29), ON])
def test_comparisons_with_after_months_interval_give_the_widest_span(months: int, on: date) -> None:
    rng = random.Random(f"{months}-{on}")
    for _ in range(6):
        x = on + timedelta(days=30 * months + rng.randrange(-40, 40))
        for name, cmp in OPS.items():
            fn = partial(_image_vs, cmp, months, x)
            got = judge_span(fn, on)
            assert got.status == fn(on)
            assert (got.valid_from, got.valid_until) == _widest(fn, on), (name, x)


def _image_vs(cmp: Callable[[date, date], bool], months: int, x: date, d: date) -> bool:
    return cmp(sp.after_months_interval(d + timedelta(days=2), months), x)


def test_after_months_interval_for_a_plain_date_is_legaldate() -> None:
    for day in ALL_DAYS[::97]:
        assert sp.after_months_interval(day, 12) == ld.after_months_interval(day, 12)
        assert sp.fiscal_year(day) == ld.fiscal_year(day)
