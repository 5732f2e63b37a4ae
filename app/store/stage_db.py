"""Private in-memory staging databases attached to the register's connection (issue 9).

A package apply takes the values of its records out of their JSON on a read-ahead thread, into
tables of databases of its own (each with its own connection, ``file:vxstage-<random>?mode=
memory&cache=shared``: not encrypted, never on disk, ``secure_delete`` so that freed pages are
zeroed),
while the thread that applies reads them through the register's connection, which has that
database attached (``KEY ''``). Used by an ``initial`` load (``app.store.initial_stage``) and by
the plain updates of an ``updates`` package (``app.store.sync_fast.WindowRing``).

Every table is created before the register's connection reads any of them: that connection reads
them uncommitted (``PRAGMA read_uncommitted``, which only concerns shared-cache databases), so the
read-ahead thread may refill a table the applying thread is done with while the apply's one
transaction stays open (a table cannot be created or the database detached then). Which table may
be written is the caller's business (one writer per table, handed over in order). ``close``
empties every table and closes the staging connections (a shared-cache in-memory database goes
with its last connection); the attachments themselves can only go once the apply's transaction
is over (``detach_stale``, which ``initial_load.load_journal`` runs after every import).
"""

from __future__ import annotations

import secrets
from typing import Any

import sqlcipher3

from app.store.db import Connection

STAGE_PREFIX = "vxstage_"  # schema names of attached staging databases


def detach_stale(conn: Connection) -> None:
    """Detach the staging databases an apply left attached (outside a transaction only: inside
    one, the apply's reads keep them)."""
    if conn.in_transaction:
        return
    names = [str(r[1]) for r in conn.execute("PRAGMA database_list")]
    for name in names:
        if name.startswith(STAGE_PREFIX):
            conn.execute(f"DETACH DATABASE {name}")


class _Part:
    """One in-memory database of a ``StageDb``: its own connection, attached under ``name``."""

    def __init__(self, tables: dict[str, str]) -> None:
        token = secrets.token_hex(8)
        self.name = f"{STAGE_PREFIX}{token}"
        self.uri = f"file:vxstage-{token}?mode=memory&cache=shared"
        self.tables = tuple(tables)
        self.conn: Any = sqlcipher3.connect(
            self.uri, uri=True, isolation_level=None, check_same_thread=False
        )
        try:
            self.conn.execute("PRAGMA temp_store = MEMORY")
            self.conn.execute("PRAGMA secure_delete = ON")
            self.conn.execute("PRAGMA journal_mode = MEMORY")
            for table, cols in tables.items():
                self.conn.execute(f"CREATE TABLE {table} ({cols})")
        except BaseException:
            self.conn.close()
            raise


class StageDb:
    """Staging databases attached to ``conn``, one per item of ``parts`` (table name → column
    definitions; see the module docstring).

    A statement of one connection on a shared-cache database holds that database's mutex while it
    runs, and the register's connection takes the mutex of every attached database to prepare a
    statement. Tables that are filled while others are read therefore go in different parts, and
    the applying thread prepares nothing new while the read-ahead thread fills (its statements
    are prepared once and kept)."""

    def __init__(self, conn: Connection, *parts: dict[str, str]) -> None:
        detach_stale(conn)
        self._conn = conn
        self._parts: list[_Part] = []
        self._where: dict[str, _Part] = {}
        self._read_uncommitted = int(conn.execute("PRAGMA read_uncommitted").fetchone()[0])
        self._attached: list[str] = []
        self.uris: list[str] = []  # of the staging databases (tests look them up after)
        try:
            for tables in parts:
                part = _Part(tables)
                self._parts.append(part)
                self.uris.append(part.uri)
                self._where.update((t, part) for t in part.tables)
            conn.execute("PRAGMA read_uncommitted = 1")
            for part in self._parts:
                conn.execute(f"ATTACH DATABASE ? AS {part.name} KEY ''", (part.uri,))
                self._attached.append(part.name)
        except BaseException:
            self.close()
            raise

    def fill_table(self, table: str, sql: str, params: tuple[Any, ...], rows: int = -1) -> bool:
        """``table`` emptied, then ``sql`` (which fills it) run in one transaction of the staging
        connection (read-ahead thread); False (table left empty) when SQLite refuses it
        (malformed JSON, …) or it gives other than ``rows`` rows (when ``rows`` >= 0)."""
        part = self._where[table]
        stage = part.conn
        if stage is None:
            return False
        stage.execute("BEGIN")
        try:
            stage.execute(f"DELETE FROM {table}")
            got = stage.execute(sql, params).rowcount
            if rows < 0 or got == rows:
                stage.execute("COMMIT")
                return True
        except sqlcipher3.Error:
            pass  # the applying thread meets it on its own path
        except BaseException:
            _undo(stage, table)
            raise
        _undo(stage, table)
        return False

    def qualified(self, table: str) -> str:
        """``table`` as the register's connection names it."""
        return f"{self._where[table].name}.{table}"

    def close(self) -> None:
        """Empty every table, close the staging connections and stop reading uncommitted;
        detach when no transaction is open (otherwise ``detach_stale`` does, later)."""
        parts, self._parts = self._parts, []
        try:
            for part in parts:
                stage, part.conn = part.conn, None
                if stage is None:
                    continue
                try:
                    for table in part.tables:
                        stage.execute(f"DELETE FROM {table}")
                finally:
                    stage.close()
        finally:
            self._conn.execute(f"PRAGMA read_uncommitted = {self._read_uncommitted}")
            if self._attached:
                detach_stale(self._conn)


def _undo(stage: Any, table: str) -> None:
    """The fill rolled back, and what ``table`` held before emptied too."""
    if stage.in_transaction:  # (SQLite rolls back by itself after some errors)
        stage.execute("ROLLBACK")
    stage.execute(f"DELETE FROM {table}")
