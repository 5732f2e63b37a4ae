"""``spans.judge_span`` on the schedule engine (issue 12 item 20): the engine's modules make none
of the reads the tracker cannot see (unbound C methods of date, date subclasses), and the engine's
judgements of generated persons are checked on the days of their spans (differential): as a list
calls ``evaluate_series``, the whole evaluation, pregnancy facts moving with the day, a judgement
reading the year of the list date, kept dependency statuses. The tracker's own rules:
test_schedule_spans_tracker.py."""

from __future__ import annotations

import ast
import random
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from app.domain.catalog import Catalog
from app.domain.schedule import Facts, HistoryEntry, Person, evaluate
from app.domain.schedule import spans as sp
from app.domain.schedule.model import NO_FACTS
from app.domain.schedule.one_series import evaluate_series
from app.domain.schedule.spans import CAP_AFTER, CAP_BEFORE, Trace, judge_span
from app.store.catalog_files import load_catalog
from tests.support.spans import HIGH, LOW, ON

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


def _whole(
    person: Person,
    history: list[HistoryEntry],
    sid: str,
    d: date,
    facts: Facts = NO_FACTS,
    catalog: Catalog = CATALOG,
) -> Any:
    return evaluate(catalog, person, history, d, facts).get(sid)


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


def test_facts_moving_with_the_day_hold_on_their_span() -> None:
    """Pregnancy facts (RSV, 妊婦): weeks of gestation on the list day move the windows with the
    day (offsets of the tracked date, kept in the result's window: judged for the day); a due
    date does not."""
    rng = random.Random("spans-facts")
    catalog = CATALOG.restricted_to("rsv_maternal")
    collapsed = 0
    for i in range(40):
        on = _list_day(rng)
        person = Person(on - timedelta(days=rng.randrange(18 * 365, 40 * 365)), "F")
        history = [HistoryEntry("rsv", on - timedelta(days=rng.randrange(0, 200)))][: i % 2]
        if i % 3:
            facts = Facts(pregnancy_week=(rng.randrange(0, 42), rng.randrange(0, 7)))
        else:
            facts = Facts(pregnancy_due_date=on + timedelta(days=rng.randrange(-30, 280)))
        fn = partial(_whole, person, history, "rsv_maternal", facts=facts, catalog=catalog)
        collapsed += _check(fn, on, rng, every_day=i % 10 == 0)["collapsed"]
    assert 0 < collapsed < 40  # the weeks of gestation on the day; not the due date


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


def test_kept_dependency_statuses_are_reused_only_within_their_span() -> None:
    """Hib children with standalone Hib doses only share a few birth dates: DPT-IPV (which
    decides whether 5種混合 may still be offered) is judged once per birth date and span and
    reused for the others, on list days around its changes (生後2月, 生後90月)."""
    catalog = CATALOG.restricted_to("hib", *CATALOG.sharing_with("hib"))
    rng = random.Random("spans-kept")
    kept: dict[Any, Any] = {}
    born = (date(2019, 8, 31), date(2020, 2, 29), date(2026, 1, 31), date(2026, 9, 30))
    for i in range(200):
        dob = rng.choice(born)
        change = dob + timedelta(days=rng.choice((60, 61, 2739, 2740)))  # ~生後2月, ~生後90月
        on = change + timedelta(days=rng.randrange(-30, 30))
        history = [HistoryEntry("hib", dob + timedelta(days=70 + 30 * k)) for k in range(i % 3)]
        person = Person(dob, rng.choice(("F", "M")))
        fn = partial(_as_a_list, catalog, person, history, "hib", kept)
        _check(fn, on, rng, every_day=i % 10 == 0)
    judged = sum(len(v) for k, v in kept.items() if k[-1] is sp._SPANS)
    assert 8 <= judged < 100  # at least 2 spans per birth date and sex; the others reused
