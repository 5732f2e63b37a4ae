"""The ``export`` stage of ``bench_sync``: ``changes`` random vaccinations queued as the app
queues them (outbox entry and stored package line, with their parts timed apart), then one
``export_changes`` end to end (wall, CPU of every thread, the exporting thread's CPU, load
average; with ``--timeline`` a per-phase timeline from ``export_timeline``), beside plain SQLite's
insert rate of the same rows in the same run. Optionally the same changes exported again read
from their rows, the path before stored lines (``--compare-rows``), and, unless ``--today-only``,
the same changes exported again in a fresh session after a server ``updates`` package
acknowledged the terminal's audit entries up to the head (``audit_acknowledged_first``).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from app.services import _sync_identity, sync_export
from app.services._line_check import line_check
from app.services._sync_records import line_shapes
from app.services.demo import demo_password
from app.services.register import login
from app.services.sync_import import import_package
from app.store import db, outbox_lines, stamps, sync_outbox, sync_state
from app.sync.writer import build_package
from benchmarks import export_timeline
from benchmarks.demo_cache import CachedRegister
from benchmarks.sync_stage_common import (
    SERVER,
    _peak_rss_mb,
    _plain_rate,
    _rows,
    _server,
    _work_copy,
)


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
        outbox_lines.triggers_in_place = ignored
    return {
        "records": result.records,
        "seconds": round(seconds, 2),
        "records_per_s": round(result.records / seconds),
        "cpu_seconds": round(cpu, 2),
        "records_per_cpu_s": round(result.records / cpu),
        "load_average_before": load_before,
        "load_average_after": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }
