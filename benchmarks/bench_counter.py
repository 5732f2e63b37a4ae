"""Counter-work benchmark at scale (DESIGN.md §6, issue "Immunization engine"):

- opening a person: details + history + due list (``open_person`` + ``due_list``), p50/p99;
- the engine alone for one person (its own history), p50/p99;
- 未接種者一覧 for one series over the whole register (``unvaccinated.build_list``), seconds
  (second call: a counter lists the same series again), beside a bare SQLite read of the same
  rows (the floor: no engine, no objects).

    .venv/bin/python -m benchmarks.bench_counter --persons 1000000 [--seed 1] [--series mr1 hib …]

Uses the cached synthetic register of benchmarks/demo_cache.py (built on first use). Prints a
table and writes benchmarks/results/counter-<persons>.json. Not a test: figures, not assertions.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from datetime import date
from pathlib import Path
from typing import Any

import psutil

from app.services import persons, schedule, unvaccinated
from app.services.demo import demo_password
from app.services.register import login
from benchmarks.demo_cache import ensure_register

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_SERIES = (
    "mr1",
    "mr2",
    "dpt_ipv",
    "hib",
    "pcv",
    "varicella",
    "je1",
    "je2",
    "hpv",
    "flu65",
    "pneumo65",
    "zoster",
)


def _pct(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def _bare_scan(conn: Any, listing: unvaccinated.UnvaccinatedList) -> float:
    """Seconds for plain SQL to read the same rows (the listed persons' columns and area code,
    by primary key in id order — CROSS JOIN keeps the id list as the outer loop) with no
    engine, no masking and no objects."""
    ids = sorted(e.person_id for e in listing.entries)
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS bench_ids (id INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM temp.bench_ids")
    conn.executemany("INSERT INTO temp.bench_ids (id) VALUES (?)", [(i,) for i in ids])
    t0 = time.perf_counter()
    conn.execute(
        "SELECT p.id, p.atena_no, p.name, p.name_kana, p.sex, p.birth_date, p.postal_code,"
        " p.address, h.area_code FROM temp.bench_ids t CROSS JOIN persons p ON p.id = t.id"
        " LEFT JOIN households h ON h.id = p.household_id"
    ).fetchall()
    seconds = time.perf_counter() - t0
    conn.execute("DELETE FROM temp.bench_ids")
    return seconds


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cache-dir", type=Path, default=Path("benchmarks/.cache"))
    ap.add_argument("--samples", type=int, default=2000)
    ap.add_argument("--series", nargs="*", default=list(DEFAULT_SERIES))
    ap.add_argument("--on", type=date.fromisoformat, default=date(2026, 11, 27))
    args = ap.parse_args(argv)

    reg = ensure_register(args.cache_dir, args.persons, args.seed, covid_special=True)
    nurse = login(reg.register_dir, "nurse", demo_password("nurse"))
    rng = random.Random(args.seed)
    conn = nurse.register.conn
    total = int(conn.execute("SELECT max(id) FROM persons").fetchone()[0])
    ids = [rng.randint(1, total) for _ in range(args.samples)]

    for pid in ids[:200]:  # warm the page cache like a counter that has been open a while
        persons.open_person(nurse, pid)
    open_times, engine_times, history_sizes = [], [], []
    for pid in ids:
        t0 = time.perf_counter()
        detail = persons.open_person(nurse, pid)
        t1 = time.perf_counter()
        schedule.due_list(nurse, pid, args.on)
        t2 = time.perf_counter()
        open_times.append(t2 - t0)
        engine_times.append(t2 - t1)
        history_sizes.append(len(detail.history))

    lists = {}
    for sid in args.series:
        t0 = time.perf_counter()
        unvaccinated.build_list(nurse, sid, args.on)  # first call: birth ranges, cold pages
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        listing = unvaccinated.build_list(nurse, sid, args.on)
        seconds = time.perf_counter() - t0
        lists[sid] = {
            "seconds": round(seconds, 3),
            "first_call_seconds": round(first, 3),
            "cohort": listing.cohort_size,
            "rows": len(listing.entries),
            "bare_scan_seconds": round(_bare_scan(conn, listing), 3),
        }
    rss = psutil.Process().memory_info().rss / 2**20
    nurse.register.close()

    result = {
        "persons": args.persons,
        "vaccinations": reg.info.get("vaccinations"),
        "on": args.on.isoformat(),
        "samples": args.samples,
        "open_person_with_due_list_ms": {
            "p50": round(_pct(open_times, 0.5), 3),
            "p99": round(_pct(open_times, 0.99), 3),
            "mean": round(statistics.fmean(open_times) * 1000, 3),
        },
        "due_list_only_ms": {
            "p50": round(_pct(engine_times, 0.5), 3),
            "p99": round(_pct(engine_times, 0.99), 3),
        },
        "history_rows_mean": round(statistics.fmean(history_sizes), 2),
        "unvaccinated_lists": lists,
        "rss_mib": round(rss, 1),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"counter-{args.persons}.json").write_text(json.dumps(result, indent=2) + "\n")
    o, d = result["open_person_with_due_list_ms"], result["due_list_only_ms"]
    print(
        f"VaxDesk counter benchmark: {args.persons:,} persons, {reg.info.get('vaccinations'):,}"
        f" vaccinations, on {args.on}"
    )
    print(
        f"open person + history + due list: p50 {o['p50']:.2f} ms  p99 {o['p99']:.2f} ms"
        f"  (budget p99 ≤ 50 ms)  mean history {result['history_rows_mean']} rows"
    )
    print(f"due list (engine over register history): p50 {d['p50']:.2f} ms  p99 {d['p99']:.2f} ms")
    for sid, r in lists.items():
        mark = "ok" if r["seconds"] <= 1.0 else "MISS"
        print(
            f"未接種者一覧 {sid:10s} {r['seconds']:7.2f} s (first call {r['first_call_seconds']:.2f} s)"
            f"  bare SQLite read of the same rows"
            f" {r['bare_scan_seconds']:6.2f} s  cohort {r['cohort']:>8,}"
            f"  listed {r['rows']:>8,}  (budget ≤ 1 s) {mark}"
        )
    print(f"RSS {rss:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
