"""The ``updates`` stage of ``bench_sync``: a server ``updates`` package that edits the address
of ``changes`` random residents, imported end to end (verify, decrypt, validate, apply) with the
main thread's phases (``updates_phases``) and every thread's CPU (``thread_cpu``), the WAL
checkpoint the import leaves for later timed apart, beside plain SQLite's insert rate of the same
rows in the same run. Optionally a cProfile of the import (``--profile``) and then the raw floor
on the same copy: one bare UPDATE of as many other random residents (``--floor``,
``bench_sync_storage.run``).
"""

from __future__ import annotations

import cProfile
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from app.services import _sync_identity
from app.services._bulk import APPLY_CACHE_MIB
from app.services._sync_records import to_envelope
from app.services.demo import demo_password
from app.services.register import login
from app.services.sync_import import checkpoint as sync_import_checkpoint
from app.services.sync_import import import_package
from app.store import db, sync_outbox, sync_state
from app.sync.writer import build_package
from benchmarks.demo_cache import CachedRegister
from benchmarks.sync_stage_common import (
    SERVER,
    _peak_rss_mb,
    _plain_rate,
    _rows,
    _server,
    _work_copy,
)
from benchmarks.thread_cpu import ThreadCpu
from benchmarks.updates_phases import Phases


def _edited(conn: db.Connection, uids: list[bytes]) -> Iterator[dict[str, Any]]:
    # newer than every stored version (a copy imported into before may hold versions ahead)
    top = conn.execute("SELECT max(version) FROM persons").fetchone()[0]
    clock = max(int(time.time() * 1000) + 60_000, int(str(top or "0").split(".")[0]) + 1)
    for i, row in enumerate(sync_outbox.read_records(conn, "person", uids)):
        _, env = to_envelope(row, party_id=SERVER, cipher=None)
        env["data"]["address"] = env["data"]["address"] + " 2"
        env["version"], env["origin"] = f"{clock + i:013d}.00000.{SERVER}", SERVER
        yield env


def stage_updates(
    reg: CachedRegister,
    work: Path,
    changes: int,
    terminal: Path | None = None,
    ack: int = 0,
    profile: Path | None = None,
    floor: bool = False,
) -> dict[str, Any]:
    terminal = terminal or _work_copy(reg, work)
    session = login(terminal, "number", demo_password("number"))
    dek = session.register.dek
    server = _server(terminal)
    pkg = work / "updates.vxpkg"
    try:
        conn = session.register.conn
        uids = [
            bytes(r[0])
            for r in conn.execute("SELECT uid FROM persons ORDER BY random() LIMIT ?", (changes,))
        ]
        keys = _sync_identity.identity_keys(conn)
        chan = sync_state.channel(conn, SERVER)
        build_package(
            pkg,
            sender=server,
            recipient=keys.public,
            kind="updates",
            sequence=chan.last_applied_seq + 1,
            ack=chan.last_sent_seq if ack else 0,
            records={"person": _edited(conn, uids)},
        )
        os.sync()  # the copy's write-back does not land in the import's commit
        profiler = cProfile.Profile() if profile is not None else None
        started, cpu = time.perf_counter(), time.process_time()
        main_cpu = time.thread_time()
        if profiler is not None:
            profiler.enable()
        with Phases() as phases, ThreadCpu() as threads:
            result = import_package(session, pkg)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        main_cpu = time.thread_time() - main_cpu
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(str(profile))
        # the checkpoint the import leaves for later (sync_import.checkpoint, at idle)
        wal = terminal / "register.vxdb-wal"
        wal_mb = round(wal.stat().st_size / 2**20, 1) if wal.exists() else 0.0
        ck_wall, ck_cpu = time.perf_counter(), time.process_time()
        frames = sync_import_checkpoint(session)
        ck_wall, ck_cpu = time.perf_counter() - ck_wall, time.process_time() - ck_cpu
        cols: list[str] = []
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(uids), 30000):
            part = uids[start : start + 30000]
            cols, got = _rows(conn, "persons", f"WHERE uid IN ({','.join('?' * len(part))})", part)
            rows += got
    finally:
        session.register.close()
    raw: dict[str, Any] = {}
    if floor:  # the same number of other random residents, one bare UPDATE, same load
        from benchmarks.bench_sync_storage import run

        raw = {
            "raw_floor_one_update_statement": run(
                terminal / "register.vxdb", dek, cache_mib=APPLY_CACHE_MIB, rows=changes
            )
        }
    return {
        "records": result.applied,
        "seconds": round(seconds, 2),
        "records_per_s": round(result.applied / seconds),
        "cpu_seconds": round(cpu, 2),
        "main_thread_cpu_seconds": round(main_cpu, 2),
        "main_thread_phases": phases.report(),
        "threads": threads.report(),
        "records_per_cpu_s": round(result.applied / cpu),
        "deferred_checkpoint": {
            "wal_mb_before": wal_mb,
            "frames": frames,
            "wall": round(ck_wall, 2),
            "cpu": round(ck_cpu, 2),
        },
        "seconds_with_checkpoint": round(seconds + ck_wall, 2),
        "cpu_seconds_with_checkpoint": round(cpu + ck_cpu, 2),
        "plain_sqlite_insert_per_s": _plain_rate({"persons": rows}, {"persons": cols}),
        "peak_rss_mb": _peak_rss_mb(),
        "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        **raw,
    }
