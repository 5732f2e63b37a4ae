"""Counter-work benchmark at scale (DESIGN.md §6, issue "Immunization engine"):

- opening a person: details + history + due list (``open_person`` + ``due_list``), p50/p99;
- the engine alone for one person (its own history), p50/p99;
- 未接種者一覧 for one series over the whole register, in two figures, each beside a bare SQLite
  read of the same columns in the same run (the floor: no engine, no objects):
  (a) the list decided (who, status, count: ``unvaccinated.decide_list``) and its first screen
      of rows with names and addresses (``unvaccinated.entries`` 0..PAGE_ROWS) — what the
      screen waits for; the budget (DESIGN.md §6, ≤ 1 s) applies to (a). Measured on the first
      call of the process for the series (as the first list of the day: the engine's
      judgements, the open birth ranges and, for series sharing a product, the windows per
      birth date are all computed; the catalog is loaded by the person openings before) and
      again (a counter lists the same series again); then, after ``prepare_lists`` on a
      cleared ``list_kept`` (timed), in a fresh process each: the first list of the day and of
      the days +1, +7 and +30 (the judgements kept with their spans: ``_list_kept``);
      bare (old): the cohort's narrow columns, the dose rows of the series (and of those
      sharing its products) and the first page's display columns by row id, read with plain SQL
      (``counter_bare_reads._bare_decision`` says from which indexes) — what a list read before
      migration 0013;
      bare (kept): what the list reads now when every judgement is kept — the cohort joined
      with its kept rows (``list_kept.cohort``, one statement) and the first page's display
      columns;
  (b) every row materialised with its display columns (``unvaccinated.iter_entries``) — what
      print and CSV need; bare: the listed persons' display columns by primary key.

    .venv/bin/python -m benchmarks.bench_counter --persons 1000000 [--seed 1] [--series mr1 hib …]

Uses the cached synthetic register of benchmarks/demo_cache.py (built on first use). Prints a
table and writes benchmarks/results/counter-<persons>.json. Not a test: figures, not assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psutil

from app.services import _list_kept, persons, schedule, unvaccinated
from app.services.demo import demo_password
from app.services.register import login
from app.services.unvaccinated import PAGE_ROWS
from app.store import db, list_kept
from benchmarks.counter_bare_reads import _bare_decision, _bare_kept, _bare_scan
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


def _forget_process_memos() -> None:
    """Drop what the process keeps between lists (judgements, ranges, windows per birth date,
    dependency statuses): the next list is judged as by a freshly started counter."""
    from app.domain.schedule import person_windows
    from app.services import _list_memo

    for cache in (
        _list_memo._JUDGED,
        _list_memo._SPANS,
        _list_kept._DECODED,
        _list_kept._ENCODED,
        _list_memo._RANGES,
        _list_memo._SHARING,
        _list_memo._KEPT,
        person_windows._WINDOWS,
    ):
        cache.clear()


def _code() -> str:
    """The commit measured (with "+dirty" when the work tree has changes), or "" outside git."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return ""
    return f"{head}+dirty" if head and dirty else head


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cache-dir", type=Path, default=Path("benchmarks/.cache"))
    ap.add_argument("--samples", type=int, default=2000)
    ap.add_argument("--series", nargs="*", default=list(DEFAULT_SERIES))
    ap.add_argument("--on", type=date.fromisoformat, default=date(2026, 11, 27))
    ap.add_argument("--note", default="", help="what was measured (kept in the result file)")
    ap.add_argument(
        "--out",
        type=Path,
        default=None,
        help="result file (default results/counter-<persons>.json)",
    )
    args = ap.parse_args(argv)

    reg = ensure_register(args.cache_dir, args.persons, args.seed, covid_special=True)
    nurse = login(reg.register_dir, "nurse", demo_password("nurse"))
    rng = random.Random(args.seed)
    conn = nurse.register.conn
    with db.transaction(conn):  # cold first lists: no judgement kept by earlier runs
        forgotten = list_kept.clear(conn)
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

    def first_screen(
        sid: str, on: date = args.on
    ) -> tuple[float, float, unvaccinated.UnvaccinatedDecision]:
        t0, c0 = time.perf_counter(), time.process_time()
        decision = unvaccinated.decide_list(nurse, sid, on)
        unvaccinated.entries(nurse, decision, 0, PAGE_ROWS)
        return time.perf_counter() - t0, time.process_time() - c0, decision

    lists: dict[str, dict[str, Any]] = {}
    for sid in args.series:
        load_before = os.getloadavg()[0]
        kept_before = list_kept.count(conn, sid)
        first, first_cpu, _ = first_screen(sid)  # first call: ranges, engine memo, cold pages
        kept_after = list_kept.count(conn, sid)
        again, again_cpu, decision = first_screen(sid)
        bare_a, bare_a_cpu = _bare_decision(conn, nurse, decision)
        bare_k, bare_k_cpu = _bare_kept(conn, nurse, decision)
        t0, c0 = time.perf_counter(), time.process_time()
        rows = sum(len(chunk) for chunk in unvaccinated.iter_entries(nurse, decision))
        every, every_cpu = time.perf_counter() - t0, time.process_time() - c0
        bare_b, bare_b_cpu = _bare_scan(conn, decision)
        # CPU time (time.process_time) beside wall time: on a loaded machine a process gets a
        # fraction of a core and wall times are inflated by waiting for it.
        lists[sid] = {
            "a_first_screen_seconds": round(again, 3),
            "a_first_screen_cpu_seconds": round(again_cpu, 3),
            "a_first_screen_first_call_seconds": round(first, 3),
            "a_first_screen_first_call_cpu_seconds": round(first_cpu, 3),
            "kept_before_after_first_call": [kept_before, kept_after],
            "a_bare_seconds": round(bare_a, 3),
            "a_bare_cpu_seconds": round(bare_a_cpu, 3),
            "a_bare_kept_seconds": round(bare_k, 3),
            "a_bare_kept_cpu_seconds": round(bare_k_cpu, 3),
            "b_every_row_seconds": round(every, 3),
            "b_every_row_cpu_seconds": round(every_cpu, 3),
            "b_bare_seconds": round(bare_b, 3),
            "b_bare_cpu_seconds": round(bare_b_cpu, 3),
            "cohort": decision.cohort_size,
            "rows": rows,
            "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        }
    # Prepared: every judgement forgotten, ``prepare_lists`` of the day (as after an initial
    # load), then the first list of the day and of later days, each as in a new process.
    with db.transaction(conn):
        list_kept.clear(conn)
    _forget_process_memos()
    load_before = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    unvaccinated.prepare_lists(nurse, args.on)
    prepare = {
        "seconds": round(time.perf_counter() - t0, 3),
        "cpu_seconds": round(time.process_time() - c0, 3),
        "kept_rows": list_kept.count(conn),
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    for sid in args.series:
        load_before = os.getloadavg()[0]
        for label, days in (("prepared", 0), ("next_day", 1), ("plus_7", 7), ("plus_30", 30)):
            _forget_process_memos()
            wall, cpu, _ = first_screen(sid, args.on + timedelta(days=days))
            lists[sid][f"a_first_screen_{label}_seconds"] = round(wall, 3)
            lists[sid][f"a_first_screen_{label}_cpu_seconds"] = round(cpu, 3)
        lists[sid]["load_average_prepared"] = [
            round(load_before, 2),
            round(os.getloadavg()[0], 2),
        ]
    rss = psutil.Process().memory_info().rss / 2**20
    nurse.register.close()

    result = {
        "code": _code(),
        "note": args.note,
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
        "a_bare_reads": (
            "cohort id/sex/birth date from persons_cohort over the list's birth ranges; every"
            " valid given dose row (date, row id, product, series, routine) of the series and"
            " those sharing its products up to the list date from vaccinations_series"
            " (vaccinations_season, this season only, for a seasonal series); the first page's"
            " atena no, name, kana, postal code, address and area by row id (persons, households)"
        ),
        "a_bare_kept_reads": (
            "the cohort joined with its kept rows (list_kept.cohort: persons_cohort and the"
            " primary key of list_kept, one statement) and the first page's display columns by"
            " row id: what a list reads when every judgement is kept"
        ),
        "a_prepared": (
            "list_kept cleared, prepare_lists(on) timed, then per series the first list of"
            " the day, +1, +7 and +30 days, each after dropping every in-process memo"
        ),
        "prepare_lists": prepare,
        "kept_forgotten_at_start": forgotten,
        "unvaccinated_lists": lists,
        "rss_mib": round(rss, 1),
    }
    RESULTS.mkdir(exist_ok=True)
    out = args.out or RESULTS / f"counter-{args.persons}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
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
    print(
        "未接種者一覧 (a) decided + first screen (budget ≤ 1 s), (b) every row (print/CSV);"
        " each beside a bare SQLite read of the same columns (wall and CPU seconds);"
        " load average before/after"
    )
    for sid, r in lists.items():
        a, b = r["a_first_screen_seconds"], r["b_every_row_seconds"]
        worst = max(
            a,
            r["a_first_screen_prepared_seconds"],
            r["a_first_screen_next_day_seconds"],
            r["a_first_screen_plus_7_seconds"],
            r["a_first_screen_plus_30_seconds"],
        )
        mark = "ok" if worst <= 1.0 else "MISS"
        print(
            f"  {sid:10s} (a) {a:5.2f} s cpu {r['a_first_screen_cpu_seconds']:4.2f}"
            f" (first call {r['a_first_screen_first_call_seconds']:5.2f}"
            f" cpu {r['a_first_screen_first_call_cpu_seconds']:4.2f};"
            f" prepared {r['a_first_screen_prepared_seconds']:5.2f}"
            f" +1 {r['a_first_screen_next_day_seconds']:5.2f}"
            f" cpu {r['a_first_screen_next_day_cpu_seconds']:4.2f}"
            f" +7 {r['a_first_screen_plus_7_seconds']:5.2f}"
            f" +30 {r['a_first_screen_plus_30_seconds']:5.2f})"
            f" bare {r['a_bare_seconds']:5.2f} cpu {r['a_bare_cpu_seconds']:4.2f}"
            f" bare kept {r['a_bare_kept_seconds']:5.2f}  {mark:4s}"
            f"  (b) {b:5.2f} s cpu {r['b_every_row_cpu_seconds']:4.2f}"
            f" bare {r['b_bare_seconds']:5.2f} cpu {r['b_bare_cpu_seconds']:4.2f}"
            f"{'  over 1 s' if b > 1.0 else ''}"
            f"  cohort {r['cohort']:>7,} listed {r['rows']:>7,}"
            f"  load {r['load_average'][0]:.1f}/{r['load_average'][1]:.1f}"
        )
    print(
        f"prepare_lists {prepare['seconds']:.1f} s cpu {prepare['cpu_seconds']:.1f}"
        f" ({prepare['kept_rows']:,} rows kept)"
    )
    print(f"RSS {rss:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
