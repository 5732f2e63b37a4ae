"""Rows of an ``initial`` load straight from package lines: one ``INSERT … SELECT`` per chunk.

A chunk of JSON Lines (schema-checked by the package layer, before the commit) is passed to
SQLite as one JSON array, its UTF-8 bytes bound as they are (``CAST(? AS TEXT)``: no decoding
into a Python string and encoding back); SQLite parses it once (``jsonb_each``: each element
as JSONB), takes every column out of it (``->>``), the reference texts once per record,
resolves the references by joins on the unique uid indexes of the referenced tables, and inserts
the rows with their ids given (first id + position in the chunk, so package order). No Python object is built per record, and the
statement runs without the GIL (a single ``sqlite3_step``).

The insert stops before the first record whose reference (a uid or product id it names) is not
in the register yet; the caller applies that record and the rest of the chunk one by one. A chunk
that breaks a constraint (a uid seen before) inserts nothing (savepoint) and says so.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlcipher3

from app.store.db import Connection
from app.store.stage_db import detach_stale
from app.store.sync_apply import savepoint
from app.store.sync_outbox import RECORD_TABLES

_NAME = re.compile(r"^[a-z_][a-z0-9_]*\Z")
_SOURCE = re.compile(r"^vxstage_[0-9a-f]+\.[a-z_][a-z0-9_]*\Z")  # a staging table


@dataclass(frozen=True, slots=True)
class Column:
    """Where one column of the row comes from.

    ``kind``: ``id`` (first id + position in the chunk), ``uid`` (the envelope's uid as 16
    bytes), ``env`` (an envelope member: version, origin), ``voided_at`` / ``void_reason``,
    ``data`` (a data field as it is), ``bool`` (a data field as 0/1), ``ref`` (a data field
    naming a record of ``ref_type`` by uid, or a vaccine by product id), ``const`` (``value``),
    ``param`` (the item at the record's position of the JSON array given as ``extra``)."""

    name: str
    kind: str
    field: str = ""
    ref_type: str = ""
    value: str | None = None


def _uid(expr: str) -> str:
    return f"unhex(replace({expr}, '-', ''))"


@functools.lru_cache(maxsize=32)
def value_expr(col: Column, row: str) -> str | None:
    """The SQL of a column taken from the record JSON ``{row}.v`` as the load writes it (uids,
    envelope fields, the void, data fields, booleans as 0/1); None for the other kinds. One
    text for the applying thread's statement and the read-ahead's staging
    (``initial_stage``): the two paths write the same values."""
    v = f"{row}.v"
    if col.kind == "uid":
        return _uid(f"{v} ->> '$.uid'")
    if col.kind == "env":
        return f"{v} ->> '$.{col.field}'"
    if col.kind == "voided_at":
        return f"rtrim(replace({v} ->> '$.voided.at', 'T', ' '), 'Z')"
    if col.kind == "void_reason":
        return f"{v} ->> '$.voided.reason'"
    if col.kind == "data":
        return f"{v} ->> '$.data.{col.field}'"
    if col.kind == "bool":
        return f"CASE WHEN {v} ->> '$.data.{col.field}' THEN 1 ELSE 0 END"
    return None


def _statement(record_type: str, spec: tuple[Column, ...]) -> str:
    table = RECORD_TABLES[record_type]
    own = False
    named: list[str] = []  # the reference texts, taken out once per record (in r)
    joins: list[str] = []
    refs: list[str] = []  # the ref columns of x
    cut: list[str] = []  # a named reference not found
    selects: list[str] = []
    extra = False
    for n, col in enumerate(spec):
        if col.kind == "id":
            selects.append("?3 + x.k")
        elif (expr := value_expr(col, "x")) is not None:
            selects.append(expr)
        elif col.kind == "ref":
            alias, text = f"t{n}", f"r.n{n}"
            named.append(f", value ->> '$.data.{col.field}' AS n{n}")
            if col.ref_type == "vaccine":
                on = f"{alias}.product_id = {text}"
            else:
                on = f"{alias}.uid = {_uid(text)}"
            joins.append(f"LEFT JOIN {RECORD_TABLES[col.ref_type]} {alias} ON {on}")
            if col.ref_type == record_type:  # or a record earlier in the same chunk
                own = True
                joins.append(f"LEFT JOIN r s{n} ON s{n}.u = {text} AND s{n}.k < r.k")
                found = f"coalesce({alias}.id, ?3 + s{n}.k)"
            else:
                found = f"{alias}.id"
            refs.append(f"{found} AS c{n}")
            cut.append(f"({text} IS NOT NULL AND {found} IS NULL)")
            selects.append(f"x.c{n}")
        elif col.kind == "const":
            selects.append("NULL" if col.value is None else f"'{col.value}'")
        elif col.kind == "param":
            extra = True
            selects.append("e.value")
        else:
            raise ValueError(f"unknown column source {col.kind}")
    names = ", ".join(c.name for c in spec)
    ref_cols = "".join(f", {r}" for r in refs)
    missing = " OR ".join(cut) or "0"
    extra_cte = ", e AS MATERIALIZED (SELECT key AS k, value FROM json_each(?4))" if extra else ""
    extra_join = " JOIN e ON e.k = x.k" if extra else ""
    own_uid = ", value ->> '$.uid' AS u" if own else ""  # to find a record named later
    return (
        f"WITH r AS MATERIALIZED (SELECT key AS k, value AS v{''.join(named)}{own_uid}"
        " FROM jsonb_each(CAST(?1 AS TEXT))),"
        f" x AS MATERIALIZED (SELECT r.k, r.v{ref_cols}, {missing} AS m FROM r {' '.join(joins)})"
        f"{extra_cte}"
        f" INSERT INTO {table} ({names}) SELECT {', '.join(selects)} FROM x{extra_join}"
        " WHERE x.k < (SELECT coalesce(min(x.k), ?2) FROM x WHERE x.m)"
    )


@functools.lru_cache(maxsize=32)
def _apply_sql(record_type: str, spec: tuple[Column, ...], source: str) -> str:
    """The applying side: the staged rows of ``source`` into the register, references resolved
    by ``initial_load._statement``'s joins, up to the first record naming one not found. ``x``
    is not materialized: the cut (a scalar subquery, run once before the first row goes in)
    and the insert each run the joins, which costs less than writing every row into a
    temporary table first and reading it back (a statement that reads the table it inserts
    into, persons naming a guardian, still goes through one, as SQLite requires)."""
    table = RECORD_TABLES[record_type]
    joins: list[str] = []
    refs: list[str] = []
    cut: list[str] = []
    selects: list[str] = []
    for n, col in enumerate(spec):
        if col.kind == "id":
            selects.append("?3 + x.k")
        elif col.kind == "ref":
            alias, text = f"t{n}", f"s.n{n}"
            if col.ref_type == "vaccine":
                on = f"{alias}.product_id = {text}"
            else:
                on = f"{alias}.uid = s.u{n}"
            joins.append(f"LEFT JOIN {RECORD_TABLES[col.ref_type]} {alias} ON {on}")
            if col.ref_type == record_type:
                found = f"coalesce({alias}.id, ?3 + s.s{n})"
            else:
                found = f"{alias}.id"
            refs.append(f", {found} AS c{n}")
            cut.append(f"({text} IS NOT NULL AND {found} IS NULL)")
            selects.append(f"x.c{n}")
        else:
            refs.append(f", s.c{n}")
            selects.append(f"x.c{n}")
    names = ", ".join(c.name for c in spec)
    missing = " OR ".join(cut) or "0"
    return (
        f"WITH x AS NOT MATERIALIZED (SELECT s.k{''.join(refs)}, {missing} AS m"
        f" FROM {source} s {' '.join(joins)})"
        f" INSERT INTO {table} ({names}) SELECT {', '.join(selects)} FROM x"
        " WHERE x.k < (SELECT coalesce(min(x.k), ?2) FROM x WHERE x.m)"
    )


class JsonInserter:
    """The chunk insert of one record type, its column sources checked against the schema."""

    def __init__(self, conn: Connection, record_type: str, spec: Sequence[Column]) -> None:
        table = RECORD_TABLES[record_type]
        known = {str(r[1]) for r in conn.execute(f"PRAGMA table_info({table})")}
        for col in spec:
            if col.name not in known or (col.field and not _NAME.match(col.field)):
                raise ValueError(f"bad column source for {table}: {col.name}")
            if col.kind == "ref" and col.ref_type not in RECORD_TABLES:
                raise ValueError(f"unknown reference type {col.ref_type}")
            if col.kind == "const" and col.value is not None and not _NAME.match(col.value):
                raise ValueError("constants are plain words")
        missing = known - {c.name for c in spec}
        if missing:
            raise ValueError(f"columns without a source in {table}: {sorted(missing)}")
        self.table, self.record_type = table, record_type
        self.spec = tuple(spec)
        self.sql = _statement(record_type, self.spec)

    def insert(
        self,
        conn: Connection,
        lines: bytes | None,
        count: int,
        first_id: int,
        extra: str,
        source: str = "",
    ) -> int:
        """Insert the records of ``lines`` (a JSON array of ``count`` envelopes) up to the first
        whose reference is not in the register: how many went in, or -1 (nothing inserted) when
        the chunk breaks a constraint. With ``source`` (a staging table of
        ``app.store.initial_stage``, its columns taken out of those lines), from there."""
        params: tuple[Any, ...] = (lines, count, first_id, extra)
        sql = self.sql
        if source:
            if not _SOURCE.match(source):
                raise ValueError("not a staging table")
            sql = _apply_sql(self.record_type, self.spec, source)
            params = (None, count, first_id)
        elif "?4" not in sql:
            params = params[:3]
        before = conn.total_changes
        try:
            with savepoint(conn):
                conn.execute(sql, params)
        except sqlcipher3.IntegrityError:
            return -1
        return conn.total_changes - before


@contextlib.contextmanager
def load_journal(conn: Connection, enabled: bool = True) -> Iterator[None]:
    """A rollback journal instead of the WAL for an initial load (outside any transaction).

    The load is one transaction that outgrows any page cache: in WAL mode every page it spills
    goes to the WAL, is looked up there again on every later read (the WAL index is searched
    block by block, so each look-up costs more as the WAL grows) and is copied a second time
    into the database at the checkpoint. Into an empty register the new pages lie beyond the
    old end of the file, so a rollback journal writes them once, straight into place, and holds
    only the few pages that existed before (with ``synchronous = FULL`` a crash still rolls
    back to the register as it was). WAL is back afterwards; should the switch be refused (the
    file open elsewhere) the load runs in WAL mode."""
    switched = False
    if enabled and str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
        try:
            mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
            switched = str(mode).lower() == "delete"
        except sqlcipher3.OperationalError:
            switched = False
    try:
        yield
    finally:
        detach_stale(conn)  # the load's staging database, once its transaction is over
        if switched:
            conn.execute("PRAGMA journal_mode = WAL")
