"""What storing the package line costs one counter write (issue 9 "Speed", migration 0009): the
service ``results.record`` (check, insert, outbox entry, audit entry) on the cached register,
alternating with and without the stored line (``line_shapes`` answering None: the entry alone,
as before), wall and CPU seconds per call.

Run: ``python -m benchmarks.bench_record_line --persons 1000000 --in-place`` (writes results and
audit entries into the cached register: use a disposable copy of your own). Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from app.services import _sync_records, _transaction, results
from app.services.demo import demo_password
from app.services.register import login
from benchmarks.demo_cache import ensure_register


def _summary(walls: list[float], cpus: list[float]) -> dict[str, float]:
    return {
        "calls": len(walls),
        "wall_ms_median": round(statistics.median(walls) * 1e3, 2),
        "wall_ms_mean": round(statistics.fmean(walls) * 1e3, 2),
        "cpu_ms_median": round(statistics.median(cpus) * 1e3, 2),
        "cpu_ms_mean": round(statistics.fmean(cpus) * 1e3, 2),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--calls", type=int, default=400)
    ap.add_argument("--cache-dir", type=Path, default=Path("benchmarks/.cache"))
    ap.add_argument("--in-place", action="store_true", help="required: writes into the cache")
    args = ap.parse_args(argv)
    if not args.in_place:
        print("--in-place is required (results are written into the cached register)")
        return 2
    reg = ensure_register(args.cache_dir, args.persons, args.seed, covid_special=True)
    nurse = login(reg.register_dir, "nurse", demo_password("nurse"))
    # line_shapes is defined in _sync_records; _transaction imports it by name and looks it up in
    # its own namespace, so that is where it is swapped: with setattr, as the name is no export
    # of _transaction (mypy refuses the attribute; B010 would have setattr be an assignment)
    with_line = _sync_records.line_shapes
    times: dict[str, tuple[list[float], list[float]]] = {"with": ([], []), "without": ([], [])}
    try:
        conn = nurse.register.conn
        people = [
            int(r[0])
            for r in conn.execute(
                "SELECT id FROM persons WHERE birth_date < '2026-01-01' ORDER BY random() LIMIT ?",
                (args.calls,),
            ).fetchall()
        ]
        institution = str(conn.execute("SELECT code FROM institutions LIMIT 1").fetchone()[0])
        load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
        for i, person_id in enumerate(people):
            kind = "with" if i % 2 == 0 else "without"

            def no_line(*_a: Any, **_k: Any) -> None:
                return None

            swap = with_line if kind == "with" else no_line
            setattr(_transaction, "line_shapes", swap)  # noqa: B010
            entry = results.ResultInput(
                series_id="mr1",
                product_id="mr",
                vaccinated_on=date(2026, 6, 1),
                institution_code=institution,
                lot_no="BENCH01",
                payment_month="2026-07",
            )
            started, cpu = time.perf_counter(), time.process_time()
            results.record(nurse, person_id, entry, override_reason="性能測定のため")
            if i >= 2:  # the first of each kind warms caches (statements, catalog)
                times[kind][0].append(time.perf_counter() - started)
                times[kind][1].append(time.process_time() - cpu)
        load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    finally:
        setattr(_transaction, "line_shapes", with_line)  # noqa: B010
        nurse.register.close()
    out = {
        "persons": args.persons,
        "record_with_stored_line": _summary(*times["with"]),
        "record_without_stored_line": _summary(*times["without"]),
        "load_average_before": load_before,
        "load_average_after": load_after,
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
