"""Sync in the terminal at scale (DESIGN.md §6), each figure beside plain SQLite's bulk-insert rate
of the same rows measured in the same run:

- export of N changed records (the outbox) from the cached demo register;
- import of an ``updates`` package of N records end to end (verify, decrypt, validate, apply);
- ``initial`` load of the register's persons and vaccinations (with their households,
  institutions, vaccines and lots) into an empty register, with peak RSS (own process).

Run: ``python -m benchmarks.bench_sync --persons 1000000 [--changes 100000] [--stage all]``.
Each stage runs in its own process (so peak RSS is the stage's own). Prints counts and timings
only; writes ``benchmarks/results/sync-<persons>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.demo_cache import ensure_register
from benchmarks.sync_stage_exchange import stage_exchange
from benchmarks.sync_stage_export import stage_export
from benchmarks.sync_stage_initial import _initial_fixture, stage_initial
from benchmarks.sync_stage_updates import stage_updates

RESULTS = Path(__file__).resolve().parent / "results"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--changes", type=int, default=100_000)
    ap.add_argument("--cache-dir", type=Path, default=Path("benchmarks/.cache"))
    ap.add_argument(
        "--stage", choices=("all", "export", "updates", "initial", "initial-package"), default="all"
    )
    ap.add_argument(
        "--exchange-in-place",
        type=Path,
        metavar="FOLDER",
        help="export + import of an update in place on FOLDER/register (a disposable "
        "copy of a cached register with its info.json)",
    )
    ap.add_argument(
        "--compare-rows",
        action="store_true",
        help="--stage export: then export the same changes again read from their rows (the path"
        " before stored lines), at the same load",
    )
    ap.add_argument(
        "--timeline",
        action="store_true",
        help="--stage export: a per-phase wall timeline of the export, per thread (timers wrapped"
        " around the export path's functions by benchmarks/export_timeline.py; adds a little)",
    )
    ap.add_argument(
        "--today-only",
        action="store_true",
        help="--stage export: only the export as the register is today (not also the same changes"
        " again after a server package acknowledged the audit entries up to the head)",
    )
    ap.add_argument(
        "--in-place",
        action="store_true",
        help="--stage export / updates on the cached register itself (a disposable copy of your "
        "own: it gains the queued changes or the imported edits; no 5 GB work copy)",
    )
    ap.add_argument(
        "--serial",
        action="store_true",
        help="--stage updates: member checks before the apply (sync_import.DEFER_UPDATES off), "
        "to compare",
    )
    ap.add_argument(
        "--floor",
        action="store_true",
        help="--stage updates: then the raw floor (one bare UPDATE of as many other random "
        "residents' addresses, the import's page cache, commit and checkpoint) on the same copy",
    )
    ap.add_argument(
        "--profile", type=Path, default=None, help="--stage updates: cProfile the import to FILE"
    )
    args = ap.parse_args(argv)
    if args.exchange_in_place is not None:
        result = stage_exchange(args.exchange_in_place, args.changes)
        print(json.dumps(result))
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"sync-exchange-{result['persons']}.json").write_text(
            json.dumps(result, indent=2) + "\n"
        )
        return 0
    reg = ensure_register(args.cache_dir, args.persons, args.seed, covid_special=True)
    if args.stage == "all":
        out: dict[str, Any] = {"persons": args.persons, "changes": args.changes}
        for stage in ("export", "updates", "initial"):
            proc = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "benchmarks.bench_sync",
                    "--persons",
                    str(args.persons),
                    "--seed",
                    str(args.seed),
                    "--changes",
                    str(args.changes),
                    "--cache-dir",
                    str(args.cache_dir),
                    "--stage",
                    stage,
                ],
                capture_output=True,
                text=True,
                env={**os.environ},
            )
            if proc.returncode != 0:
                print(proc.stderr[-2000:], file=sys.stderr)
                return proc.returncode
            out[stage] = json.loads(proc.stdout.strip().splitlines()[-1])
            print(f"{stage}: {json.dumps(out[stage], ensure_ascii=False)}", flush=True)
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"sync-{args.persons}.json").write_text(json.dumps(out, indent=2) + "\n")
        return 0
    if args.stage == "initial-package":  # build the cached initial package only (timed)
        print(json.dumps(_initial_fixture(reg, args.cache_dir)[2]))
        return 0
    with tempfile.TemporaryDirectory(dir=args.cache_dir) as tmp:
        work = Path(tmp)
        if args.stage == "export":
            in_place = reg.register_dir if args.in_place else None
            result = stage_export(
                reg,
                work,
                args.changes,
                terminal=in_place,
                compare_rows=args.compare_rows,
                timeline=args.timeline,
                acknowledged=not args.today_only,
            )
        elif args.stage == "updates":
            if args.serial:
                from app.services import sync_import

                sync_import.DEFER_UPDATES = False
            in_place = reg.register_dir if args.in_place else None
            result = stage_updates(
                reg, work, args.changes, terminal=in_place, profile=args.profile, floor=args.floor
            )
            result["serial"] = args.serial
        else:
            result = stage_initial(reg, work, args.cache_dir)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
