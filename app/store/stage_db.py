"""A private in-memory staging database attached to the register's connection (issue 9).

A package apply takes the values of its records out of their JSON on a read-ahead thread, into
tables of a database of its own (its own connection, ``file:vxstage-<random>?mode=memory&
cache=shared``: not encrypted, never on disk, ``secure_delete`` so that freed pages are zeroed),
while the thread that applies reads them through the register's connection, which has that
database attached (``KEY ''``). Used by an ``initial`` load (``app.store.initial_stage``) and by
the plain updates of an ``updates`` package (``app.store.sync_fast.WindowRing``).

Every table is created before the register's connection reads any of them: that connection reads
them uncommitted (``PRAGMA read_uncommitted``, which only concerns shared-cache databases), so the
read-ahead thread may refill a table the applying thread is done with while the apply's one
transaction stays open (a table cannot be created or the database detached then). Which table may
be written is the caller's business (one writer per table, handed over in order). ``close``
empties every table and closes the staging connection; the attachment itself can only go once
the apply's transaction is over (``detach_stale``).
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


class StageDb:
    """A staging database with the tables ``tables`` (name → column definitions), attached to
    ``conn`` (see the module docstring)."""

    def __init__(self, conn: Connection, tables: dict[str, str]) -> None:
        detach_stale(conn)
        token = secrets.token_hex(8)
        self.name = f"{STAGE_PREFIX}{token}"
        self.uri = f"file:vxstage-{token}?mode=memory&cache=shared"
        self.tables = tuple(tables)
        self._conn = conn
        self._stage: Any = sqlcipher3.connect(
            self.uri, uri=True, isolation_level=None, check_same_thread=False
        )
        self._read_uncommitted = int(conn.execute("PRAGMA read_uncommitted").fetchone()[0])
        self._attached = False
        try:
            self._stage.execute("PRAGMA temp_store = MEMORY")
            self._stage.execute("PRAGMA secure_delete = ON")
            self._stage.execute("PRAGMA journal_mode = MEMORY")
            for table, cols in tables.items():
                self._stage.execute(f"CREATE TABLE {table} ({cols})")
            conn.execute("PRAGMA read_uncommitted = 1")
            conn.execute(f"ATTACH DATABASE ? AS {self.name} KEY ''", (self.uri,))
            self._attached = True
        except BaseException:
            self.close()
            raise

    def fill_table(self, table: str, sql: str, params: tuple[Any, ...], rows: int = -1) -> bool:
        """``table`` emptied, then ``sql`` (which fills it) run in one transaction of the staging
        connection (read-ahead thread); False (table left empty) when SQLite refuses it
        (malformed JSON, …) or it gives other than ``rows`` rows (when ``rows`` >= 0)."""
        stage = self._stage
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
            self._undo(table)
            raise
        self._undo(table)
        return False

    def _undo(self, table: str) -> None:
        """The fill rolled back, and what ``table`` held before emptied too."""
        stage = self._stage
        if stage.in_transaction:  # (SQLite rolls back by itself after some errors)
            stage.execute("ROLLBACK")
        stage.execute(f"DELETE FROM {table}")

    def qualified(self, table: str) -> str:
        """``table`` as the register's connection names it."""
        return f"{self.name}.{table}"

    def close(self) -> None:
        """Empty every table, close the staging connection and stop reading uncommitted; detach
        when no transaction is open (otherwise ``detach_stale`` does, later)."""
        stage, self._stage = self._stage, None
        if stage is None:
            return
        try:
            for table in self.tables:
                try:
                    stage.execute(f"DELETE FROM {table}")
                except sqlcipher3.OperationalError:
                    continue  # never created
        finally:
            stage.close()
            self._conn.execute(f"PRAGMA read_uncommitted = {self._read_uncommitted}")
            if self._attached:
                detach_stale(self._conn)
