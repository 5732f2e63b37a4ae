"""Raw floors of the encrypted register for the sync speed targets (issue 9): what SQLite itself
costs for the rows a 100,000-record export or ``updates`` import touches, with no package and no
Python per row.

- 100,000 random vaccinations and 100,000 random residents read by id in sorted order (what an
  export of random changes read before stored package lines);
- ONE ``UPDATE`` statement changing the address of 100,000 random residents, then the commit
  (the least an ``updates`` package of 100,000 resident changes must write), with the
  ``outbox_lines`` triggers of migration 0009 and again without them.

Run on a DISPOSABLE copy of a cached register (it drops triggers and changes addresses)::

    python -m benchmarks.bench_sync_floor COPY/register-1000000-s1/register

Prints one JSON object (wall and CPU seconds, rows, load average). Figures, not assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.services.demo import demo_password
from app.services.register import login
from app.store import db


def _timed(fn: Callable[[], int]) -> dict[str, Any]:
    os.sync()
    wall, cpu = time.perf_counter(), time.process_time()
    rows = fn()
    return {
        "wall": round(time.perf_counter() - wall, 2),
        "cpu": round(time.process_time() - cpu, 2),
        "rows": rows,
        "load": round(os.getloadavg()[0], 2),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("register", type=Path, help="register folder of a disposable copy")
    args = ap.parse_args(argv)
    session = login(args.register, "number", demo_password("number"))
    conn = session.register.conn
    out: dict[str, Any] = {}
    try:
        for name, table in (("vids", "vaccinations"), ("pids", "persons"), ("qids", "persons")):
            conn.execute(
                f"CREATE TEMP TABLE {name} AS SELECT id FROM {table} ORDER BY random() LIMIT 100000"
            )

        def read(table: str, ids: str) -> int:
            sql = f"SELECT t.* FROM {table} t JOIN {ids} USING (id) ORDER BY t.id"
            return len(conn.execute(sql).fetchall())

        def update(ids: str) -> int:
            with db.transaction(conn):
                cur = conn.execute(
                    "UPDATE persons SET address = address || ' 2'"
                    f" WHERE id IN (SELECT id FROM {ids})"
                )
            return int(cur.rowcount)

        out["read_100k_random_vaccinations"] = _timed(lambda: read("vaccinations", "vids"))
        out["read_100k_random_persons"] = _timed(lambda: read("persons", "pids"))
        out["update_100k_random_residents_with_triggers"] = _timed(lambda: update("pids"))
        triggers = [
            str(r[0])
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'persons'"
            )
        ]
        with db.transaction(conn):
            for name in triggers:
                conn.execute(f"DROP TRIGGER {name}")
        out["update_100k_other_random_residents_without_triggers"] = _timed(lambda: update("qids"))
        out["dropped_triggers"] = len(triggers)
    finally:
        session.register.close()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
