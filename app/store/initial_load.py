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

For a type that names no record of its own type (vaccinations, issuances, households …) a chunk
is first tried in one pass (``_streaming``): laid out by column on the read-ahead thread
(``Positions``, a connection of its own to an empty in-memory database; the statement runs
without the GIL), then inserted straight from ``jsonb_each`` with each column taken by its
position, nothing materialized. Only a chunk that pass refuses as a whole (a reference not
found, a constraint) runs the exact statement above, which decides as before.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlcipher3

from app.store.db import Connection
from app.store.sync_apply import savepoint
from app.store.sync_outbox import RECORD_TABLES

_NAME = re.compile(r"^[a-z_][a-z0-9_]*\Z")


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


Path = Callable[[str], str]  # a JSON path of the record → the expression of its value (->>)


def _value(col: Column, get: Path, row: str) -> str:
    """The select expression of a column that is not a reference, from the record ``row``."""
    if col.kind == "id":
        return f"?3 + {row}.k"
    if col.kind == "uid":
        return _uid(get("$.uid"))
    if col.kind == "env":
        return get(f"$.{col.field}")
    if col.kind == "voided_at":
        return f"rtrim(replace({get('$.voided.at')}, 'T', ' '), 'Z')"
    if col.kind == "void_reason":
        return get("$.voided.reason")
    if col.kind == "data":
        return get(f"$.data.{col.field}")
    if col.kind == "bool":
        return f"CASE WHEN {get(f'$.data.{col.field}')} THEN 1 ELSE 0 END"
    if col.kind == "const":
        return "NULL" if col.value is None else f"'{col.value}'"
    if col.kind == "param":
        return "e.value"
    raise ValueError(f"unknown column source {col.kind}")


@functools.lru_cache(maxsize=32)
def _statement(record_type: str, spec: tuple[Column, ...]) -> str:
    """The exact chunk insert: the records up to the first whose reference is not found."""
    own = False
    named: list[str] = []  # the reference texts, taken out once per record (in r)
    joins: list[str] = []
    refs: list[str] = []  # the ref columns of x
    cut: list[str] = []  # a named reference not found
    selects: list[str] = []
    extra = False
    for n, col in enumerate(spec):
        if col.kind == "ref":
            alias, text = f"t{n}", f"r.n{n}"
            named.append(f", value ->> '$.data.{col.field}' AS n{n}")
            joins.append(_join(col, alias, text))
            if col.ref_type == record_type:  # or a record earlier in the same chunk
                own = True
                joins.append(f"LEFT JOIN r s{n} ON s{n}.u = {text} AND s{n}.k < r.k")
                found = f"coalesce({alias}.id, ?3 + s{n}.k)"
            else:
                found = f"{alias}.id"
            refs.append(f"{found} AS c{n}")
            cut.append(f"({text} IS NOT NULL AND {found} IS NULL)")
            selects.append(f"x.c{n}")
        else:
            extra = extra or col.kind == "param"
            selects.append(_value(col, lambda path: f"x.v ->> '{path}'", "x"))
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
        f" INSERT INTO {RECORD_TABLES[record_type]} ({names}) SELECT {', '.join(selects)}"
        f" FROM x{extra_join}"
        " WHERE x.k < (SELECT coalesce(min(x.k), ?2) FROM x WHERE x.m)"
    )


def _join(col: Column, alias: str, text: str) -> str:
    if col.ref_type == "vaccine":
        on = f"{alias}.product_id = {text}"
    else:
        on = f"{alias}.uid = {_uid(text)}"
    return f"LEFT JOIN {RECORD_TABLES[col.ref_type]} {alias} ON {on}"


@functools.lru_cache(maxsize=32)
def _streaming(record_type: str, spec: tuple[Column, ...]) -> tuple[str, str] | None:
    """(the statement that lays a chunk's records out as arrays, the insert from such arrays);
    None for a type that names records of its own type (a record earlier in the same chunk
    counts there) or takes extra values.

    The first statement (``Positions``, on the read-ahead thread) turns the chunk's JSON array
    into a JSONB array holding, per record, an array of the JSON values the columns come from
    (``->``: the values as they are in the line, numbers not converted), in a fixed order. The
    insert then takes each column by its position (no search among the record's keys) and runs
    the whole chunk in one pass, nothing materialized (no copy of the records into temporary
    tables): every record straight from ``jsonb_each`` through the joins into the table. A
    record whose reference is not found gets a NULL uid, which the table's NOT NULL refuses, so
    the statement fails as a whole and the caller runs the exact statement instead."""
    if any(c.kind == "param" or (c.kind == "ref" and c.ref_type == record_type) for c in spec):
        return None
    paths: dict[str, int] = {}

    def get(path: str) -> str:
        return f"r.v ->> {paths.setdefault(path, len(paths))}"

    named: list[str] = []
    joins: list[str] = []
    cut: list[str] = []
    selects: list[str] = []
    for n, col in enumerate(spec):
        if col.kind == "ref":
            alias, text = f"t{n}", f"r.n{n}"
            named.append(f", {get(f'$.data.{col.field}').replace('r.v', 'value')} AS n{n}")
            joins.append(_join(col, alias, text))
            cut.append(f"({text} IS NOT NULL AND {alias}.id IS NULL)")
            selects.append(f"{alias}.id")
        else:
            selects.append(_value(col, get, "r"))
    at = [c.kind for c in spec].index("uid")
    selects[at] = f"CASE WHEN {' OR '.join(cut) or '0'} THEN NULL ELSE {selects[at]} END"
    names = ", ".join(c.name for c in spec)
    layout = ", ".join(f"value -> '{path}'" for path in paths)
    return (
        f"SELECT jsonb_group_array(jsonb_array({layout})), count(*)"
        " FROM jsonb_each(CAST(?1 AS TEXT))",
        f"INSERT INTO {RECORD_TABLES[record_type]} ({names}) SELECT {', '.join(selects)}"
        f" FROM (SELECT key AS k, value AS v{''.join(named)} FROM jsonb_each(?1)) r"
        f" {' '.join(joins)}",
    )


class Positions:
    """Lays chunks out as ``_streaming`` arrays on a connection of its own (to an empty
    in-memory database: no register, no file), so that it can run on another thread."""

    def __init__(self, sql: str) -> None:
        self.sql = sql
        self._conn: sqlcipher3.Connection | None = None

    def __call__(self, lines: bytes, count: int) -> bytes | None:
        """The JSONB arrays of the chunk ``lines`` (a JSON array of ``count`` records), or None
        when SQLite cannot read it as such (the exact statement then meets the fault where the
        load would)."""
        if self._conn is None:
            self._conn = sqlcipher3.connect(":memory:", check_same_thread=False)
            self._conn.execute("PRAGMA temp_store = MEMORY")  # never a temporary file
        try:
            got, n = self._conn.execute(self.sql, (lines,)).fetchone()
        except sqlcipher3.Error:
            return None
        return bytes(got) if isinstance(got, bytes) and n == count else None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


@dataclass(slots=True)
class Counts:
    """How the chunks went in (read by the benchmark): in one pass, by the exact statement, and
    the exact statement's cuts (the rest of a chunk then went record by record)."""

    streamed: int = 0
    exact: int = 0
    cut: int = 0


COUNTS = Counts()


class JsonInserter:
    """The chunk insert of one record type, its column sources checked against the schema."""

    def __init__(self, conn: Connection, record_type: str, spec: Sequence[Column]) -> None:
        table = RECORD_TABLES[record_type]
        info = conn.execute(f"PRAGMA table_info({table})").fetchall()
        known = {str(r[1]) for r in info}
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
        self.table = table
        self.spec = tuple(spec)
        self.sql = _statement(record_type, self.spec)
        uid_required = any(str(r[1]) == "uid" and r[3] for r in info)
        self.streaming = _streaming(record_type, self.spec) if uid_required else None
        self.positions = None if self.streaming is None else Positions(self.streaming[0])

    def insert(
        self,
        conn: Connection,
        lines: bytes,
        count: int,
        first_id: int,
        extra: str,
        positions: bytes | None = None,
    ) -> int:
        """Insert the records of ``lines`` (a JSON array of ``count`` envelopes) up to the first
        whose reference is not in the register: how many went in, or -1 (nothing inserted) when
        the chunk breaks a constraint. ``positions``: the chunk as laid out by ``positions``
        (then tried first, in one pass)."""
        before = conn.total_changes
        if self.streaming is not None and positions is not None:
            try:  # one statement: a refused row undoes all it inserted
                conn.execute(self.streaming[1], (positions, count, first_id))
                COUNTS.streamed += 1
                return conn.total_changes - before
            except sqlcipher3.IntegrityError:
                pass  # a reference not found, or a constraint: the exact statement decides
        params: tuple[Any, ...] = (lines, count, first_id, extra)
        if "?4" not in self.sql:
            params = params[:3]
        COUNTS.exact += 1
        try:
            with savepoint(conn):
                conn.execute(self.sql, params)
        except sqlcipher3.IntegrityError:
            return -1
        done = conn.total_changes - before
        if done < count:
            COUNTS.cut += 1
        return done


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
        if switched:
            conn.execute("PRAGMA journal_mode = WAL")
