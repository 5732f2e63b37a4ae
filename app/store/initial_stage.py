"""Staging of an ``initial`` load's columns in a private in-memory database (issue 9).

``initial_load.JsonInserter`` takes every column out of a chunk's JSON (``->>``) on the thread
that applies. Here that extraction runs on the read-ahead thread instead: ``StageRing.fill``
runs the same ``->>`` / ``jsonb_each`` expressions (moved, not rewritten: same values, same
types, same NULLs) into a staging table of a private in-memory database (its own connection,
``file:vxstage-<random>?mode=memory&cache=shared``), and the applying thread, which has that
database attached (``KEY ''``: not encrypted, never on disk), resolves the references by the
same joins and inserts with one ``INSERT … SELECT`` from the staging table, the same cut
(the first record whose reference is not in the register) and the same row ids.

The staging tables are a ring of ``SLOTS`` per record type of a ``StageDb``, each slot a
database of its own (``app.store.stage_db``: a statement holds the mutex of every shared-cache
database it reads while it runs, so with one database the read-ahead's fill of the next slot and
the applying thread's insert from the current one took turns; how the register's connection
reads them while the read-ahead thread refills a slot it is done with, and how they are emptied
and detached). Which slot may be written
is the caller's business (one writer per slot, handed over in order).
"""

from __future__ import annotations

import functools

from app.store.db import Connection
from app.store.initial_load import Column, _uid, value_expr
from app.store.stage_db import StageDb
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


class StageRing(StageDb):
    """The staging database of one load: ``SLOTS`` tables per record type of ``specs``,
    attached to ``conn`` (see the module docstring)."""

    def __init__(self, conn: Connection, specs: dict[str, tuple[Column, ...]]) -> None:
        self.specs = dict(specs)
        super().__init__(
            conn,
            *(
                {
                    _table(rtype, slot): ", ".join(_stage_columns(spec))
                    for rtype, spec in self.specs.items()
                }
                for slot in range(SLOTS)
            ),
        )  # a database per slot: the fill of one runs while a statement reads another

    def fill(self, rtype: str, slot: int, lines: bytes, extra: str) -> bool:
        """Slot ``slot`` of ``rtype`` holds the columns of ``lines`` (read-ahead thread); False
        (slot left empty) when SQLite refuses the chunk (malformed JSON, …)."""
        table = _table(rtype, slot)
        sql = _fill_sql(rtype, self.specs[rtype], table)
        return self.fill_table(table, sql, (lines, extra) if "?2" in sql else (lines,))

    def source(self, rtype: str, slot: int) -> str:
        """The staging table of slot ``slot`` of ``rtype`` as the register's connection names it
        (for ``initial_load.JsonInserter.insert``)."""
        return self.qualified(_table(rtype, slot))
