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
import cProfile
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from app.services import _sync_identity, sync_export
from app.services._bulk import APPLY_CACHE_MIB
from app.services._line_check import line_check
from app.services._sync_records import line_shapes, to_envelope
from app.services.demo import MUNICIPALITY_CODE, demo_password, demo_users
from app.services.register import login
from app.services.register_create import create_register
from app.services.sync_import import checkpoint as sync_import_checkpoint
from app.services.sync_import import import_package
from app.store import db, migrate, outbox_lines, stamps, sync_outbox, sync_state
from app.sync.encoding import utc_now
from app.sync.keys import KeyPair, load_keypair
from app.sync.trust import build_trust, make_party
from app.sync.writer import build_package
from benchmarks import export_timeline
from benchmarks.demo_cache import CachedRegister, ensure_register
from benchmarks.thread_cpu import ThreadCpu
from benchmarks.updates_phases import Phases

RESULTS = Path(__file__).resolve().parent / "results"
SERVER = f"{MUNICIPALITY_CODE}-HUB"
INITIAL_TYPES = ("household", "institution", "vaccine", "lot", "person", "issuance", "vaccination")


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _io_mb() -> dict[str, int]:
    """MB this process read and wrote through system calls (``rchar``/``wchar``: page reads of
    the register whether or not the OS had them cached), where /proc offers them."""
    try:
        text = Path("/proc/self/io").read_text()
    except OSError:
        return {}
    fields = dict(line.split(": ") for line in text.splitlines() if ": " in line)
    return {k: int(fields[k]) // 2**20 for k in ("rchar", "wchar") if k in fields}


def _plain_rate(
    rows_by_table: dict[str, Iterable[tuple[Any, ...]]], cols: dict[str, list[str]]
) -> float:
    """Rows per second of executemany into a fresh plain SQLite file of the same schema (rows may
    stream from a cursor: then reading them counts in the plain figure too)."""
    with tempfile.TemporaryDirectory() as tmp:
        conn = sqlite3.connect(Path(tmp) / "plain.db", isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        for step in migrate.available_migrations():
            conn.executescript(step.sql)
        before = conn.total_changes
        started = time.perf_counter()
        conn.execute("BEGIN")
        for table, rows in rows_by_table.items():
            names = ", ".join(cols[table])
            marks = ", ".join("?" * len(cols[table]))
            conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
        conn.execute("COMMIT")
        seconds = time.perf_counter() - started
        total = conn.total_changes - before
        conn.close()
    return round(total / seconds)


def _rows(
    conn: db.Connection, table: str, where: str = "", params: Any = ()
) -> tuple[list[str], list[tuple[Any, ...]]]:
    cur = conn.execute(f"SELECT * FROM {table} {where}", params)
    return [c[0] for c in cur.description], [tuple(r) for r in cur.fetchall()]


def _work_copy(reg: CachedRegister, work: Path) -> Path:
    target = work / "terminal"
    shutil.copytree(reg.register_dir, target)
    return target


def _server(terminal: Path) -> KeyPair:
    return load_keypair(terminal / "demo-server" / f"{SERVER}.key.json")


def _queue_changes(conn: db.Connection, changes: int) -> dict[str, Any]:
    """Queue ``changes`` random vaccinations as the app does (``WriteContext.queue``: the line
    shapes, then ``stamps.queue_outbox`` with them: the outbox entry and the stored package
    line, schema-checked and MAC'd), timed. Each batch of rows is read first, as the write that queues a change has just
    written its row (its pages are in the cache then); the read is not in the queue figures."""
    ids = [
        int(r[0])
        for r in conn.execute(
            "SELECT id FROM vaccinations ORDER BY random() LIMIT ?", (changes,)
        ).fetchall()
    ]
    split = {"shapes": 0.0, "entry": 0.0, "line": 0.0, "line_check": 0.0, "line_mac": 0.0}
    wall = cpu = 0.0
    clock = time.perf_counter
    checker, mac = line_check("vaccination"), outbox_lines._mac

    class Timed:  # the queue-time schema check, timed (part of "line")
        tag = checker.tag

        def __call__(self, line: bytes, /) -> bool:
            started = clock()
            try:
                return checker(line)
            finally:
                split["line_check"] += clock() - started

    check = Timed()

    def timed_mac(*args: Any) -> bytes:  # the line's MAC, timed (part of "line")
        started = clock()
        try:
            return mac(*args)
        finally:
            split["line_mac"] += clock() - started

    outbox_lines._mac = timed_mac  # type: ignore[assignment]
    try:
        with db.transaction(conn):
            for start in range(0, len(ids), 1000):
                part = ids[start : start + 1000]
                rows = conn.execute(
                    "SELECT t.uid, t.version, p.uid FROM vaccinations t"
                    " LEFT JOIN persons p ON p.id = t.person_id"
                    f" WHERE t.id IN ({','.join('?' * len(part))})",
                    part,
                ).fetchall()
                started, cpu_started = clock(), time.process_time()
                for uid, version, _person in rows:
                    a = clock()
                    shapes = line_shapes(conn, "vaccination", cached=True)
                    b = clock()
                    outbox_id = stamps.queue_outbox(conn, "vaccination", uid, version)
                    c = clock()
                    if shapes is not None:
                        outbox_lines.store(conn, outbox_id, uid, *shapes, check=check)
                    d = clock()
                    split["shapes"] += b - a
                    split["entry"] += c - b
                    split["line"] += d - c
                wall += clock() - started
                cpu += time.process_time() - cpu_started
    finally:
        outbox_lines._mac = mac
    stored = conn.execute("SELECT count(*) FROM outbox_lines WHERE mac IS NOT NULL").fetchone()[0]
    return {
        "changes": len(ids),
        "seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "us_per_change": round(wall / max(1, len(ids)) * 1e6, 1),
        "split_seconds": {k: round(v, 2) for k, v in split.items()},
        "us_per_change_split": {k: round(v / max(1, len(ids)) * 1e6, 1) for k, v in split.items()},
        "lines_stored_with_mac": int(stored),
        "note": "line_shapes + outbox entry + stored line per change (line: built by SQLite,"
        " schema-checked, MAC'd and stored; line_check and line_mac are parts of line), rows read"
        " into the cache first as after their write",
    }


def _timed_export(
    session: Any, out: Path, timeline: bool
) -> tuple[Any, float, float, float, str, str, Any]:
    """(result, wall, CPU, exporting thread's CPU, load before, load after, timeline) of one
    export of the waiting changes."""
    os.sync()  # earlier writes' write-back does not land in the export
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    recorder = export_timeline.install() if timeline else None
    try:
        started, cpu = time.perf_counter(), time.process_time()
        main_cpu = time.thread_time()
        if recorder is not None:
            recorder.t0 = started
        result = sync_export.export_changes(session, out)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        main_cpu = time.thread_time() - main_cpu
    finally:
        if recorder is not None:
            recorder.uninstall()
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return result, seconds, cpu, main_cpu, load_before, load_after, recorder


def _figures(
    result: Any, seconds: float, cpu: float, main_cpu: float, before: str, after: str
) -> dict[str, Any]:
    return {
        "records": result.records,
        "audit_entries": result.audit_entries,
        "seconds": round(seconds, 2),
        "records_per_s": round(result.records / seconds),
        "cpu_seconds": round(cpu, 2),
        "records_per_cpu_s": round(result.records / cpu),
        # the exporting thread's own CPU; the rest ran on the worker threads (second connection,
        # marking, deflate, hashing) beside it
        "main_thread_cpu_seconds": round(main_cpu, 2),
        "package_mb": round(result.path.stat().st_size / 2**20, 1),
        "load_average_before": before,
        "load_average_after": after,
    }


def _acknowledge_audit(session: Any, work: Path, sequence: int) -> dict[str, Any]:
    """The state after yesterday's exchange, for the same waiting changes: the package
    ``sequence`` is made waiting again (a benchmark-only step: that sequence is then never
    acknowledged) and the server's ``updates`` package (no records, ``ack`` 0) acknowledges the
    terminal's audit entries up to the current head (``audit_ack``), imported as any package."""
    conn = session.register.conn
    with db.transaction(conn):
        conn.execute("UPDATE outbox SET package_seq = NULL WHERE package_seq = ?", (sequence,))
    head = sync_outbox.audit_head(conn)
    assert head is not None
    keys = _sync_identity.identity_keys(conn)
    server = _server(session.register.directory)
    pkg = work / "audit-ack.vxpkg"
    build_package(
        pkg,
        sender=server,
        recipient=keys.public,
        kind="updates",
        sequence=sync_state.channel(conn, SERVER).last_applied_seq + 1,
        ack=0,
        manifest_extra={
            "audit_ack": {"terminal": keys.party_id, "seq": head[0], "hash": head[1].hex()}
        },
    )
    import_package(session, pkg)
    stored = conn.execute("SELECT count(*) FROM outbox_lines WHERE mac IS NOT NULL").fetchone()[0]
    return {
        "acknowledged_head": head[0],
        "waiting": sync_outbox.unpackaged_count(conn),
        "stored_lines_with_mac": int(stored),
    }


def stage_export(
    reg: CachedRegister,
    work: Path,
    changes: int,
    terminal: Path | None = None,
    *,
    compare_rows: bool = False,
    timeline: bool = False,
    acknowledged: bool = True,
) -> dict[str, Any]:
    """The export of ``changes`` queued vaccinations as the cached register is today (with every
    audit entry since its last acknowledged head), then (``acknowledged``) the same changes
    exported again, in a fresh session, after a server package acknowledged the audit entries up
    to the head (as a terminal that exchanges daily): both in the same run."""
    terminal = terminal or _work_copy(reg, work)
    session = login(terminal, "number", demo_password("number"))
    for backup in terminal.rglob("*.pre-v*.bak"):  # a newer schema's migration: disk space
        backup.unlink()
    try:
        conn = session.register.conn
        queued = _queue_changes(conn, changes)
        result, seconds, cpu, main_cpu, before, after, recorder = _timed_export(
            session, work / "medium", timeline
        )
        cols, rows = _rows(
            conn,
            "vaccinations",
            "WHERE uid IN (SELECT record_uid FROM outbox WHERE package_seq = ?)",
            (result.sequence,),
        )
        rows_path = _export_by_rows(session, work, result.sequence) if compare_rows else None
        acked_state = None
        if acknowledged:
            if rows_path is not None:  # the rows' package is the one made waiting again
                result_seq = int(conn.execute("SELECT max(package_seq) FROM outbox").fetchone()[0])
            else:
                result_seq = result.sequence
            acked_state = _acknowledge_audit(session, work, result_seq)
    finally:
        session.register.close()
    acked: dict[str, Any] | None = None
    if acked_state is not None:  # a fresh session (its own caches), as on the next day
        session = login(terminal, "number", demo_password("number"))
        try:
            got = _timed_export(session, work / "medium-acked", timeline)
            acked = {**_figures(*got[:6]), **acked_state}
            if got[6] is not None:
                acked["timeline"] = got[6].summary()
        finally:
            session.register.close()
    return {
        **_figures(result, seconds, cpu, main_cpu, before, after),
        "plain_sqlite_insert_per_s": _plain_rate({"vaccinations": rows}, {"vaccinations": cols}),
        "peak_rss_mb": _peak_rss_mb(),
        "queue": queued,
        "same_changes_read_from_rows": rows_path,
        **({"timeline": recorder.summary()} if recorder is not None else {}),
        "audit_acknowledged_first": acked,
    }


def _export_by_rows(session: Any, work: Path, sequence: int) -> dict[str, Any]:
    """The same changes exported again right after, each read from its row as before migration
    0009 (the stored lines ignored): the comparison at the same load. The package's entries are
    made waiting again (a benchmark-only step: sequence ``sequence`` is then never acknowledged)."""
    conn = session.register.conn
    with db.transaction(conn):
        conn.execute("UPDATE outbox SET package_seq = NULL WHERE package_seq = ?", (sequence,))
    os.sync()
    ignored = outbox_lines.triggers_in_place
    outbox_lines.triggers_in_place = lambda _conn: False  # type: ignore[assignment]
    try:
        load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
        started, cpu = time.perf_counter(), time.process_time()
        result = sync_export.export_changes(session, work / "medium-rows")
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        outbox_lines.triggers_in_place = ignored  # type: ignore[assignment]
    return {
        "records": result.records,
        "seconds": round(seconds, 2),
        "records_per_s": round(result.records / seconds),
        "cpu_seconds": round(cpu, 2),
        "records_per_cpu_s": round(result.records / cpu),
        "load_average_before": load_before,
        "load_average_after": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


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


def _source_envelopes(
    conn: db.Connection, rtype: str, batch: int = 20_000
) -> Iterator[dict[str, Any]]:
    table = sync_outbox.RECORD_TABLES[rtype]
    last = 0
    while True:
        ids = conn.execute(
            f"SELECT id, uid FROM {table} WHERE id > ? ORDER BY id LIMIT ?", (last, batch)
        ).fetchall()
        if not ids:
            return
        last = int(ids[-1][0])
        for row in sync_outbox.read_records(conn, rtype, [bytes(r[1]) for r in ids]):
            ptype, env = to_envelope(row, party_id=SERVER, cipher=None)
            if ptype == ("vaccination" if rtype == "vaccination" else rtype):
                env["origin"] = SERVER
                env["version"] = env["version"].rsplit(".", 1)[0] + "." + SERVER
                yield env


def _initial_fixture(reg: CachedRegister, cache_dir: Path) -> tuple[Path, Path, dict[str, Any]]:
    """(empty target register, initial package for it, info): built once per cached register
    under ``cache_dir``/initial-<persons>-s<seed>/ (info.json written last, so an interrupted
    build is detected and rebuilt). The package is encrypted to the target's own key, so the two
    are kept together; every run imports into a copy of the target."""
    folder = cache_dir / f"initial-{reg.folder.name.removeprefix('register-')}"
    target_dir, pkg, info_path = folder / "target", folder / "initial.vxpkg", folder / "info.json"
    if info_path.is_file():
        return target_dir, pkg, json.loads(info_path.read_text("utf-8"))
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    source = login(reg.register_dir, "number", demo_password("number"))
    server = load_keypair(reg.register_dir / "demo-server" / f"{SERVER}.key.json")
    admin = demo_users()
    create_register(
        target_dir,
        admin=admin[0],
        others=[admin[3]],
        demo=True,
        municipality_code=MUNICIPALITY_CODE,
        municipality_name="デモ市",
    )
    target = login(target_dir, "number", demo_password("number"))
    try:
        tconn = target.register.conn
        keys = _sync_identity.identity_keys(tconn)
        now = utc_now()
        until = now + timedelta(days=365)
        trust = build_trust(
            1,
            [
                make_party(server.public, "server", now - timedelta(days=1), until),
                make_party(keys.public, "terminal", now - timedelta(days=1), until),
            ],
            [server],
            issued_at=now,
        )
        with db.transaction(tconn):
            _sync_identity.install_trust(tconn, trust, "bench")
        sconn = source.register.conn
        counts = {
            t: int(
                sconn.execute(f"SELECT count(*) FROM {sync_outbox.RECORD_TABLES[t]}").fetchone()[0]
            )
            for t in INITIAL_TYPES
        }
        started = time.perf_counter()
        build_package(
            pkg,
            sender=server,
            recipient=keys.public,
            sequence=1,
            kind="initial",
            records=[(t, _source_envelopes(sconn, t)) for t in INITIAL_TYPES],
            tmp_dir=folder,
            expires_at=now + timedelta(days=365),
        )
        build_seconds = time.perf_counter() - started
    finally:
        source.register.close()
        target.register.close()
    info = {
        "counts": counts,
        "build_seconds": round(build_seconds, 1),
        "build_peak_rss_mb": _peak_rss_mb(),
        "package_mb": round(pkg.stat().st_size / 2**20),
        "built_at": now.isoformat(),
    }
    info_path.write_text(json.dumps(info, indent=2) + "\n", "utf-8")
    return target_dir, pkg, info


def stage_initial(reg: CachedRegister, work: Path, cache_dir: Path) -> dict[str, Any]:
    """Import of the cached initial package into a copy of its empty target register, then plain
    SQLite's insert rate of the same persons and vaccinations (read from the source register)."""
    fixture_dir, cached_pkg, info = _initial_fixture(reg, cache_dir)
    target_dir = work / "new-terminal"
    shutil.copytree(fixture_dir, target_dir)
    pkg = work / "initial.vxpkg"
    os.link(cached_pkg, pkg)
    target = login(target_dir, "number", demo_password("number"))
    try:
        rss_before = _peak_rss_mb()
        load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
        os.sync()  # the copy's write-back does not land in the import's commit
        io_before = _io_mb()
        started, cpu = time.perf_counter(), time.process_time()
        main_cpu = time.thread_time()
        result = import_package(target, pkg)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        main_cpu = time.thread_time() - main_cpu
        io = {k: v - io_before.get(k, 0) for k, v in _io_mb().items()}
        rss_import = _peak_rss_mb()
        load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    finally:
        target.register.close()
    source = login(reg.register_dir, "number", demo_password("number"))
    try:
        sconn = source.register.conn
        tables = ("persons", "vaccinations")
        cols = {
            t: [c[0] for c in sconn.execute(f"SELECT * FROM {t} LIMIT 0").description]
            for t in tables
        }
        plain = _plain_rate({t: sconn.execute(f"SELECT * FROM {t}") for t in tables}, cols)
    finally:
        source.register.close()
    total = result.applied + result.quarantined + result.unchanged
    return {
        "records": result.applied,
        "counts": info["counts"],
        "quarantined": result.quarantined,
        "build_seconds": info["build_seconds"],
        "build_peak_rss_mb": info.get("build_peak_rss_mb"),
        "import_seconds": round(seconds, 1),
        "import_cpu_seconds": round(cpu, 1),
        "import_main_thread_cpu_seconds": round(main_cpu, 1),
        "import_io_mb": io,
        "records_per_s": round(total / seconds),
        "records_per_cpu_s": round(total / cpu),
        "load_average_before_import": load_before,
        "load_average_after_import": load_after,
        "package_mb": info["package_mb"],
        "peak_rss_mb_before_import": rss_before,
        "peak_rss_mb_after_import": rss_import,
        "plain_sqlite_insert_per_s": plain,
        "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def ensure_sync_identity(register_dir: Path, recovery_code: str) -> None:
    """A register built before sync (an older cache) gets its party, keys and demo server."""
    from app.services.recovery import open_with_recovery_code

    access = open_with_recovery_code(register_dir, recovery_code)
    try:
        conn = access.register.conn
        if sync_state.load_identity(conn) is None:
            with db.transaction(conn):
                party = _sync_identity.new_terminal_party_id(MUNICIPALITY_CODE)
                _sync_identity.create_identity(conn, party)
                _sync_identity.install_demo_server(conn, register_dir, MUNICIPALITY_CODE)
    finally:
        access.register.close()


def stage_exchange(folder: Path, changes: int) -> dict[str, Any]:
    """Export then import of an acknowledging update, in place on a prepared register folder
    (``folder``/register with ``folder``/info.json; used for the 1,000,000-person figures)."""
    info = json.loads((folder / "info.json").read_text("utf-8"))
    register_dir = folder / "register"
    ensure_sync_identity(register_dir, str(info["recovery_code"]))
    reg = CachedRegister(folder, register_dir, folder / "plain.db", info)
    work = Path(tempfile.mkdtemp(dir=folder))
    try:
        exported = stage_export(reg, work, changes, terminal=register_dir, acknowledged=False)
        updated = stage_updates(reg, work, changes, terminal=register_dir, ack=1)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "persons": info["persons"],
        "vaccinations": info["vaccinations"],
        "export": exported,
        "updates": updated,
    }


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
