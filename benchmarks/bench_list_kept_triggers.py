"""What the triggers of migration 0013 (kept 未接種者一覧 judgements dropped on writes) cost the
writes that fire them, measured on a disposable copy of a cached register:

- inserting dose rows (as an initial load or an import does): the same rows inserted with and
  without the triggers (each inside a transaction rolled back), with an empty ``list_kept`` (an
  initial load's new register) and with ``fill`` kept rows;
- updating dose rows: a column the judgement reads (``voided_at``: the trigger deletes) and one
  it does not (``payment_month``: the WHEN clause skips it);
- updating persons: the address (not judged: the trigger does not fire) and the birth date.

Figures are CPU seconds (``time.process_time``) per run and microseconds per row; the
difference with and without the triggers is their cost.

    .venv/bin/python -m benchmarks.bench_list_kept_triggers COPY/register [--rows N] [--fill N]

Not a test: figures, not assertions. The copy is left as it was (every run is rolled back).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

from app.services.demo import demo_password
from app.services.register import login

TRIGGERS = (
    "list_kept_dose_added",
    "list_kept_dose_deleted",
    "list_kept_dose_changed",
    "list_kept_person_judged",
    "list_kept_person_id",
    "list_kept_person_deleted",
)


Statement = tuple[str, tuple[Any, ...]]


def _timed(conn: Any, statements: list[Statement], drop: bool) -> tuple[float, int]:
    """CPU seconds of the last statement, after the others (set-up), and the rows it wrote;
    rolled back."""
    conn.execute("BEGIN")
    try:
        if drop:
            for name in TRIGGERS:
                conn.execute(f"DROP TRIGGER {name}")
        for sql, params in statements[:-1]:
            conn.execute(sql, params)
        c0 = time.process_time()
        sql, params = statements[-1]
        rows = conn.execute(sql, params).rowcount
        return time.process_time() - c0, int(rows)
    finally:
        conn.execute("ROLLBACK")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("register", type=Path)
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--fill", type=int, default=500_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    session = login(args.register, "nurse", demo_password("nurse"))
    conn = session.register.conn
    cols = [r[1] for r in conn.execute("PRAGMA table_info(vaccinations)") if r[1] not in ("id",)]
    copied = ", ".join("randomblob(16)" if c == "uid" else c for c in cols)
    n = args.rows
    insert = (
        f"INSERT INTO vaccinations ({', '.join(cols)}) SELECT {copied} FROM vaccinations"
        " WHERE id IN (SELECT id FROM vaccinations ORDER BY id LIMIT ?)",
        (n,),
    )
    fill = (
        "INSERT OR IGNORE INTO list_kept SELECT p.id, s.value, 1, 0, 0, NULL FROM persons p,"
        ' json_each(\'["hib","pcv","dpt_ipv"]\') s WHERE p.id <= ?',
        (args.fill // 3,),
    )
    some = "(SELECT id FROM vaccinations ORDER BY id LIMIT ?)"
    cases: dict[str, list[Statement]] = {
        "insert_doses_empty_list_kept": [("DELETE FROM list_kept", ()), insert],
        "insert_doses_filled_list_kept": [("DELETE FROM list_kept", ()), fill, insert],
        "update_doses_voided_at": [
            fill,
            (f"UPDATE vaccinations SET voided_at = 'x' WHERE id IN {some}", (n,)),
        ],
        "update_doses_payment_month": [
            fill,
            (f"UPDATE vaccinations SET payment_month = '2099-01' WHERE id IN {some}", (n,)),
        ],
        "update_persons_address": [
            fill,
            (
                "UPDATE persons SET address = address || '2'"
                " WHERE id IN (SELECT id FROM persons ORDER BY id LIMIT ?)",
                (n,),
            ),
        ],
        "update_persons_birth_date": [
            fill,
            (
                "UPDATE persons SET birth_date = date(birth_date, '-1 day')"
                " WHERE id IN (SELECT id FROM persons ORDER BY id LIMIT ?)",
                (n,),
            ),
        ],
    }
    out: dict[str, Any] = {"rows": n, "fill": args.fill, "cases": {}}
    load = os.getloadavg()[0]
    for name, statements in cases.items():
        timed = [_timed(conn, statements, False) for _ in range(args.repeat)]
        with_t, rows = min(t for t, _ in timed), timed[0][1]
        without = min(_timed(conn, statements, True)[0] for _ in range(args.repeat))
        per_row = (with_t - without) / max(rows, 1) * 1e6
        out["cases"][name] = {
            "rows": rows,
            "cpu_seconds_with_triggers": round(with_t, 3),
            "cpu_seconds_without": round(without, 3),
            "trigger_us_per_row": round(per_row, 2),
        }
        print(
            f"{name:32s} {rows:>8,} rows  with {with_t:6.3f} s  without {without:6.3f} s"
            f"  triggers {per_row:6.2f} µs/row",
            flush=True,
        )
    out["load_average"] = [round(load, 2), round(os.getloadavg()[0], 2)]
    session.register.close()
    if args.out is not None:
        args.out.write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
