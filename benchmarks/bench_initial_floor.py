"""The storage floor of an ``initial`` load (issue 9, speed): the rows the load writes, inserted
with the cheapest Python there is, so the import's time splits into the storage's own cost and
ours (verify, decrypt, check, JSON, the chunk statement, Python).

The rows are the ones the initial stage of ``bench_sync`` imports (the same tables, record order,
columns and values: the cached synthetic register's households, institutions, vaccines, lots,
persons, issuances and given vaccinations, as the package carries them: origin and version the
server's, ids given in package order). They are copied once into a PLAIN SQLite scratch file in
a temporary folder (synthetic data only; deleted after; never read from the package), then
streamed from it by ``executemany`` of the scratch cursor's tuples into:

- ``encrypted``: a copy of the initial fixture's empty encrypted register, opened as the import
  opens it (cipher settings, ``foreign_keys``, ``temp_store``, ``synchronous = FULL``), in one
  transaction with the import's settings around it (rollback journal of ``load_journal``, the
  collector paused and the page cache of ``bulk_apply`` and ``LOAD_CACHE_MIB``);
- ``plain``: an unencrypted copy of that same empty register (``sqlcipher_export``: the same
  schema, indexes and triggers), same SQLite library, same pragmas, journal and cache;
- ``encrypted_deferred`` (information only): as ``encrypted`` but the secondary indexes and
  the triggers of the loaded tables dropped before and created again after the rows, in the same
  transaction (no trigger of these tables fires on INSERT: they are dropped for completeness).

Each phase runs in its own process (its own peak RSS). Run:
``python -m benchmarks.bench_initial_floor --persons 1000000 --cache-dir benchmarks/.cache``
(needs a real copy of the cached register: it logs in on it to read the rows).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import sqlcipher3

from app.services._bulk import bulk_apply
from app.services._sync_initial import LOAD_CACHE_MIB
from app.services.demo import demo_password
from app.services.register import login
from app.services.sync_import import LOAD_JOURNAL
from app.store import bulk, db, initial_load, sync_outbox
from benchmarks.demo_cache import ensure_register
from benchmarks.sync_stage_common import SERVER, _peak_rss_mb
from benchmarks.sync_stage_initial import INITIAL_TYPES, _initial_fixture

RESULTS = Path(__file__).resolve().parent / "results"
PHASES = (
    "encrypted",
    "plain",
    "encrypted_deferred",
    "encrypted_sql",
    "plain_sql",
    "encrypted_sql_nofk",
    "encrypted_values",
)
VALUES_ROWS = 500  # rows per multi-row INSERT … VALUES (the ``_values`` phases)
TABLES = tuple(sync_outbox.RECORD_TABLES[t] for t in INITIAL_TYPES)
# the rows of a table the initial package carries (postponements are another record type)
_WHERE = {"vaccinations": "WHERE outcome = 'given'"}
# columns naming a row of another loaded table by id (ids are renumbered in package order)
_REFS = {
    "households": {},
    "institutions": {},
    "vaccines": {},
    "lots": {"vaccine_id": "vaccines"},
    "persons": {"household_id": "households", "guardian_id": "persons"},
    "issuances": {"person_id": "persons"},
    "vaccinations": {
        "person_id": "persons",
        "institution_id": "institutions",
        "screening_institution_id": "institutions",
        "issuance_id": "issuances",
    },
}


def _columns(conn: Any, table: str) -> list[str]:
    return [str(r[1]) for r in conn.execute(f"PRAGMA table_info({table})").fetchall()]


def build_scratch(source: db.Connection, scratch: Path) -> dict[str, int]:
    """Copy the rows the package carries, as the initial load stores them, into ``scratch`` (a
    plain SQLite file without indexes, one table per loaded table, rows in package order).
    Ids are given 1, 2, … in package order (the load's ids in an empty register) and the
    references follow them."""
    out = sqlite3.connect(scratch, isolation_level=None)
    out.execute("PRAGMA journal_mode = OFF")
    out.execute("PRAGMA synchronous = OFF")
    counts: dict[str, int] = {}
    new_ids: dict[str, dict[int, int]] = {}
    for table in TABLES:
        cols = _columns(source, table)
        out.execute(f"CREATE TABLE {table} ({', '.join(cols)})")
        pos = {c: i for i, c in enumerate(cols)}
        where = _WHERE.get(table, "")
        if table != "vaccinations":  # nothing names a vaccination
            got = source.execute(f"SELECT id FROM {table} {where} ORDER BY id").fetchall()
            new_ids[table] = {int(r[0]): n for n, r in enumerate(got, 1)}
        refs = [(pos[c], new_ids[t]) for c, t in _REFS[table].items()]
        i_id, i_ver, i_org = pos["id"], pos["version"], pos["origin"]
        sql = f"SELECT {', '.join(cols)} FROM {table} {where} ORDER BY id"
        marks = ", ".join("?" * len(cols))
        insert = f"INSERT INTO {table} VALUES ({marks})"
        out.execute("BEGIN")
        cur = source.execute(sql)
        n = 0
        while batch := cur.fetchmany(20_000):
            rows = []
            for row in batch:
                r = list(row)
                n += 1
                r[i_id] = n
                r[i_ver] = str(r[i_ver]).rsplit(".", 1)[0] + "." + SERVER
                r[i_org] = SERVER
                for i, mapping in refs:
                    if r[i] is not None:
                        r[i] = mapping[r[i]]
                rows.append(r)
            out.executemany(insert, rows)
        out.execute("COMMIT")
        counts[table] = n
    out.close()
    return counts


@contextmanager
def _import_settings(conn: Any, scratch: Path | None) -> Iterator[None]:
    """The settings the initial import runs under (sync_import, _sync_initial), one transaction;
    with ``scratch``, that file attached (as ``scratch``) for the statement copy."""
    with ExitStack() as stack:
        stack.enter_context(initial_load.load_journal(conn, LOAD_JOURNAL))
        if scratch is not None:
            conn.execute("ATTACH DATABASE ? AS scratch KEY ''", (str(scratch),))
            stack.callback(conn.execute, "DETACH DATABASE scratch")
        stack.enter_context(db.transaction(conn))
        stack.enter_context(bulk_apply(conn))
        stack.enter_context(bulk.page_cache(conn, LOAD_CACHE_MIB))
        yield


def _deferred_schema(conn: Any) -> list[tuple[str, str, str]]:
    """(type, name, sql) of the secondary indexes and triggers of the loaded tables."""
    marks = ", ".join("?" * len(TABLES))
    rows = conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger')"
        f" AND tbl_name IN ({marks}) AND sql IS NOT NULL ORDER BY type, name",
        TABLES,
    ).fetchall()
    return [(str(t), str(n), str(s)) for t, n, s in rows]


def _insert_values(conn: Any, table: str, cols: str, cursor: Any) -> None:
    """``VALUES_ROWS`` rows per ``INSERT … VALUES (…), (…), …`` (one statement for many rows,
    against ``executemany``'s one-row statement per row; at 1M it costs as much: the per-value
    Python round trip dominates, not the statement)."""
    marks = "(" + ", ".join("?" * len(cols.split(", "))) + ")"
    full = f"INSERT INTO {table} ({cols}) VALUES {', '.join([marks] * VALUES_ROWS)}"
    flat = itertools.chain.from_iterable
    while batch := cursor.fetchmany(VALUES_ROWS):
        sql = full if len(batch) == VALUES_ROWS else full[: full.index(" VALUES ")]
        if len(batch) < VALUES_ROWS:
            sql += " VALUES " + ", ".join([marks] * len(batch))
        conn.execute(sql, tuple(flat(batch)))


def _load(
    conn: Any, scratch: Path, *, deferred: bool, statement: bool, values: bool = False
) -> dict[str, Any]:
    """The rows of ``scratch`` into ``conn``: by ``executemany`` of the scratch cursor's tuples,
    with ``values`` by multi-row ``INSERT … VALUES`` of them, or with ``statement`` by one
    ``INSERT … SELECT`` per table from the attached scratch (no Python per row: the storage
    alone)."""
    src = sqlite3.connect(scratch)
    timings: dict[str, float] = {}
    rows = 0
    with _import_settings(conn, scratch if statement else None):
        dropped = _deferred_schema(conn) if deferred else []
        for kind, name, _sql in dropped:
            conn.execute(f"DROP {kind.upper()} {name}")
        for table in TABLES:
            cols = ", ".join(_columns(conn, table))
            t0 = time.perf_counter()
            before = conn.total_changes
            select = f"SELECT {cols} FROM {{}}{table} ORDER BY rowid"
            if statement:
                conn.execute(f"INSERT INTO main.{table} ({cols}) {select.format('scratch.')}")
            elif values:
                _insert_values(conn, table, cols, src.execute(select.format("")))
            else:
                marks = ", ".join("?" * len(_columns(conn, table)))
                conn.executemany(
                    f"INSERT INTO {table} ({cols}) VALUES ({marks})",
                    src.execute(select.format("")),
                )
            rows += conn.total_changes - before
            timings[table] = round(time.perf_counter() - t0, 1)
        if dropped:
            t0 = time.perf_counter()
            for _kind, _name, sql in dropped:
                conn.execute(sql)
            timings["indexes_and_triggers_after"] = round(time.perf_counter() - t0, 1)
        commit_from = time.perf_counter()
    timings["commit_and_settings_restored"] = round(time.perf_counter() - commit_from, 1)
    src.close()
    return {"rows": rows, "seconds_by_step": timings}


def _open_plain(path: Path) -> Any:
    """The plain copy, opened with the register's pragmas (``db.connect``) but no key."""
    conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA cache_size = -65536")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def load_into(phase: str, copy: Path, scratch: Path, plain_path: Path) -> dict[str, Any]:
    """One phase into ``copy`` (a copy of the empty target register; for ``plain`` its rows go
    into the unencrypted export ``plain_path`` instead). Leaves the files in place."""
    session = login(copy, "number", demo_password("number"))
    conn: Any = session.register.conn
    if phase.startswith("plain"):
        bulk.export_plain(conn, plain_path)
        session.register.close()
        conn = _open_plain(plain_path)
    if phase.endswith("_nofk"):  # information only: the foreign key checks left out
        conn.execute("PRAGMA foreign_keys = OFF")
    try:
        os.sync()
        load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
        wall, cpu, thread = time.perf_counter(), time.process_time(), time.thread_time()
        result = _load(
            conn,
            scratch,
            deferred="deferred" in phase,
            statement="_sql" in phase,
            values=phase.endswith("_values"),
        )
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        thread = time.thread_time() - thread
        load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
        check = str(conn.execute("PRAGMA quick_check").fetchone()[0])
    finally:
        conn.close()
    if phase.startswith("plain"):
        file_mb = plain_path.stat().st_size // 2**20
    else:
        file_mb = sum(p.stat().st_size for p in copy.rglob("*") if p.is_file()) // 2**20
    return {
        **result,
        "seconds": round(wall, 1),
        "cpu_seconds": round(cpu, 1),
        "thread_cpu_seconds": round(thread, 1),
        "rows_per_s": round(result["rows"] / wall),
        "rows_per_cpu_s": round(result["rows"] / cpu),
        "peak_rss_mb": _peak_rss_mb(),
        "load_average_before": load_before,
        "load_average_after": load_after,
        "quick_check": check,
        "file_mb": file_mb,
    }


def run_phase(phase: str, target_dir: Path, scratch: Path, work: Path) -> dict[str, Any]:
    """One phase into a fresh copy of the empty target register (deleted after)."""
    copy, plain_path = work / f"target-{phase}", work / "plain.db"
    shutil.copytree(target_dir, copy)
    try:
        return load_into(phase, copy, scratch, plain_path)
    finally:
        shutil.rmtree(copy, ignore_errors=True)
        plain_path.unlink(missing_ok=True)


def _phase_in_child(phase: str, target: Path, scratch: Path, work: Path) -> Any:
    cmd = [sys.executable, "-m", "benchmarks.bench_initial_floor", "--phase", phase]
    cmd += ["--target", str(target), "--scratch", str(scratch), "--work", str(work)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"phase {phase} failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cache-dir", type=Path, default=Path("benchmarks/.cache"))
    ap.add_argument("--phases", default=",".join(PHASES), help="comma-separated subset")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--note", default="")
    ap.add_argument(
        "--reuse-scratch",
        type=Path,
        default=None,
        help="a scratch file an earlier run built (kept; for iteration runs only)",
    )
    ap.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    ap.add_argument("--target", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--scratch", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.phase:  # a child: one phase, its figures on the last line
        print(json.dumps(run_phase(args.phase, args.target, args.scratch, args.work)))
        return 0
    phases = [p for p in args.phases.split(",") if p]
    if not set(phases) <= set(PHASES):
        ap.error(f"phases: {', '.join(PHASES)}")
    reg = ensure_register(args.cache_dir, args.persons, args.seed, covid_special=True)
    target_dir, _pkg, info = _initial_fixture(reg, args.cache_dir)
    out: dict[str, Any] = {"note": args.note, "persons": args.persons, "phases": {}}
    with tempfile.TemporaryDirectory(dir=args.cache_dir) as tmp:
        work = Path(tmp)
        scratch = args.reuse_scratch or work / "scratch.db"
        if args.reuse_scratch is not None:  # built by an earlier run (iteration only)
            with sqlite3.connect(scratch) as sc:
                counts = {
                    t: int(sc.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in TABLES
                }
            out["scratch_reused"] = True
        else:
            source = login(reg.register_dir, "number", demo_password("number"))
            try:
                t0, c0 = time.perf_counter(), time.process_time()
                counts = build_scratch(source.register.conn, scratch)
                out["scratch_build_seconds"] = round(time.perf_counter() - t0, 1)
                out["scratch_build_cpu_seconds"] = round(time.process_time() - c0, 1)
            finally:
                source.register.close()
        out["rows"], out["counts"] = sum(counts.values()), counts
        out["scratch_mb"] = scratch.stat().st_size // 2**20
        print(f"scratch: {json.dumps(out, ensure_ascii=False)}", file=sys.stderr, flush=True)
        for phase in phases:
            out["phases"][phase] = _phase_in_child(phase, target_dir, scratch, work)
            line = json.dumps(out["phases"][phase], ensure_ascii=False)
            print(f"{phase}: {line}", file=sys.stderr, flush=True)
    out["source_rows_before_filter"] = sum(info["counts"].values())
    out["load_average"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    if args.out is not None:
        args.out.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", "utf-8")
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
