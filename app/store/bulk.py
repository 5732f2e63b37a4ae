"""Bulk loading of a fresh register (the synthetic demo register and the scale benchmarks).

Rows arrive as tuples in a caller-declared column order and go in with ``executemany`` inside large
transactions. ``bulk_build`` relaxes durability for the build only (``synchronous = OFF``, rollback
journal instead of WAL, a bigger page cache) and drops the secondary indexes whose keys arrive in
random order; on exit it re-creates every dropped index from its exact stored definition and
restores ``synchronous = FULL`` and WAL. ``export_plain`` writes an unencrypted copy for the
encrypted-vs-plain benchmark (never for production use).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from app.store.db import Connection

# Tables a bulk load may write; identifiers are checked against the live schema before use.
BULK_TABLES = frozenset(
    {
        "households",
        "persons",
        "person_numbers",
        "institutions",
        "vaccines",
        "lots",
        "unit_prices",
        "issuances",
        "vaccinations",
    }
)

# Secondary indexes whose keys arrive in random order during a demo load: cheaper to build once,
# sorted, after the rows are in. (Indexes behind UNIQUE constraints cannot be dropped and stay.)
DEFERRED_INDEXES = (
    "persons_kana",
    "persons_birth",
    "persons_list",
    "persons_cohort",
    "households_area",
    "person_numbers_blind",
    "vaccinations_series",
    "vaccinations_season",
    "vaccinations_receipt",
)

_BUILD_CACHE_MIB = 256


def _columns_of(conn: Connection, table: str) -> set[str]:
    if table not in BULK_TABLES:
        raise ValueError(f"not a bulk-loadable table: {table}")
    return {str(r[1]) for r in conn.execute(f"PRAGMA table_info({table})").fetchall()}


class BulkInserter:
    """Prepared ``INSERT`` for one table and a fixed column order (checked against the schema)."""

    def __init__(self, conn: Connection, table: str, columns: Sequence[str]) -> None:
        unknown = set(columns) - _columns_of(conn, table)
        if unknown or not columns:
            raise ValueError(f"unknown columns for {table}: {sorted(unknown)}")
        self.connection = conn
        self.table = table
        self.columns = tuple(columns)
        marks = ",".join("?" * len(columns))
        self._sql = f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})"
        self.rows_written = 0

    def insert(self, rows: Iterable[Sequence[Any]]) -> int:
        """Insert the rows (inside the caller's transaction); returns how many went in."""
        before = self.connection.total_changes
        self.connection.executemany(self._sql, rows)
        written = self.connection.total_changes - before
        self.rows_written += written
        return written


def insert_rows(
    conn: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    return BulkInserter(conn, table, columns).insert(rows)


def next_id(conn: Connection, table: str) -> int:
    """The first free integer id of ``table`` (explicit ids let rows reference each other)."""
    _columns_of(conn, table)
    row = conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()
    return int(row[0])


def count_rows(conn: Connection, table: str) -> int:
    _columns_of(conn, table)
    return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def is_empty(conn: Connection) -> bool:
    """True when the register holds no persons, households or vaccinations yet."""
    return all(count_rows(conn, t) == 0 for t in ("persons", "households", "vaccinations"))


def _index_definitions(conn: Connection, names: Sequence[str]) -> list[tuple[str, str]]:
    found = []
    for name in names:
        row = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)
        ).fetchone()
        if row is not None and row[0]:
            found.append((name, str(row[0])))
    return found


@contextlib.contextmanager
def bulk_build(conn: Connection, *, drop_indexes: bool = True) -> Iterator[Connection]:
    """Relax durability and defer random-order indexes for a bulk load into an empty register.

    The caller commits its own transactions inside (``db.transaction``). On exit — also after an
    error — every dropped index is re-created with the exact SQL it had, ``synchronous`` goes back
    to FULL, the page cache to its previous size and the journal back to WAL.
    """
    cache_before = int(conn.execute("PRAGMA cache_size").fetchone()[0])
    dropped: list[tuple[str, str]] = []
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute(f"PRAGMA cache_size = {-_BUILD_CACHE_MIB * 1024}")
    try:
        if drop_indexes:
            dropped = _index_definitions(conn, DEFERRED_INDEXES)
            conn.execute("BEGIN IMMEDIATE")
            for name, _sql in dropped:
                conn.execute(f"DROP INDEX {name}")
            conn.execute("COMMIT")
        yield conn
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        # Give the big build cache back before sorting the indexes (temp_store is MEMORY: the
        # sorter's memory comes on top of the page cache).
        conn.execute(f"PRAGMA cache_size = {cache_before}")
        conn.execute("PRAGMA shrink_memory")
        if dropped:
            conn.execute("BEGIN IMMEDIATE")
            for _name, sql in dropped:
                conn.execute(sql)
            conn.execute("COMMIT")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA journal_mode = WAL")


def export_plain(conn: Connection, dest: Path) -> None:
    """Write an unencrypted SQLite copy of the open register to ``dest`` (benchmarks only).

    Uses SQLCipher's ``sqlcipher_export`` into a database attached with an empty key. Refuses to
    overwrite an existing file.
    """
    dest = Path(dest)
    if dest.exists():
        raise FileExistsError(dest)
    conn.execute("ATTACH DATABASE ? AS plain KEY ''", (str(dest),))
    try:
        conn.execute("SELECT sqlcipher_export('plain')").fetchall()
    finally:
        conn.execute("DETACH DATABASE plain")


HMAC_ALGORITHMS = frozenset({"HMAC_SHA1", "HMAC_SHA256", "HMAC_SHA512"})


def export_encrypted_variant(
    conn: Connection, dest: Path, dek: bytes, *, hmac_algorithm: str
) -> None:
    """Write an encrypted copy with another page HMAC (benchmarks of cipher settings only).

    The copy uses the same raw key; opening it needs ``PRAGMA cipher_hmac_algorithm`` set to the
    same value right after the key.
    """
    dest = Path(dest)
    if dest.exists():
        raise FileExistsError(dest)
    if hmac_algorithm not in HMAC_ALGORITHMS or len(dek) != 32:
        raise ValueError("unsupported cipher setting")
    conn.execute(f"ATTACH DATABASE ? AS variant KEY \"x'{dek.hex()}'\"", (str(dest),))
    try:
        conn.execute(f"PRAGMA variant.cipher_hmac_algorithm = {hmac_algorithm}")
        conn.execute("SELECT sqlcipher_export('variant')").fetchall()
    finally:
        conn.execute("DETACH DATABASE variant")


@contextlib.contextmanager
def page_cache(conn: Connection, mib: int) -> Iterator[None]:
    """A page cache of ``mib`` MiB for the duration of a bulk operation, then the previous size
    again (memory given back)."""
    before = int(conn.execute("PRAGMA cache_size").fetchone()[0])
    conn.execute(f"PRAGMA cache_size = {-int(mib) * 1024}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {before}")
        conn.execute("PRAGMA shrink_memory")
