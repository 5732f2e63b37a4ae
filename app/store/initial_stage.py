"""Staging of an ``initial`` load's columns in private in-memory databases (issue 9).

``initial_load.JsonInserter`` takes every column out of a chunk's JSON (``->>``) on the thread
that applies. Here that extraction runs on the read-ahead thread instead: ``StageRing.fill``
runs the same ``->>`` / ``jsonb_each`` expressions (moved, not rewritten: same values, same
types, same NULLs) into a staging table of a private in-memory database (its own connection,
``file:vxstage-<random>-<slot>?mode=memory&cache=shared``), and the applying thread, which has
that database attached (``KEY ''``: not encrypted, never on disk), resolves the references by
the same joins and inserts with one ``INSERT … SELECT`` from the staging table, the same cut
(the first record whose reference is not in the register) and the same row ids.

The staging tables are a ring of ``SLOTS``, each slot its OWN in-memory database (one table per
record type in it), created before the load reads any of them. A statement holds the mutex of
every shared-cache database it touches for as long as it runs (``sqlite3VdbeEnter``): with one
database for every slot, the read-ahead's fill of the next slot and the applying thread's
insert from the current one took turns instead of running side by side. The register's
connection reads the slots uncommitted (``PRAGMA read_uncommitted``, which only concerns
shared-cache databases), so the read-ahead thread may refill a slot the applying thread is done
with while the load's one transaction stays open (a table cannot be created or a database
detached then). Which slot may be written is the caller's business (one writer per slot, handed
over in order). ``close`` empties every slot (``secure_delete``: the freed pages are zeroed) and
closes the staging connections; the attachments themselves can only go once the load's
transaction is over (``detach_stale``).
"""

from __future__ import annotations

import functools
import secrets
from typing import Any

import sqlcipher3

from app.store.db import Connection
from app.store.initial_load import STAGE_PREFIX, Column, _uid, detach_stale, value_expr
from app.store.sync_outbox import RECORD_TABLES

SLOTS = 3  # staged chunks at most, per record type


def _table(record_type: str, slot: int) -> str:
    return f"{RECORD_TABLES[record_type]}_{slot}"


def _stage_columns(spec: tuple[Column, ...]) -> list[str]:
    cols = ["k"]
    for n, col in enumerate(spec):
        if col.kind == "id":
            continue
        if col.kind == "ref":
            cols.append(f"n{n}")
            if col.ref_type != "vaccine":
                cols.append(f"u{n}")
            cols.append(f"s{n}")
        else:
            cols.append(f"c{n}")
    return cols


@functools.lru_cache(maxsize=64)
def _fill_sql(record_type: str, spec: tuple[Column, ...], table: str) -> str:
    """The read-ahead side: the columns of a chunk (``?1``: the lines as one JSON array,
    ``?2``: the derived values as another) into ``table``, by ``initial_load._statement``'s
    own expressions."""
    named: list[str] = []
    joins: list[str] = []
    selects: list[str] = ["r.k"]
    own = extra = False
    for n, col in enumerate(spec):
        if col.kind == "id":
            continue
        if (expr := value_expr(col, "r")) is not None:
            selects.append(expr)
        elif col.kind == "ref":
            text = f"r.n{n}"
            named.append(f", value ->> '$.data.{col.field}' AS n{n}")
            selects.append(text)
            if col.ref_type != "vaccine":
                selects.append(_uid(text))
            if col.ref_type == record_type:  # a record earlier in the same chunk
                own = True
                joins.append(f"LEFT JOIN r s{n} ON s{n}.u = {text} AND s{n}.k < r.k")
                selects.append(f"s{n}.k")
            else:
                selects.append("NULL")
        elif col.kind == "const":
            selects.append("NULL" if col.value is None else f"'{col.value}'")
        elif col.kind == "param":
            extra = True
            selects.append("e.value")
        else:
            raise ValueError(f"unknown column source {col.kind}")
    own_uid = ", value ->> '$.uid' AS u" if own else ""
    extra_cte = ", e AS MATERIALIZED (SELECT key AS k, value FROM json_each(?2))" if extra else ""
    extra_join = " JOIN e ON e.k = r.k" if extra else ""
    cols = ", ".join(_stage_columns(spec))
    return (
        f"WITH r AS MATERIALIZED (SELECT key AS k, value AS v{''.join(named)}{own_uid}"
        f" FROM jsonb_each(CAST(?1 AS TEXT))){extra_cte}"
        f" INSERT INTO {table} ({cols}) SELECT {', '.join(selects)}"
        f" FROM r {' '.join(joins)}{extra_join}"
    )


class StageRing:
    """The staging databases of one load: ``SLOTS`` in-memory databases, each with a table per
    record type of ``specs``, attached to ``conn`` (see the module docstring)."""

    def __init__(self, conn: Connection, specs: dict[str, tuple[Column, ...]]) -> None:
        detach_stale(conn)
        token = secrets.token_hex(8)
        self.names = [f"{STAGE_PREFIX}{token}_{slot}" for slot in range(SLOTS)]
        self.uris = [
            f"file:vxstage-{token}-{slot}?mode=memory&cache=shared" for slot in range(SLOTS)
        ]
        self.specs = dict(specs)
        self._conn = conn
        self._stages: list[Any] = []
        self._read_uncommitted = int(conn.execute("PRAGMA read_uncommitted").fetchone()[0])
        self._attached = False
        try:
            for slot, uri in enumerate(self.uris):
                stage = sqlcipher3.connect(
                    uri, uri=True, isolation_level=None, check_same_thread=False
                )
                self._stages.append(stage)
                stage.execute("PRAGMA temp_store = MEMORY")
                stage.execute("PRAGMA secure_delete = ON")
                stage.execute("PRAGMA journal_mode = MEMORY")
                for rtype, spec in self.specs.items():
                    cols = ", ".join(_stage_columns(spec))
                    stage.execute(f"CREATE TABLE {_table(rtype, slot)} ({cols})")
            conn.execute("PRAGMA read_uncommitted = 1")
            self._attached = True  # (detach_stale takes what an interrupted ATTACH left)
            for name, uri in zip(self.names, self.uris, strict=True):
                conn.execute(f"ATTACH DATABASE ? AS {name} KEY ''", (uri,))
        except BaseException:
            self.close()
            raise

    def fill(self, rtype: str, slot: int, lines: bytes, extra: str) -> bool:
        """Slot ``slot`` of ``rtype`` holds the columns of ``lines`` (read-ahead thread); False
        (slot left empty) when SQLite refuses the chunk (malformed JSON, …)."""
        table = _table(rtype, slot)
        sql = _fill_sql(rtype, self.specs[rtype], table)
        stage = self._stages[slot]
        stage.execute("BEGIN")
        try:
            stage.execute(f"DELETE FROM {table}")
            stage.execute(sql, (lines, extra) if "?2" in sql else (lines,))
        except sqlcipher3.Error:
            stage.execute("ROLLBACK")
            return False  # the applying thread runs the chunk's own statement and meets it
        except BaseException:
            stage.execute("ROLLBACK")
            raise
        stage.execute("COMMIT")
        return True

    def source(self, rtype: str, slot: int) -> str:
        """The staging table of slot ``slot`` of ``rtype`` as the register's connection names it
        (for ``initial_load.JsonInserter.insert``)."""
        return f"{self.names[slot]}.{_table(rtype, slot)}"

    def close(self) -> None:
        """Empty every slot, close the staging connections and stop reading uncommitted; detach
        when no transaction is open (otherwise ``detach_stale`` does, later)."""
        stages, self._stages = self._stages, []
        if not stages and not self._attached:
            return
        try:
            for slot, stage in enumerate(stages):
                for rtype in self.specs:
                    try:
                        stage.execute(f"DELETE FROM {_table(rtype, slot)}")
                    except sqlcipher3.OperationalError:
                        continue  # never created
        finally:
            for stage in stages:
                stage.close()
            self._conn.execute(f"PRAGMA read_uncommitted = {self._read_uncommitted}")
            if self._attached:
                self._attached = False
                detach_stale(self._conn)
