"""Writing incoming records (PACKAGE-FORMAT.md §4 apply): lookups by uid, reference resolution,
insert-or-update of one record inside a savepoint (so a record that breaks a constraint is
quarantined alone), per-record quarantine and the conflict queue. Callers hold the transaction.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlcipher3

from app.store.db import Connection
from app.store.sync_outbox import RECORD_TABLES
from app.store.sync_state import utc_now

_KEYS = ("id", "uid")


@dataclass(frozen=True, slots=True)
class Stored:
    id: int
    version: str
    origin: str


def lookup(conn: Connection, record_type: str, uid: bytes) -> Stored | None:
    table = RECORD_TABLES[record_type]
    row = conn.execute(f"SELECT id, version, origin FROM {table} WHERE uid = ?", (uid,)).fetchone()
    return None if row is None else Stored(int(row[0]), str(row[1]), str(row[2]))


def id_of_uid(conn: Connection, record_type: str, uid: bytes) -> int | None:
    table = RECORD_TABLES[record_type]
    row = conn.execute(f"SELECT id FROM {table} WHERE uid = ?", (uid,)).fetchone()
    return None if row is None else int(row[0])


def ids_of_uids(conn: Connection, record_type: str, uids: list[bytes]) -> dict[bytes, int]:
    """uid → row id of the stored records among ``uids`` (one query per 2,000)."""
    table = RECORD_TABLES[record_type]
    found: dict[bytes, int] = {}
    for start in range(0, len(uids), 2000):
        part = uids[start : start + 2000]
        sql = f"SELECT uid, id FROM {table} WHERE uid IN ({', '.join('?' * len(part))})"
        found.update((bytes(r[0]), int(r[1])) for r in conn.execute(sql, part))
    return found


def vaccine_id_of_product(conn: Connection, product_id: str) -> int | None:
    row = conn.execute("SELECT id FROM vaccines WHERE product_id = ?", (product_id,)).fetchone()
    return None if row is None else int(row[0])


def person_id_of_number_row(conn: Connection, person_id: int) -> int | None:
    """The person_numbers row of a person (one per person), if any."""
    row = conn.execute("SELECT id FROM person_numbers WHERE person_id = ?", (person_id,)).fetchone()
    return None if row is None else int(row[0])


def columns(conn: Connection, table: str) -> tuple[str, ...]:
    if table not in RECORD_TABLES.values():
        raise ValueError(f"not a synced table: {table}")
    rows = conn.execute(f"PRAGMA table_info({table})").fetchall()
    return tuple(str(r[1]) for r in rows if str(r[1]) not in _KEYS)


def unique_columns(conn: Connection, table: str) -> frozenset[str] | None:
    """The columns of ``table``'s UNIQUE constraints other than id and uid (which an update never
    changes); None when a partial unique index or one on an expression makes any column count."""
    if table not in RECORD_TABLES.values():
        raise ValueError(f"not a synced table: {table}")
    found: set[str] = set()
    for index in conn.execute(f"PRAGMA index_list({table})").fetchall():
        if not index[2]:  # not unique
            continue
        if index[4]:  # partial: its WHERE clause may name any column
            return None
        names = [r[2] for r in conn.execute(f"PRAGMA index_info('{index[1]}')")]
        if None in names:  # an expression
            return None
        found.update(str(n) for n in names)
    return frozenset(found - set(_KEYS))


@functools.lru_cache(maxsize=64)
def _statements(table: str, cols: tuple[str, ...]) -> tuple[str, str]:
    names = ", ".join(("uid", *cols))
    marks = ", ".join("?" * (len(cols) + 1))
    sets = ", ".join(f"{c} = ?" for c in cols)
    return (
        f"INSERT INTO {table} ({names}) VALUES ({marks})",
        f"UPDATE {table} SET {sets} WHERE id = ?",
    )


@functools.lru_cache(maxsize=256)
def _update_statement(table: str, changed: tuple[str, ...]) -> str:
    return f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in changed)} WHERE id = ?"


@functools.lru_cache(maxsize=64)
def _column_set(cols: tuple[str, ...]) -> frozenset[str]:
    return frozenset(cols)


@functools.lru_cache(maxsize=64)
def _select_statement(table: str, cols: tuple[str, ...]) -> str:
    return f"SELECT {', '.join(cols)} FROM {table} WHERE id = ?"


def current_rows(
    conn: Connection, record_type: str, uids: list[bytes], cols: tuple[str, ...]
) -> dict[bytes, tuple[int, tuple[Any, ...]]]:
    """uid → (row id, values in ``cols`` order) of the stored records among ``uids``: one query
    for a whole chunk of incoming records instead of a lookup and a read per record."""
    table = RECORD_TABLES[record_type]
    found: dict[bytes, tuple[int, tuple[Any, ...]]] = {}
    sql = f"SELECT id, uid, {', '.join(cols)} FROM {table} WHERE uid IN "
    for start in range(0, len(uids), 2000):
        part = uids[start : start + 2000]
        for row in conn.execute(sql + f"({', '.join('?' * len(part))})", part):
            found[bytes(row[1])] = (int(row[0]), tuple(row[2:]))
    return found


def upsert(
    conn: Connection,
    record_type: str,
    uid: bytes,
    values: dict[str, Any],
    cols: tuple[str, ...],
    existing_id: int | None = None,
    current: tuple[Any, ...] | None = None,
) -> int:
    """Insert the record (``existing_id`` None; absent values are NULL) or update the stored
    one: a column absent from ``values`` keeps its stored value (a field the sender does not
    carry, e.g. the hub sends no 世帯 or phone, never wipes the terminal's), a column present
    with None is cleared. ``values`` holds register columns including version, origin,
    voided_at and void_reason. One statement: a constraint failure undoes only it. ``current``
    (the stored values in ``cols`` order, from ``current_rows``) spares reading the row again."""
    table = RECORD_TABLES[record_type]
    if not values.keys() <= _column_set(cols):
        raise ValueError(f"unknown columns for {table}: {sorted(set(values) - set(cols))}")
    get = values.get
    insert, _ = _statements(table, cols)
    if existing_id is None:
        return int(conn.execute(insert, (uid, *(get(c) for c in cols))).lastrowid)
    # Only the columns that change: an unchanged indexed column then costs no index update
    # (a resident's new address must not rewrite the kana, birth date and household indexes).
    if current is None:
        current = conn.execute(_select_statement(table, cols), (existing_id,)).fetchone()
    changed = [
        (c, values[c])
        for c, old in zip(cols, current, strict=True)
        if c in values and values[c] != old
    ]
    if changed:
        sql = _update_statement(table, tuple(c for c, _ in changed))
        conn.execute(sql, (*(p for _, p in changed), existing_id))
    return existing_id


def try_upsert(
    conn: Connection,
    record_type: str,
    uid: bytes,
    values: dict[str, Any],
    cols: tuple[str, ...],
    existing_id: int | None = None,
    current: tuple[Any, ...] | None = None,
) -> tuple[int | None, str | None]:
    """``upsert``: (row id, None), or (None, the constraint that refused it; SQLite names tables
    and columns, never values). The failed statement alone is undone (SQLite's statement
    rollback), the transaction goes on."""
    try:
        return upsert(conn, record_type, uid, values, cols, existing_id, current), None
    except sqlcipher3.IntegrityError as exc:
        return None, str(exc)[:200]


def insert_many(
    conn: Connection, record_type: str, rows: list[tuple[Any, ...]], cols: tuple[str, ...]
) -> bool:
    """Insert new records (``(uid, *values in cols order)``) in one go; all or none: False (and
    nothing inserted) when one of them breaks a constraint, so the caller can go one by one."""
    insert, _ = _statements(RECORD_TABLES[record_type], cols)
    try:
        with savepoint(conn):
            conn.executemany(insert, rows)
    except sqlcipher3.IntegrityError:
        return False
    return True


# The register's own records (residents and what is recorded for them). The masters
# (institutions, vaccines, lots) are provisioned on a terminal before its first package.
REGISTER_DATA_TABLES = ("households", "persons", "person_numbers", "issuances", "vaccinations")


def has_synced_records(conn: Connection) -> bool:
    """True when the register already holds residents or records for them (an ``initial``
    package is applied only before that)."""
    return any(
        conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None
        for table in REGISTER_DATA_TABLES
    )


def next_row_id(conn: Connection, record_type: str) -> int:
    table = RECORD_TABLES[record_type]
    return int(conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0])


@functools.lru_cache(maxsize=64)
def _insert_with_ids(table: str, names: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"


def insert_with_ids(
    conn: Connection, record_type: str, names: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> bool:
    """Insert new records with their row ids given (``names`` starts with id and uid; the others
    must be columns of the table): all or none, False (nothing inserted) when one of them breaks
    a constraint, so the caller can go one by one."""
    table = RECORD_TABLES[record_type]
    if names[:2] != _KEYS or not set(names[2:]) <= set(columns(conn, table)):
        raise ValueError(f"unknown columns for {table}")
    try:
        with savepoint(conn):
            conn.executemany(_insert_with_ids(table, names), rows)
    except sqlcipher3.IntegrityError:
        return False
    return True


@contextmanager
def savepoint(conn: Connection) -> Iterator[None]:
    """One record: released on success, rolled back (and re-raised) on failure."""
    conn.execute("SAVEPOINT sync_record")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK TO sync_record")
        conn.execute("RELEASE sync_record")
        raise
    conn.execute("RELEASE sync_record")


def quarantine_record(
    conn: Connection,
    *,
    package_id: str,
    record_type: str,
    uid: bytes,
    version: str,
    code: str,
    reason: str,
    envelope: str,
) -> None:
    conn.execute(
        "INSERT INTO sync_record_quarantine (at, package_id, record_type, record_uid, version,"
        " code, reason, envelope) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (utc_now(), package_id, record_type, uid, version, code, reason, envelope),
    )


@dataclass(frozen=True, slots=True)
class QuarantinedRecord:
    id: int
    at: str
    package_id: str
    record_type: str
    version: str
    code: str
    reason: str


def quarantined_records(conn: Connection, limit: int = 500) -> list[QuarantinedRecord]:
    rows = conn.execute(
        "SELECT id, at, package_id, record_type, version, code, reason FROM sync_record_quarantine"
        " WHERE resolved_at IS NULL ORDER BY id DESC LIMIT ?",
        (limit,),
    ).fetchall()
    return [QuarantinedRecord(*r) for r in rows]


def add_conflict(
    conn: Connection,
    *,
    record_type: str,
    uid: bytes,
    package_id: str,
    local_version: str,
    local_data: str,
    incoming_version: str,
    incoming_origin: str,
    incoming_data: str,
    resolution: str | None = None,
) -> int:
    cur = conn.execute(
        "INSERT INTO sync_conflicts (created_at, record_type, record_uid, package_id,"
        " local_version, local_data, incoming_version, incoming_origin, incoming_data, resolution)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            utc_now(),
            record_type,
            uid,
            package_id,
            local_version,
            local_data,
            incoming_version,
            incoming_origin,
            incoming_data,
            resolution,
        ),
    )
    return int(cur.lastrowid)


@dataclass(frozen=True, slots=True)
class Conflict:
    id: int
    created_at: str
    record_type: str
    record_uid: bytes
    package_id: str
    local_version: str
    local_data: str
    incoming_version: str
    incoming_origin: str
    incoming_data: str
    status: str
    resolution: str | None


_CONFLICT_COLS = (
    "id, created_at, record_type, record_uid, package_id, local_version, local_data,"
    " incoming_version, incoming_origin, incoming_data, status, resolution"
)


def _conflict(r: Any) -> Conflict:
    return Conflict(
        int(r[0]),
        str(r[1]),
        str(r[2]),
        bytes(r[3]),
        str(r[4]),
        str(r[5]),
        str(r[6]),
        str(r[7]),
        str(r[8]),
        str(r[9]),
        str(r[10]),
        r[11],
    )


def conflicts(conn: Connection, *, open_only: bool = True, limit: int = 500) -> list[Conflict]:
    where = "WHERE status = 'open'" if open_only else ""
    rows = conn.execute(
        f"SELECT {_CONFLICT_COLS} FROM sync_conflicts {where} ORDER BY id LIMIT ?", (limit,)
    ).fetchall()
    return [_conflict(r) for r in rows]


def conflict(conn: Connection, conflict_id: int) -> Conflict | None:
    row = conn.execute(
        f"SELECT {_CONFLICT_COLS} FROM sync_conflicts WHERE id = ?", (conflict_id,)
    ).fetchone()
    return None if row is None else _conflict(row)


def resolve_conflict(conn: Connection, conflict_id: int, resolution: str, user_id: int) -> bool:
    cur = conn.execute(
        "UPDATE sync_conflicts SET status = 'resolved', resolution = ?, resolved_at = ?,"
        " resolved_by = ? WHERE id = ? AND status = 'open'",
        (resolution, utc_now(), user_id, conflict_id),
    )
    return int(cur.rowcount) == 1


def open_conflict_uids(conn: Connection, record_type: str) -> set[bytes]:
    rows = conn.execute(
        "SELECT record_uid FROM sync_conflicts WHERE status = 'open' AND record_type = ?",
        (record_type,),
    ).fetchall()
    return {bytes(r[0]) for r in rows}
