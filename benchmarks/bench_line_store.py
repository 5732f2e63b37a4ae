"""What the queue-time check and MAC of a stored package line cost (issue 9 "Speed"): for the same
random vaccinations, alternating, inside one transaction rolled back at the end,

- ``unchecked``: the line built and stored by one ``INSERT … SELECT`` (how session 4 stored it,
  without check or MAC; the export then checked it);
- ``checked``: ``outbox_lines.store`` as the app calls it now (the line built by the same SQL,
  read back, schema-checked, MAC'd and inserted).

Both also delete one line of packaged changes, as the app does. Run on a disposable copy:
``python -m benchmarks.bench_line_store REGISTER_DIR [--calls 4000]`` (a register folder with the
demo users, e.g. a bench_sync work copy). Prints JSON (µs per stored line, wall and CPU).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from app.services._line_check import line_check
from app.services._sync_records import line_shapes
from app.services.demo import demo_password
from app.services.register import login
from app.store import outbox_lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("register", type=Path)
    ap.add_argument("--calls", type=int, default=4000)
    args = ap.parse_args(argv)
    session = login(args.register, "number", demo_password("number"))
    conn = session.register.conn
    try:
        shapes = line_shapes(conn, "vaccination")
        assert shapes is not None
        _select, key, source = outbox_lines._statement(conn, *shapes)
        unchecked_sql = (
            "INSERT OR REPLACE INTO outbox_lines"
            " (outbox_id, record_type, record_uid, shape_key, line)"
            f" SELECT :outbox_id, 'vaccination', t.uid, {key}, {source} WHERE t.uid = :uid"
        )
        checker, mac = line_check("vaccination"), outbox_lines._mac
        parts: dict[str, list[float]] = {"check": [], "mac": []}

        class Timed:  # the app's check, timed (part of "checked")
            tag = checker.tag

            def __call__(self, line: bytes, /) -> bool:
                started = time.process_time()
                try:
                    return checker(line)
                finally:
                    parts["check"].append(time.process_time() - started)

        def timed_mac(*args: Any) -> bytes:  # the MAC, timed (part of "checked")
            started = time.process_time()
            try:
                return mac(*args)
            finally:
                parts["mac"].append(time.process_time() - started)

        check = Timed()
        outbox_lines._mac = timed_mac  # type: ignore[assignment]
        uids = [
            bytes(r[0])
            for r in conn.execute(
                "SELECT uid FROM vaccinations ORDER BY random() LIMIT ?", (args.calls,)
            )
        ]
        times: dict[str, tuple[list[float], list[float]]] = {
            "unchecked": ([], []),
            "checked": ([], []),
        }
        next_id = int(conn.execute("SELECT coalesce(max(id), 0) FROM outbox").fetchone()[0]) + 1
        load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
        conn.execute("BEGIN IMMEDIATE")
        try:
            for i, uid in enumerate(uids):
                conn.execute("SELECT uid, version FROM vaccinations WHERE uid = ?", (uid,))
                kind = "checked" if i % 2 else "unchecked"
                wall, cpu = time.perf_counter(), time.process_time()
                if kind == "checked":
                    outbox_lines.store(conn, next_id + i, uid, *shapes, check=check)
                else:
                    conn.execute(unchecked_sql, {"outbox_id": next_id + i, "uid": uid})
                    conn.execute(
                        "DELETE FROM outbox_lines WHERE record_type = 'vaccination' AND outbox_id"
                        " IN (SELECT outbox_id FROM outbox_lines WHERE record_type = 'vaccination'"
                        " AND outbox_id <= (SELECT CAST(value AS INTEGER) FROM meta WHERE key ="
                        " :sent) ORDER BY outbox_id LIMIT 1)",
                        {"sent": outbox_lines.SENT_KEY},
                    )
                if i >= 2:
                    times[kind][0].append(time.perf_counter() - wall)
                    times[kind][1].append(time.process_time() - cpu)
        finally:
            conn.execute("ROLLBACK")
            outbox_lines._mac = mac
        load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    finally:
        session.register.close()
    out: dict[str, object] = {
        "calls_each": len(times["checked"][0]),
        "load_average_before": load_before,
        "load_average_after": load_after,
    }
    for kind, (walls, cpus) in times.items():
        out[kind] = {
            "wall_us_median": round(statistics.median(walls) * 1e6, 1),
            "wall_us_mean": round(statistics.fmean(walls) * 1e6, 1),
            "cpu_us_median": round(statistics.median(cpus) * 1e6, 1),
            "cpu_us_mean": round(statistics.fmean(cpus) * 1e6, 1),
        }
    out["checked_parts_cpu_us_median"] = {
        k: round(statistics.median(v) * 1e6, 1) for k, v in parts.items()
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
