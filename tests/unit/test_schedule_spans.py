"""``spans.judge_span``: the span of list dates over which a judgement provably holds (issue 12
item 20). The tracker's rules one by one against brute force over the cap, every escaping use of
the date collapsing the span, the monotone maps checked day by day, and the engine's judgements
of generated persons checked on the days of their spans (differential)."""

from __future__ import annotations

import ast
import copy
import operator
import pickle
import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from app.domain import legaldate as ld
from app.domain.schedule import HistoryEntry, Person, evaluate
from app.domain.schedule import spans as sp
from app.domain.schedule.one_series import evaluate_series
from app.domain.schedule.spans import CAP_AFTER, CAP_BEFORE, Judged, Trace, judge_span
from app.store.catalog_files import load_catalog

ON = date(2026, 11, 27)
LOW, HIGH = ON - timedelta(days=CAP_BEFORE), ON + timedelta(days=CAP_AFTER)


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
    assert judge_span(lambda d: "same", ON) == Judged("same", LOW, HIGH)


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
        judge_span(lambda d: d + 1, ON)


def test_another_tracked_date_or_a_date_subclass_collapses() -> None:
    class Day(date):
        pass

    leaked: list[date] = []
    judge_span(lambda d: leaked.append(d), ON)
    for fn in (
        lambda d: d < leaked[0],
        lambda d: leaked[0] <= d,
        lambda d: d < Day(2027, 1, 1),
        lambda d: d - leaked[0],
    ):
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


# ------------------------------------------------------------------- what the engine does with it

ENGINE_FILES = [
    *sorted(Path("app/domain/schedule").glob("*.py")),
    Path("app/domain/legaldate.py"),
    Path("app/domain/catalog.py"),
    Path("app/domain/catalog_bounds.py"),
]
TRACKER_FILES = ("spans.py", "tracked.py", "tracked_image.py")
# Class-level calls that take no date to read (constructors from text or ordinals).
ALLOWED_CLASS_CALLS = {("date", "fromisoformat"), ("date", "fromordinal")}


def _unseen_reads(path: Path) -> list[str]:
    """Calls that would read a date's value below Python (unbound C methods of date/datetime,
    also as ``datetime.date.x``, ``datetime.combine``, explicit ``__getattribute__``/
    ``__reduce__``/``getattr(date, …)``) and date subclasses (compared in C before the tracked
    date is asked)."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ClassDef) and any(
            _last_name(b) in ("date", "datetime") for b in node.bases
        ):
            out.append(f"{path}:{node.lineno} class {node.name}")
        if isinstance(node, ast.Attribute) and node.attr in (
            "__getattribute__",
            "__reduce__",
            "__reduce_ex__",
            "combine",
        ):
            out.append(f"{path}:{node.lineno} .{node.attr}")
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Attribute):
            owner = _last_name(node.func.value)
            if owner in DATE_CLASSES and (owner, node.func.attr) not in ALLOWED_CLASS_CALLS:
                out.append(f"{path}:{node.lineno} {owner}.{node.func.attr}()")
        if (
            isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "methodcaller", "attrgetter")
            and node.args
            and _last_name(node.args[0]) in DATE_CLASSES
        ):
            out.append(f"{path}:{node.lineno} {node.func.id}(date…)")
    return out


DATE_CLASSES = ("date", "datetime", "time", "timedelta")


def _last_name(node: ast.AST) -> str | None:
    """``date`` for ``date`` and ``datetime.date`` (the class, not a ``dose.date`` value)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.attr if node.value.id == "datetime" else None
    return None


def test_unbound_c_reads_are_not_seen_and_the_engine_makes_none() -> None:
    # The one way around the tracker: C code reading the struct. It gives the right answer for
    # the day but records nothing, so the engine's modules must not do it.
    got = judge_span(lambda d: date.toordinal(d) > 0, ON)
    assert (got.valid_from, got.valid_until) == (LOW, HIGH)  # unseen
    engine = [p for p in ENGINE_FILES if p.name not in TRACKER_FILES]
    assert len(engine) >= 10
    assert [r for p in engine for r in _unseen_reads(p)] == []
    # and the scan finds such calls where there are some (the tracker reads the plain value)
    assert _unseen_reads(Path("app/domain/schedule/tracked.py"))


def test_the_scan_finds_each_kind_of_unseen_read(tmp_path: Path) -> None:
    src = tmp_path / "x.py"
    src.write_text(
        "import datetime\n"
        "from datetime import date\n"
        "class D(datetime.date): pass\n"
        "datetime.date.toordinal(on)\n"
        "date.isoformat(on)\n"
        "dose.date.isoformat()\n"
        "getattr(date, 'year')\n"
        "datetime.datetime.combine(on, t)\n"
        "date.fromisoformat('2026-01-01')\n",
        encoding="utf-8",
    )
    found = [r.split(" ", 1)[1] for r in _unseen_reads(src)]
    assert sorted(found) == sorted(
        [
            "class D",
            "date.toordinal()",
            "date.isoformat()",
            "getattr(date…)",
            ".combine",
            "datetime.combine()",
        ]
    )


CATALOG = load_catalog()
LIVE = ("mr", "varicella", "bcg", "mumps")
# Per series: the codes its history draws from (its products, the series id, 5種混合, products
# shared with other series, live doses of other series), and the ages (years) of its persons.
SERIES: dict[str, tuple[tuple[str, ...], tuple[int, int]]] = {
    "hib": (("hib", "hib", "dpt_ipv_hib", "dpt_ipv", "hib", "varicella"), (0, 9)),
    "dpt_ipv": (("dpt_ipv", "dpt_ipv_hib", "dpt_ipv", "hib", "bcg"), (0, 9)),
    "pcv": (("pcv13", "pcv15", "pcv20", "pcv", "mr"), (0, 7)),
    "je1": (("je", "je1", "je2", "mr", "je"), (0, 14)),
    "je2": (("je", "je1", "je2", "je"), (6, 16)),
    "mr1": (("mr", "mr1", "varicella", "mr2", "mumps"), (0, 4)),
    "mr2": (("mr", "mr1", "mr2", "varicella"), (3, 8)),
    "varicella": (("varicella", "mr", "varicella"), (0, 4)),
    "hpv": (("hpv9", "hpv2", "hpv4", "hpv", "mr"), (9, 20)),
    "flu65": (("flu", "flu65", "zoster_live"), (58, 90)),
    "pneumo65": (("ppsv23", "pneumo65", "pcv20"), (60, 75)),
    "zoster": (("zoster_live", "zoster_recombinant", "zoster"), (60, 90)),
    "bcg": (("bcg", "mr"), (0, 2)),
    "rota": (("rota1", "rota5", "rota"), (0, 1)),
    "hepb": (("hepb", "hepb"), (0, 2)),
}
GAPS = (0, 1, 6, 20, 26, 27, 28, 29, 56, 60, 139, 183, 365, 730)
MONTH_ENDS = ((1, 31), (2, 28), (3, 31), (4, 1), (4, 30), (8, 31), (12, 31))


def _born(rng: random.Random, on: date, ages: tuple[int, int]) -> date:
    born = on - timedelta(days=rng.randrange(ages[0] * 365, ages[1] * 365 + 366))
    pick = rng.random()
    if pick < 0.15:
        y = born.year - born.year % 4  # a leap year
        return date(y, 2, 29) if date(y, 2, 29) < on else born
    if pick < 0.4:
        m, day = rng.choice(MONTH_ENDS)
        return min(date(born.year, m, day), on)
    return born


def _history(rng: random.Random, sid: str, born: date, on: date) -> list[HistoryEntry]:
    codes, ages = SERIES[sid]
    if ages[0] >= 58:
        day = on - timedelta(days=rng.randrange(0, 1500))
    else:
        day = born + timedelta(days=rng.randrange(40, 900))
    out = []
    for _ in range(rng.randrange(0, 7)):
        out.append(HistoryEntry(rng.choice(codes), day))
        day += timedelta(days=rng.choice(GAPS) + rng.choice((0, 0, 0, rng.randrange(0, 90))))
    if rng.random() < 0.15:  # a live dose of another series shortly before the list date
        out.append(HistoryEntry(rng.choice(LIVE), on - timedelta(days=rng.randrange(0, 40))))
    if rng.random() < 0.15:  # a dose after the list date (ignored by the list of that date)
        out.append(HistoryEntry(rng.choice(codes), on + timedelta(days=rng.randrange(1, 400))))
    return out


def _list_day(rng: random.Random) -> date:
    if rng.random() < 0.2:
        return date(rng.randrange(2025, 2029), *rng.choice(((3, 31), (4, 1), (2, 28), (9, 30))))
    return date(2025, 1, 1) + timedelta(days=rng.randrange(0, 4 * 365))


def _check(
    fn: Callable[[date], Any], on: date, rng: random.Random, every_day: bool
) -> dict[str, int]:
    """judge_span(fn, on), then fn plainly on the span's ends, the list day, both sides of every
    threshold recorded inside the span, sampled days (every day when ``every_day``); counts the
    ends where the day outside answers otherwise (a tight end)."""
    trace = Trace()
    got = judge_span(fn, on, trace=trace)
    lo, hi, base = got.valid_from.toordinal(), got.valid_until.toordinal(), on.toordinal()
    assert base - CAP_BEFORE <= lo <= base <= hi <= base + CAP_AFTER
    days = {lo, hi, base}
    days.update(o for y in trace.thresholds for o in (y - 1, y) if lo <= o <= hi)
    if every_day:
        days.update(range(lo, hi + 1))
    else:
        days.update(rng.randint(lo, hi) for _ in range(8))
    for o in sorted(days):
        assert fn(date.fromordinal(o)) == got.status, (on, date.fromordinal(o))
    ends = tight = 0
    for o, inside in ((lo - 1, lo > base - CAP_BEFORE), (hi + 1, hi < base + CAP_AFTER)):
        if inside:
            ends += 1
            tight += fn(date.fromordinal(o)) != got.status
    return {
        "cases": 1,
        "collapsed": trace.collapsed_by is not None,
        "days": hi - lo + 1,
        "ends": ends,
        "tight": tight,
    }


def _as_a_list(
    catalog: Any, person: Person, history: list[HistoryEntry], sid: str, kept: Any, d: date
) -> Any:
    return evaluate_series(catalog, person, history, d, sid, kept)


def _whole(person: Person, history: list[HistoryEntry], sid: str, d: date) -> Any:
    return evaluate(CATALOG, person, history, d).get(sid)


PER_SERIES = 300  # generated persons per series, one list day each
EVERY_DAY = 10  # every 10th is checked on every day of its span


@pytest.mark.parametrize("sid", sorted(SERIES))
def test_every_day_of_the_span_judges_the_same_as_a_list_judges(sid: str) -> None:
    """evaluate_series as a list calls it (the list's catalog, kept dependency statuses shared
    across persons and days, plain and tracked)."""
    catalog = CATALOG.restricted_to(sid, *CATALOG.sharing_with(sid))
    rng = random.Random(f"spans-{sid}")
    kept: dict[Any, Any] = {}
    total: dict[str, int] = {}
    for i in range(PER_SERIES):
        on = _list_day(rng)
        born = _born(rng, on, SERIES[sid][1])
        person = Person(born, rng.choice(("F", "M")))
        history = _history(rng, sid, born, on)
        fn = partial(_as_a_list, catalog, person, history, sid, kept)
        for k, v in _check(fn, on, rng, every_day=i % EVERY_DAY == 0).items():
            total[k] = total.get(k, 0) + v
    assert total["cases"] == PER_SERIES
    # Nothing the engine does with the date escapes the tracker: a new untracked use (the year
    # of the list date, a dict keyed by it…) fails here before it makes every span one day.
    assert total["collapsed"] == 0
    assert total["days"] > PER_SERIES * 30
    # A third of the spans' ends at least are where the judgement changes (not required; the
    # engine reads things that do not change the result, e.g. other series' live dose dates).
    assert total["tight"] * 3 >= total["ends"], total


@pytest.mark.parametrize("seed", range(3))
def test_the_whole_evaluation_holds_on_its_span_too(seed: int) -> None:
    """evaluate(...).get(series) with the whole catalog (every series judged with the tracked
    date, the dependencies judged in the same call)."""
    rng = random.Random(f"spans-whole-{seed}")
    collapsed = 0
    for _ in range(40):
        sid = rng.choice(sorted(SERIES))
        on = _list_day(rng)
        born = _born(rng, on, SERIES[sid][1])
        person = Person(born, rng.choice(("F", "M")))
        history = _history(rng, sid, born, on)
        fn = partial(_whole, person, history, sid)
        collapsed += _check(fn, on, rng, every_day=False)["collapsed"]
    assert collapsed == 0


def test_a_judgement_reading_the_year_of_the_list_date_holds_for_the_day_only() -> None:
    catalog = CATALOG.restricted_to("hib", *CATALOG.sharing_with("hib"))
    person = Person(date(2025, 3, 31), "M")

    def fn(d: date) -> Any:
        st = evaluate_series(catalog, person, [], d, "hib", {})
        return (st, d.year)

    trace = Trace()
    got = judge_span(fn, ON, trace=trace)
    assert (got.valid_from, got.valid_until, trace.collapsed_by) == (ON, ON, "year")
    alone = judge_span(lambda d: evaluate_series(catalog, person, [], d, "hib", {}), ON)
    assert alone.status == got.status[0]
    assert alone.valid_until > ON
