"""What the stages of ``bench_sync`` share: the demo server's party name (``SERVER``), a work
copy of the cached register (``_work_copy``) and the demo server's key pair in a register folder
(``_server``), the rows of a table read back (``_rows``), and the yardsticks each stage reports
beside its own figures: the process's peak RSS (``_peak_rss_mb``) and plain SQLite's bulk-insert
rate of the same rows (``_plain_rate``: ``executemany`` into a fresh plain file of the same
schema). ``bench_initial_floor`` uses ``SERVER`` and ``_peak_rss_mb`` too.
"""

from __future__ import annotations

import resource
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from app.services.demo import MUNICIPALITY_CODE
from app.store import db, migrate
from app.sync.keys import KeyPair, load_keypair
from benchmarks.demo_cache import CachedRegister

SERVER = f"{MUNICIPALITY_CODE}-HUB"


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


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
