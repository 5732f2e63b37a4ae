"""Hub speed on both engines (DESIGN.md §6; issue 10), each beside its raw bulk-insert rate.

For each engine (embedded SQLCipher file; PostgreSQL — ``--database URL`` or a throwaway cluster
started like the test suite's):

- ``import-residents`` of ``--persons`` synthetic persons (budget: 1,000,000 in ≤ 60 s), then the
  same file again (only differences: none); ``--only-import`` stops after this and the raw
  reference below; the load average is recorded before and after;
- raw reference: the same person and number rows inserted with the engine's bulk path
  (``COPY`` / one prepared INSERT) into an empty hub, nothing else;
- ``ingest``: ``--terminals`` terminals each sending one package of ``--per-package`` vaccination
  records, ingested back to back (budget ≥ 50,000 records/s): total, records/s, per-package p50/p99,
  beside the raw insert rate of the same record rows;
- with ``--emit-vaccinations N`` (issue 10: 8,000,000 beside 1,000,000 persons), N synthetic
  vaccination records are first written straight into the register through the engine's bulk
  path (timed as ``seed_vaccinations_s``: the raw insert rate of those rows);
- ``emit`` of an ``initial`` load for a new terminal (everything in the register): records/s and
  the process RSS before and at its peak during the emit (bounded memory, budget: 1M persons +
  8M vaccinations in ≤ 3 minutes).

Run: ``.venv/bin/python -m benchmarks.bench_hub [--persons 1000000] [--engines sqlcipher,postgres]``.
Writes ``benchmarks/results/hub-<persons>.json``. Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import psutil
import uuid_utils
from sqlalchemy import select

from app.hub.emit import emit
from app.hub.hub import Hub, add_terminal, init_hub
from app.hub.ingest import ingest_file
from app.hub.residents import import_residents
from app.hub.sample import resident_rows, write_residents_csv
from app.hub.store import bulk
from app.hub.store import sync_state as sstore
from app.hub.store.schema import person_numbers, persons, records
from app.hub.trust import current_trust
from app.sync import load_public_key
from tests.hub.terminal_sim import SimTerminal

CACHE = Path(__file__).with_name(".cache")
RESULTS = Path(__file__).with_name("results")
HUB_ID = "192015-HUB"


def _csv(persons_n: int) -> Path:
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"hub-residents-{persons_n}.csv"
    if not path.exists():
        tmp = path.with_suffix(".partial")
        write_residents_csv(tmp, resident_rows(persons_n, seed=1))
        tmp.replace(path)
    return path


def _timed(fn: Any, *args: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t0, out


def _rows(hub: Hub, table: Any) -> list[tuple[Any, ...]]:
    with hub.store.begin() as conn:
        return [tuple(r) for r in conn.execute(select(table))]


def _raw_insert(make_hub: Any, tables: list[tuple[Any, list[tuple[Any, ...]]]]) -> float:
    """Seconds to bulk-insert the given rows into an empty hub (engine fast path only)."""
    hub = make_hub()
    try:
        t0 = time.perf_counter()
        with hub.store.begin() as conn:
            for table, rows in tables:
                bulk.insert_rows(conn, table, [c.name for c in table.columns], rows)
        return time.perf_counter() - t0
    finally:
        hub.close()


def _packages(hub: Hub, work: Path, terminals: int, per_package: int) -> list[Path]:
    with hub.store.begin() as conn:
        trust = current_trust(hub.store, conn)
        uids = [
            str(__import__("uuid").UUID(bytes=bytes(r[0])))
            for r in conn.execute(select(persons.c.uid).limit(per_package))
        ]
    assert trust is not None
    server = load_public_key(hub.layout.keys_dir / f"{HUB_ID}.pub.json")
    out = work / "packages"
    paths = []
    for i in range(terminals):
        tid = f"192015-B{i + 1:03d}"
        t = SimTerminal(tid, work / tid, HUB_ID, server, trust)
        add_terminal(hub, t.pub_path)
        t.log("bench")
        vaccs = [t.vaccination(uids[j % len(uids)]) for j in range(per_package)]
        paths.append(t.changes(out, {"vaccination": vaccs}))
    return paths


def bench_engine(
    engine: str,
    database: Callable[[], str] | None,
    args: argparse.Namespace,
    work: Path,
    counter: Iterator[int],
) -> dict[str, Any]:
    def make_hub() -> Hub:
        n = next(counter)
        url = database_factory() if database_factory else None
        return init_hub(work / f"hub{n}", HUB_ID, database_url=url)

    database_factory = database if callable(database) else None
    csv_path = _csv(args.persons)
    res: dict[str, Any] = {"engine": engine, "persons": args.persons}
    res["loadavg_before"] = [round(x, 2) for x in os.getloadavg()]
    hub = make_hub()
    try:
        t, result = _timed(import_residents, hub, csv_path)
        res["import_s"] = round(t, 2)
        res["import_persons_per_s"] = round(args.persons / t)
        assert result.inserted == args.persons, result.to_json()
        t, again = _timed(import_residents, hub, csv_path)
        res["reimport_unchanged_s"] = round(t, 2)
        assert again.unchanged == args.persons
        person_rows, number_rows = _rows(hub, persons), _rows(hub, person_numbers)
        raw = _raw_insert(make_hub, [(persons, person_rows), (person_numbers, number_rows)])
        res["raw_insert_persons_numbers_s"] = round(raw, 2)
        res["raw_insert_persons_per_s"] = round(args.persons / raw)
        res["import_vs_raw"] = round(res["import_s"] / raw, 2)
        del person_rows, number_rows
        res["loadavg_after_import"] = [round(x, 2) for x in os.getloadavg()]
        if args.only_import:
            return res

        paths = _packages(hub, work / f"pk-{engine}", args.terminals, args.per_package)
        per_package = []
        total_records = 0
        t0 = time.perf_counter()
        for path in paths:
            t1 = time.perf_counter()
            r = ingest_file(hub, path)
            per_package.append(time.perf_counter() - t1)
            assert r.code == "OK", r.code
            total_records += r.applied
        total = time.perf_counter() - t0
        res["ingest_packages"] = len(paths)
        res["ingest_records"] = total_records
        res["ingest_total_s"] = round(total, 2)
        res["ingest_records_per_s"] = round(total_records / total)
        res["ingest_package_p50_s"] = round(statistics.median(per_package), 3)
        res["ingest_package_p99_s"] = round(
            sorted(per_package)[max(0, int(len(per_package) * 0.99) - 1)], 3
        )
        record_rows = _rows(hub, records)
        raw = _raw_insert(make_hub, [(records, record_rows)])
        res["raw_insert_records_per_s"] = round(len(record_rows) / raw)
        del record_rows

        if args.emit_vaccinations:
            t, n = _timed(_seed_vaccinations, hub, args.emit_vaccinations)
            res["seed_vaccinations"] = n
            res["seed_vaccinations_s"] = round(t, 2)
            res["seed_vaccinations_per_s"] = round(n / t)

        reader = SimTerminal(
            "192015-EMIT",
            work / f"emit-term-{engine}",
            HUB_ID,
            load_public_key(hub.layout.keys_dir / f"{HUB_ID}.pub.json"),
            _trust(hub),
        )
        add_terminal(hub, reader.pub_path)
        before = psutil.Process().memory_info().rss
        with _PeakRss() as peak:
            t, out = _timed(emit, hub, reader.terminal_id, work / f"emit-{engine}")
        res["emit_rss_before_mb"] = round(before / 2**20)
        res["emit_rss_peak_mb"] = round(peak.value / 2**20)
        n_records = sum(out.records.values())
        res["emit_initial_records"] = n_records
        res["emit_initial_s"] = round(t, 2)
        res["emit_initial_records_per_s"] = round(n_records / t)
        res["emit_initial_bytes"] = out.path.stat().st_size
    finally:
        hub.close()
    return res


def _seed_vaccinations(hub: Hub, n: int) -> int:
    """Write ``n`` vaccination records (spread over the register's persons, as if ingested from
    one terminal) with the bulk path, streamed; returns the count."""
    with hub.store.begin() as conn:
        people = [str(uuid.UUID(bytes=bytes(r[0]))) for r in conn.execute(select(persons.c.uid))]
        seq = hub.store.allocate_change_seq(conn, n)
        prefix = uuid_utils.uuid7().bytes[:8]  # uuid7 time, version nibble; the rest counts up
        start_ms = int(time.time() * 1000) - 86_400_000
        origin = "192015-B001"

        def rows() -> Iterator[tuple[Any, ...]]:
            for i in range(n):
                data = orjson.dumps(
                    {
                        "person_uid": people[i % len(people)],
                        "series_id": ("mr1", "mr2", "dpt1", "hib1")[i % 4],
                        "category": "routine",
                        "vaccinated_on": "2026-11-20",
                        "updated_date": "2026-11-20",
                        "updated_time": "10:00:00",
                        "updated_by": "N001",
                    }
                ).decode()
                version = f"{start_ms + i // 100_000:013d}.{i % 100_000:05d}.{origin}"
                uid = prefix + (0x8000_0000_0000_0000 | i).to_bytes(8, "big")
                yield ("vaccination", uid, version, origin, None, None, data, seq + i)

        count = sstore.insert_records(conn, rows())
    return count


class _PeakRss:
    """Samples this process's RSS every 50 ms while the block runs."""

    def __init__(self) -> None:
        self.value = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        proc = psutil.Process()
        while not self._stop.is_set():
            self.value = max(self.value, proc.memory_info().rss)
            self._stop.wait(0.05)

    def __enter__(self) -> _PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _trust(hub: Hub) -> Any:
    with hub.store.begin() as conn:
        return current_trust(hub.store, conn)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--engines", default="sqlcipher,postgres")
    ap.add_argument(
        "--database", default=None, help="PostgreSQL server URL (a database per hub is created)"
    )
    ap.add_argument(
        "--only-import",
        action="store_true",
        help="only import-residents, its re-import and the raw insert (hub-<persons>-import.json)",
    )
    ap.add_argument("--terminals", type=int, default=20)
    ap.add_argument("--per-package", type=int, default=10_000)
    ap.add_argument(
        "--emit-vaccinations",
        type=int,
        default=0,
        help="vaccination records written into the register before the initial emit",
    )
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vaxdesk-bench-hub-"))
    results = []
    cluster = None
    counter = iter(range(1, 10_000))
    try:
        for engine in args.engines.split(","):
            factory = None
            if engine == "postgres":
                from tests.hub.pg_cluster import PgCluster, find_bin_dir

                if args.database:
                    raise SystemExit("--database: not supported yet; a throwaway cluster is used")
                bin_dir = find_bin_dir()
                if bin_dir is None:
                    print("PostgreSQL not installed: skipping the postgres engine")
                    continue
                cluster = PgCluster(bin_dir)
                cluster.start()
                factory = cluster.new_database
            res = bench_engine(engine, factory, args, work, counter)
            print(json.dumps(res, ensure_ascii=False))
            results.append(res)
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(work, ignore_errors=True)
    RESULTS.mkdir(exist_ok=True)
    suffix = "-import" if args.only_import else ""
    out = RESULTS / f"hub-{args.persons}{suffix}.json"
    previous: list[dict[str, Any]] = []
    if out.exists():  # keep the other engines' latest runs
        previous = [
            r
            for r in json.loads(out.read_text())["runs"]
            if r["engine"] not in {x["engine"] for x in results}
        ]
    runs = sorted(previous + results, key=lambda r: str(r["engine"]))
    out.write_text(json.dumps({"cpu_count": os.cpu_count(), "runs": runs}, indent=2) + "\n")
    print(f"written {out}")


if __name__ == "__main__":
    main()
