"""Schedule-engine speed: one person's full evaluation (all series), p50/p99 over synthetic persons.

Run: ``.venv/bin/python -m benchmarks.bench_engine [--persons 10000] [--seed 1]``. Not a test.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import date, timedelta

from app.domain.schedule import Facts, HistoryEntry, Person, evaluate
from app.store.catalog_files import load_catalog

ON = date(2026, 6, 1)
# A table of (series, age in days) pairs: kept on a few lines so it reads as one schedule.
CHILD_SCHEDULE = [
    ("hepb", 60), ("hepb", 90), ("hepb", 200), ("rota1", 60), ("rota1", 90),
    ("dpt_ipv_hib", 62), ("dpt_ipv_hib", 90), ("dpt_ipv_hib", 120), ("dpt_ipv_hib", 400),
    ("pcv20", 62), ("pcv20", 90), ("pcv20", 120), ("pcv20", 380), ("bcg", 160),
    ("mr", 370), ("varicella", 370), ("varicella", 560), ("je", 1100), ("je", 1110),
    ("je", 1470), ("mr", 2100),
]  # fmt: skip


def synthetic_person(rng: random.Random) -> tuple[Person, list[HistoryEntry], Facts]:
    age_days = rng.randint(0, 95 * 365)
    dob = ON - timedelta(days=age_days)
    sex = rng.choice(("F", "M"))
    history = []
    for code, at in CHILD_SCHEDULE:
        when = dob + timedelta(days=at + rng.randint(-10, 40))
        if when <= ON and rng.random() < 0.85:
            history.append(HistoryEntry(code, when))
    if age_days > 64 * 365 and rng.random() < 0.5:
        history.append(HistoryEntry("flu", date(2025, 10, rng.randint(1, 31))))
    facts = (
        Facts(pregnancy_week=(rng.randint(4, 40), 0))
        if sex == "F" and rng.random() < 0.02
        else Facts()
    )
    return Person(dob, sex), history, facts  # type: ignore[arg-type]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--persons", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    catalog = load_catalog()
    rng = random.Random(args.seed)
    people = [synthetic_person(rng) for _ in range(args.persons)]
    for person, history, facts in people[:200]:  # warm-up
        evaluate(catalog, person, history, ON, facts)
    times = []
    for person, history, facts in people:
        t0 = time.perf_counter()
        evaluate(catalog, person, history, ON, facts)
        times.append(time.perf_counter() - t0)
    times.sort()
    p50 = statistics.median(times) * 1000
    p99 = times[int(len(times) * 0.99) - 1] * 1000
    mean_doses = sum(len(h) for _, h, _ in people) / len(people)
    print(
        f"engine: {args.persons} persons, {len(catalog.series)} series, "
        f"{mean_doses:.1f} doses/person: p50 {p50:.3f} ms, p99 {p99:.3f} ms, "
        f"max {times[-1] * 1000:.3f} ms (budget 2 ms)"
    )


if __name__ == "__main__":
    main()
