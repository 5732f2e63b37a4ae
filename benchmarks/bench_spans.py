"""What ``spans.judge_span`` costs and how long its judgements hold (issue 12 item 20).

For each series a 未接種者一覧 judges, synthetic persons of the series' ages with on-time-ish
histories (bench_engine's child schedule with the products of the dose's day, HPV and
influenza doses) are judged as a list
judges them (``one_series.evaluate_series``, the list's catalog, the kept dependency statuses
shared across persons): plain, then tracked (``judge_span``), alternately, best of ``--rounds``.
Reported: µs per call plain and tracked and their ratio (budget ~2x), the span lengths
(days the judgement holds after the list day: what the next day's list can reuse), the share of
judgements still valid 1, 7 and 30 days later per status, and how often the span's ends are where
the judgement really changes (the day outside judged plainly).

Run: ``.venv/bin/python -m benchmarks.bench_spans [--persons 3000] [--out FILE]``. Not a test.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections import Counter
from datetime import date, timedelta
from typing import Any

from app.domain.schedule import HistoryEntry, Person, SeriesStatus
from app.domain.schedule.one_series import evaluate_series
from app.domain.schedule.spans import CAP_AFTER, CAP_BEFORE, Judged, judge_span
from app.store.catalog_files import load_catalog
from benchmarks.bench_engine import CHILD_SCHEDULE

ON = date(2026, 11, 27)
# Series, ages (years) of the persons its list judges.
SERIES = {
    "hib": (0, 7),
    "dpt_ipv": (0, 8),
    "pcv": (0, 6),
    "je1": (0, 8),
    "je2": (8, 13),
    "mr1": (0, 3),
    "hpv": (11, 17),
    "flu65": (64, 95),
}
OPEN = ("due", "waiting", "upcoming", "missed", "not_applicable")  # not kept as "complete"


def _of_the_day(code: str, when: date) -> tuple[str, ...]:
    """The products given for ``code`` on ``when``: 4種混合 and Hib before 5種混合 (2024-04),
    PCV13/PCV15 before PCV20 (2024-10)."""
    if code == "dpt_ipv_hib" and when < date(2024, 4, 1):
        return ("dpt_ipv", "hib")
    if code == "pcv20" and when < date(2024, 10, 1):
        return ("pcv15",) if when >= date(2024, 4, 1) else ("pcv13",)
    return (code,)


def person_of(rng: random.Random, sid: str) -> tuple[Person, list[HistoryEntry]]:
    lo, hi = SERIES[sid]
    dob = ON - timedelta(days=rng.randint(lo * 365, hi * 365 + 364))
    history = []
    for code, at in CHILD_SCHEDULE:
        when = dob + timedelta(days=at + rng.randint(-10, 40))
        if when <= ON and rng.random() < 0.85:
            history.extend(HistoryEntry(c, when) for c in _of_the_day(code, when))
    if sid == "hpv":
        start = dob + timedelta(days=rng.randint(12 * 365, 16 * 365))
        for gap in (0, 60, 180)[: rng.randint(0, 3)]:
            if start + timedelta(days=gap) <= ON:
                history.append(HistoryEntry("hpv9", start + timedelta(days=gap)))
    if sid == "flu65" and rng.random() < 0.5:
        history.append(HistoryEntry("flu", date(2025, 10, rng.randint(1, 31))))
        if rng.random() < 0.5:
            history.append(HistoryEntry("flu", date(2026, 10, rng.randint(1, 31))))
    return Person(dob, rng.choice(("F", "M"))), history


def _run(
    catalog: Any, sid: str, people: list[tuple[Person, list[HistoryEntry]]], tracked: bool
) -> tuple[float, list[Any]]:
    kept: dict[Any, SeriesStatus] = {}
    out: list[Any] = []
    t0 = time.perf_counter()
    if tracked:
        for person, history in people:
            out.append(
                judge_span(
                    lambda d, p=person, h=history: evaluate_series(catalog, p, h, d, sid, kept),
                    ON,
                )
            )
    else:
        for person, history in people:
            out.append(evaluate_series(catalog, person, history, ON, sid, kept))
    return (time.perf_counter() - t0) / len(people) * 1e6, out


def _pct(values: list[int], q: float) -> int:
    return sorted(values)[min(len(values) - 1, int(len(values) * q))]


def bench(sid: str, persons: int, rounds: int, seed: int) -> dict[str, Any]:
    full = load_catalog()
    catalog = full.restricted_to(sid, *full.sharing_with(sid))
    rng = random.Random(f"{seed}-{sid}")
    people = [person_of(rng, sid) for _ in range(persons)]
    _run(catalog, sid, people[:200], False)  # warm-up (windows memo per birth date)
    _run(catalog, sid, people[:200], True)
    plain_us, tracked_us = [], []
    judged: list[Judged[SeriesStatus]] = []
    plain: list[SeriesStatus] = []
    for _ in range(rounds):
        us, plain = _run(catalog, sid, people, False)
        plain_us.append(us)
        us, judged = _run(catalog, sid, people, True)
        tracked_us.append(us)
    assert [j.status for j in judged] == plain
    ahead = [(j.valid_until - ON).days for j in judged]
    length = [(j.valid_until - j.valid_from).days + 1 for j in judged]
    by_status: dict[str, Counter[str]] = {}
    for j, a in zip(judged, ahead, strict=True):
        c = by_status.setdefault(j.status.status, Counter())
        c["n"] += 1
        for days in (1, 7, 30):
            c[f"+{days}"] += a >= days
    # Ends inside the cap whose day outside is judged otherwise (the span could not be longer),
    # per end; the upper end of open judgements is what the next days' lists reuse.
    tight: dict[str, list[int]] = {"from": [0, 0], "until": [0, 0], "until_open": [0, 0]}
    kept: dict[Any, SeriesStatus] = {}
    for j, (person, history) in list(zip(judged, people, strict=True))[: min(500, persons)]:
        sides = (
            ("from", j.valid_from - timedelta(days=1), (ON - j.valid_from).days < CAP_BEFORE),
            ("until", j.valid_until + timedelta(days=1), (j.valid_until - ON).days < CAP_AFTER),
        )
        for side, day, inside in sides:
            if inside:
                changed = evaluate_series(catalog, person, history, day, sid, kept) != j.status
                names = [side] + (
                    ["until_open"] if side == "until" and j.status.status in OPEN else []
                )
                for name in names:
                    tight[name][0] += changed
                    tight[name][1] += 1
    best_plain, best_tracked = min(plain_us), min(tracked_us)
    return {
        "series": sid,
        "persons": persons,
        "plain_us": round(best_plain, 1),
        "tracked_us": round(best_tracked, 1),
        "ratio": round(best_tracked / best_plain, 2),
        "plain_us_rounds": [round(x, 1) for x in plain_us],
        "tracked_us_rounds": [round(x, 1) for x in tracked_us],
        "days_ahead_p10_p50_p90": [_pct(ahead, 0.1), _pct(ahead, 0.5), _pct(ahead, 0.9)],
        "span_days_mean": round(statistics.mean(length), 1),
        "valid_tomorrow": round(sum(a >= 1 for a in ahead) / persons, 4),
        "by_status": {k: dict(v) for k, v in sorted(by_status.items())},
        "tight_ends": tight,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--persons", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--series", nargs="*", default=list(SERIES))
    ap.add_argument("--out", default=None, help="write the results as JSON to this file")
    args = ap.parse_args()
    results = []
    for sid in args.series:
        r = bench(sid, args.persons, args.rounds, args.seed)
        results.append(r)
        st = " ".join(
            f"{k}:{v['n']}/{v['+1']}/{v['+7']}/{v['+30']}" for k, v in r["by_status"].items()
        )
        print(
            f"{sid:8} plain {r['plain_us']:6.1f} µs  tracked {r['tracked_us']:6.1f} µs  "
            f"x{r['ratio']:.2f}  ahead p10/50/90 {r['days_ahead_p10_p50_p90']}  "
            f"tomorrow {r['valid_tomorrow']:.1%}  tight "
            + " ".join(f"{k} {a}/{b}" for k, (a, b) in r["tight_ends"].items())
            + f"\n         status n/+1/+7/+30: {st}"
        )
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump({"on": ON.isoformat(), "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
