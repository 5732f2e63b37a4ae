"""Retention in the register: the stored policy, the set of rows past retention, the purge that
really removes them (``secure_delete`` + vacuum of the freed pages) and the tombstones that keep
purged records from coming back with a later package.

The set is worked out in a TEMP table (``retention_set``: kind, row id, uid) from the cutoffs of
``app.domain.retention``; the service compares its digest with the previewed one before anything
is deleted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlcipher3

from app.domain.retention import KINDS, Cutoffs
from app.store.db import Connection
from app.store.stamps import Stamp

# kind → table of its rows
KIND_TABLES: dict[str, str] = {
    "vaccination": "vaccinations",
    "postponement": "vaccinations",
    "issuance": "issuances",
    "person_number": "person_numbers",
    "person": "persons",
    "household": "households",
}
# package record type → table (what a purge record names)
PACKAGE_TABLES = KIND_TABLES
VACUUM_STEP_PAGES = 2000


def read_policy(conn: Connection) -> tuple[str, Stamp] | None:
    row = conn.execute(
        "SELECT policy, updated_date, updated_time, updated_by FROM retention_policy WHERE id = 1"
    ).fetchone()
    return None if row is None else (str(row[0]), Stamp(str(row[1]), str(row[2]), str(row[3])))


def write_policy(conn: Connection, text: str, stamp: Stamp) -> None:
    conn.execute(
        "INSERT INTO retention_policy (id, policy, updated_date, updated_time, updated_by)"
        " VALUES (1, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET policy = excluded.policy,"
        " updated_date = excluded.updated_date, updated_time = excluded.updated_time,"
        " updated_by = excluded.updated_by",
        (text, stamp.updated_date, stamp.updated_time, stamp.updated_by),
    )


def _exited(alias: str) -> str:
    """SQL: the person left the register (moved out or deceased)."""
    return f"({alias}.moved_out = 1 OR {alias}.deceased = 1)"


def _held(c: Cutoffs, params: list[Any]) -> str:
    """SQL (on ``v`` and ``p``): the vaccination is held by an extended rule."""
    parts = []
    for rule in c.extended:
        marks = ", ".join("?" * len(rule.series))
        parts.append(
            f"(v.series_id IN ({marks}) AND v.vaccinated_on >= ? AND NOT (p.deceased = 1"
            " AND p.deceased_date IS NOT NULL AND p.deceased_date < ?))"
        )
        params.extend((*rule.series, rule.held_from, rule.death_before))
    return " OR ".join(parts) if parts else "0"


def build_set(conn: Connection, c: Cutoffs) -> None:
    """Fill TEMP ``retention_set`` with every row past retention under ``c`` (replacing it)."""
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS retention_set ("
        " kind TEXT NOT NULL, id INTEGER NOT NULL, uid BLOB NOT NULL, PRIMARY KEY (kind, id))"
    )
    conn.execute("DELETE FROM temp.retention_set")
    resident = "" if not c.keep_residents else f" AND {_exited('p')}"
    params: list[Any] = [c.vaccinated_before]
    held = _held(c, params)
    conn.execute(
        "INSERT INTO temp.retention_set (kind, id, uid)"
        " SELECT CASE v.outcome WHEN 'postponed' THEN 'postponement' ELSE 'vaccination' END,"
        " v.id, v.uid FROM vaccinations v JOIN persons p ON p.id = v.person_id"
        f" WHERE v.vaccinated_on < ?{resident} AND NOT ({held})",
        params,
    )
    conn.execute(
        "INSERT INTO temp.retention_set (kind, id, uid)"
        " SELECT 'issuance', i.id, i.uid FROM issuances i JOIN persons p ON p.id = i.person_id"
        f" WHERE i.issued_on < ?{resident} AND NOT EXISTS (SELECT 1 FROM vaccinations v"
        " WHERE v.issuance_id = i.id AND v.id NOT IN (SELECT id FROM temp.retention_set"
        " WHERE kind IN ('vaccination', 'postponement')))",
        (c.issued_before,),
    )
    conn.execute(
        "INSERT INTO temp.retention_set (kind, id, uid)"
        " SELECT 'person', p.id, p.uid FROM persons p"
        f" WHERE {_exited('p')}"
        " AND (p.deceased = 0 OR (p.deceased_date IS NOT NULL AND p.deceased_date < ?))"
        " AND (p.moved_out = 0 OR (p.moved_out_date IS NOT NULL AND p.moved_out_date < ?))"
        " AND NOT EXISTS (SELECT 1 FROM vaccinations v WHERE v.person_id = p.id AND v.id NOT IN"
        " (SELECT id FROM temp.retention_set WHERE kind IN ('vaccination', 'postponement')))"
        " AND NOT EXISTS (SELECT 1 FROM issuances i WHERE i.person_id = p.id AND i.id NOT IN"
        " (SELECT id FROM temp.retention_set WHERE kind = 'issuance'))",
        (c.exited_before, c.exited_before),
    )
    while True:  # a guardian of a kept person stays (and so, in turn, their guardian)
        cur = conn.execute(
            "DELETE FROM temp.retention_set WHERE kind = 'person' AND id IN"
            " (SELECT g.guardian_id FROM persons g WHERE g.guardian_id IS NOT NULL AND g.id NOT IN"
            " (SELECT id FROM temp.retention_set WHERE kind = 'person'))"
        )
        if cur.rowcount <= 0:
            break
    conn.execute(
        "INSERT INTO temp.retention_set (kind, id, uid)"
        " SELECT 'person_number', n.id, n.uid FROM person_numbers n WHERE n.person_id IN"
        " (SELECT id FROM temp.retention_set WHERE kind = 'person')"
    )
    conn.execute(
        "INSERT INTO temp.retention_set (kind, id, uid)"
        " SELECT 'household', h.id, h.uid FROM households h"
        " WHERE EXISTS (SELECT 1 FROM persons p WHERE p.household_id = h.id AND p.id IN"
        " (SELECT id FROM temp.retention_set WHERE kind = 'person'))"
        " AND NOT EXISTS (SELECT 1 FROM persons p WHERE p.household_id = h.id AND p.id NOT IN"
        " (SELECT id FROM temp.retention_set WHERE kind = 'person'))"
    )


def set_counts(conn: Connection) -> dict[str, int]:
    counts = dict.fromkeys(KINDS, 0)
    for kind, n in conn.execute("SELECT kind, count(*) FROM temp.retention_set GROUP BY kind"):
        counts[str(kind)] = int(n)
    return counts


def set_digest(conn: Connection) -> str:
    """SHA-256 over the set's (kind, uid) pairs in order: the same rows give the same digest."""
    h = hashlib.sha256()
    for kind, uid in conn.execute("SELECT kind, uid FROM temp.retention_set ORDER BY kind, uid"):
        h.update(str(kind).encode("ascii") + b"\x00" + bytes(uid))
    return h.hexdigest()


def set_items(conn: Connection) -> Iterator[tuple[str, bytes]]:
    """(package record type, uid) of the set, in deletion order."""
    for kind in KINDS:
        for (uid,) in conn.execute(
            "SELECT uid FROM temp.retention_set WHERE kind = ? ORDER BY uid", (kind,)
        ):
            yield kind, bytes(uid)


def drop_set(conn: Connection) -> None:
    conn.execute("DROP TABLE IF EXISTS temp.retention_set")


def set_secure_delete(conn: Connection, on: bool) -> None:
    conn.execute(f"PRAGMA secure_delete = {'ON' if on else 'OFF'}")


def delete_set(conn: Connection) -> None:
    """Delete every row of the set and what refers to their uids in the sync bookkeeping (the
    outbox, the conflict queue and the record quarantine hold copies of the data)."""
    for kind in KINDS:
        table = KIND_TABLES[kind]
        conn.execute(
            f"DELETE FROM {table} WHERE id IN (SELECT id FROM temp.retention_set WHERE kind = ?)",
            (kind,),
        )
    for table in ("outbox", "sync_conflicts", "sync_record_quarantine"):
        conn.execute(
            f"DELETE FROM {table} WHERE record_uid IN (SELECT uid FROM temp.retention_set)"
        )


def add_tombstones(conn: Connection, items: Iterable[tuple[str, bytes]], at: str) -> None:
    conn.executemany(
        "INSERT OR IGNORE INTO retention_tombstones (uid, record_type, purged_at) VALUES (?, ?, ?)",
        ((uid, rtype, at) for rtype, uid in items),
    )


def tombstoned(conn: Connection, uids: list[bytes]) -> set[bytes]:
    """Those of ``uids`` that were purged."""
    found: set[bytes] = set()
    for start in range(0, len(uids), 900):
        part = uids[start : start + 900]
        found.update(
            bytes(r[0])
            for r in conn.execute(
                f"SELECT uid FROM retention_tombstones WHERE uid IN ({', '.join('?' * len(part))})",
                part,
            )
        )
    return found


def has_tombstones(conn: Connection) -> bool:
    return conn.execute("SELECT 1 FROM retention_tombstones LIMIT 1").fetchone() is not None


def delete_record(conn: Connection, record_type: str, uid: bytes) -> bool | None:
    """Delete one record named by a server-sent purge: True when deleted, False when absent,
    None when a kept row still refers to it (a local record made after the server's purge)."""
    table = PACKAGE_TABLES.get(record_type)
    if table is None:
        return False
    try:
        cur = conn.execute(f"DELETE FROM {table} WHERE uid = ?", (uid,))
    except sqlcipher3.IntegrityError:
        return None
    if cur.rowcount <= 0:
        return False
    for side in ("outbox", "sync_conflicts", "sync_record_quarantine"):
        conn.execute(f"DELETE FROM {side} WHERE record_uid = ?", (uid,))
    return True


@dataclass(frozen=True, slots=True)
class PurgeRow:
    uid: bytes
    version: str
    origin: str
    purged_on: str
    policy_sha256: str
    items: list[tuple[str, bytes]]


def add_purge(conn: Connection, row: PurgeRow, stamp: Stamp) -> None:
    items = json.dumps([[t, u.hex()] for t, u in row.items], separators=(",", ":"))
    conn.execute(
        "INSERT INTO retention_purges (uid, version, origin, purged_on, policy_sha256, items,"
        " updated_date, updated_time, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            row.uid,
            row.version,
            row.origin,
            row.purged_on,
            row.policy_sha256,
            items,
            stamp.updated_date,
            stamp.updated_time,
            stamp.updated_by,
        ),
    )


def read_purges(conn: Connection, uids: list[bytes]) -> Iterator[tuple[PurgeRow, Stamp]]:
    for start in range(0, len(uids), 900):
        part = uids[start : start + 900]
        for r in conn.execute(
            "SELECT uid, version, origin, purged_on, policy_sha256, items, updated_date,"
            " updated_time, updated_by FROM retention_purges"
            f" WHERE uid IN ({', '.join('?' * len(part))}) ORDER BY id",
            part,
        ):
            items = [(str(t), bytes.fromhex(u)) for t, u in json.loads(r[5])]
            yield (
                PurgeRow(bytes(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), items),
                Stamp(str(r[6]), str(r[7]), str(r[8])),
            )


VacuumProgress = Callable[[int, int], None]


def vacuum_freed_pages(conn: Connection, progress: VacuumProgress | None = None) -> bool:
    """Give the freed (already zeroed by ``secure_delete``) pages back and rewrite nothing else
    twice: an incrementally vacuumed register frees them in steps of ``VACUUM_STEP_PAGES`` with
    exact progress; on the first purge of a register it is switched to incremental auto-vacuum,
    which needs one full VACUUM (progress then counts SQLite steps against an estimate). The
    write-ahead log is truncated before and after, so no frame with old page images stays in
    the ``-wal`` file. False when SQLite could not vacuum (another connection reading): the
    deleted content is overwritten already; the next purge frees the pages."""
    try:
        _vacuum(conn, progress)
    except sqlcipher3.OperationalError:
        return False
    return True


def _vacuum(conn: Connection, progress: VacuumProgress | None) -> None:
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    mode = int(conn.execute("PRAGMA auto_vacuum").fetchone()[0])
    if mode != 2:
        pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
        estimate = max(1, pages * 40)  # a rough guess of VM steps per page: the bar may jump
        ticks = [0]

        def tick() -> int:
            ticks[0] += 1
            if progress is not None:
                progress(min(ticks[0] * 1000, estimate - 1), estimate)
            return 0

        conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
        conn.set_progress_handler(tick, 1000)
        try:
            conn.execute("VACUUM")
        finally:
            conn.set_progress_handler(None, 1000)
        if progress is not None:
            progress(estimate, estimate)
    else:
        total = int(conn.execute("PRAGMA freelist_count").fetchone()[0])
        left = total
        while left > 0:
            conn.execute(f"PRAGMA incremental_vacuum({VACUUM_STEP_PAGES})").fetchall()
            left = int(conn.execute("PRAGMA freelist_count").fetchone()[0])
            if progress is not None:
                progress(total - left, total)
        if progress is not None and total == 0:
            progress(1, 1)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
