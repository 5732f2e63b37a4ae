"""Set-based apply of the plain updates among incoming records (PACKAGE-FORMAT.md §4 apply), for
``app/services/_sync_fast``: the SQL, inside the caller's transaction.

A window of records is staged in a TEMP table in register terms (``temp_store = MEMORY``: the
register's temporary data never reaches an unencrypted file): from the package lines themselves,
bound as one JSON array that SQLite takes apart (``stage_lines``), or from rows built in Python
(``stage``, which tests compare with it).
``plan`` then picks the records that need nothing but their values written: the stored row
exists, the uid comes once in the window, no local change of it waits for the server, no value
under a UNIQUE constraint and no field a derived column follows (the kana key) changes, and
every reference carried resolves to a stored row. For those it works out the final row (a field
the sender does not carry keeps its stored value) and which indexed columns change, reading the
stored rows in row-id order once their ids are found from the uid index alone. ``write``
then updates the newer ones in row-id order with one statement per set of changed indexed
columns, so that an index is touched only where its columns change (as the record-by-record
path does); those whose version is not newer are only counted. Everything else is left to the
record-by-record path, in package order.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

import sqlcipher3

from app.store.db import Connection
from app.store.stage_db import StageDb
from app.store.sync_apply import savepoint, unique_columns
from app.store.sync_outbox import RECORD_TABLES

_IN = "sync_fast_in"
_PLAN = "sync_fast_plan"
_UNACKED = "sync_fast_unacked"
ENVELOPE = ("version", "origin", "voided_at", "void_reason")
_NAME = re.compile(r"^[a-z_][a-z0-9_]*\Z")
MAX_SIGNATURES = 32  # statements per window; beyond, every indexed column is set


@dataclass(frozen=True, slots=True)
class Ref:
    field: str  # data field (a uid, staged as 16 bytes)
    column: str  # register column (a row id)
    table: str  # table referred to


@dataclass(frozen=True, slots=True)
class Shape:
    """How the data fields of one record type map onto its table."""

    record_type: str
    package_type: str
    fields: tuple[str, ...]  # data fields stored as they are (same column name)
    booleans: tuple[str, ...]  # stored as 0/1, always set
    refs: tuple[Ref, ...]
    fixed: tuple[str, ...]  # data fields that must not change (derived columns follow them)
    # where a window is staged: the TEMP table, or a slot of a ``WindowRing`` (``staged``)
    source: str = f"temp.{_IN}"
    # the table's UNIQUE and indexed columns (``with_facts``), or None: looked up at each use
    facts: tuple[frozenset[str] | None, frozenset[str]] | None = None

    @property
    def table(self) -> str:
        return RECORD_TABLES[self.record_type]

    @property
    def staged(self) -> tuple[str, ...]:
        """Columns of a staged row after seq: uid, type, bad, absent (a bit per field and ref,
        in that order), the envelope columns, fields, booleans, refs."""
        return (
            "uid",
            "type",
            "bad",
            "absent",
            *ENVELOPE,
            *self.fields,
            *self.booleans,
            *(r.field for r in self.refs),
        )

    @property
    def columns(self) -> tuple[str, ...]:
        """Register columns written."""
        return (*ENVELOPE, *self.fields, *self.booleans, *(r.column for r in self.refs))


def indexed_columns(conn: Connection, table: str) -> frozenset[str]:
    """The columns named by some index of ``table`` (only what an update costs depends on it)."""
    if table not in RECORD_TABLES.values():
        raise ValueError(f"not a synced table: {table}")
    found: set[str] = set()
    for index in conn.execute(f"PRAGMA index_list({table})").fetchall():
        found.update(
            str(r[2]) for r in conn.execute(f"PRAGMA index_info('{index[1]}')") if r[2] is not None
        )
    return frozenset(found)


def stage_unacked(conn: Connection, unacked: Iterable[bytes]) -> None:
    """Stage the uids with a local change waiting for the server (once per record type)."""
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_UNACKED} (uid BLOB PRIMARY KEY)")
    conn.execute(f"DELETE FROM temp.{_UNACKED}")
    conn.executemany(
        f"INSERT OR IGNORE INTO temp.{_UNACKED} (uid) VALUES (?)", ((u,) for u in unacked)
    )


def _in_columns(shape: Shape) -> str:
    return f"seq INTEGER PRIMARY KEY, {', '.join(shape.staged)}"


def _new_in(conn: Connection, shape: Shape) -> None:
    conn.execute(f"DROP TABLE IF EXISTS temp.{_IN}")
    conn.execute(f"CREATE TEMP TABLE {_IN} ({_in_columns(shape)})")


def stage(conn: Connection, shape: Shape, rows: list[tuple[object, ...]]) -> None:
    """Stage a window of rows built in Python (``(seq, *shape.staged)``)."""
    _new_in(conn, shape)
    marks = ", ".join("?" * (len(shape.staged) + 1))
    conn.executemany(f"INSERT INTO temp.{_IN} VALUES ({marks})", rows)


def _uid(expr: str) -> str:
    return f"unhex(replace({expr}, '-', ''))"


@functools.lru_cache(maxsize=16)
def _stage_sql(shape: Shape, target: str = f"temp.{_IN}") -> str:
    """The statement staging a window of JSON Lines given as one JSON array (see stage_lines).

    Each value is taken out once (a path look-up is what costs). A record SQLite could read
    otherwise than orjson (a repeated key: SQLite takes the first, orjson the last) or that is
    not a plain envelope is ``bad`` (it goes record by record): the envelope has six distinct
    members, data distinct ones, voided is null or two distinct members. Which fields are
    absent is looked up only when data has fewer members than the fields known (a line with an
    unknown member fails the package's checks, and nothing of it is kept)."""
    carried = (*shape.fields, *(r.field for r in shape.refs))
    known = (*carried, *shape.booleans)
    for name in known:
        if not _NAME.match(name):
            raise ValueError(f"not a plain field name: {name}")
    absent = " + ".join(
        f"((json_type(v, '$.data.{name}') IS NULL) << {i})" for i, name in enumerate(carried)
    )
    members = "SELECT count(*) << 16 | count(DISTINCT key) FROM json_each"
    bad = (
        f"(nt IS NOT {6 << 16 | 6} OR nd >> 16 IS NOT nd & 65535"
        " OR json_type(v, '$.data') IS NOT 'object'"
        " OR typeof(u) IS NOT 'blob' OR length(u) IS NOT 16"
        " OR typeof(t) IS NOT 'text' OR typeof(o) IS NOT 'text'"
        " OR CASE vt WHEN 'null' THEN 0"
        f" WHEN 'object' THEN ({members}(v, '$.voided')) IS NOT {2 << 16 | 2}"
        " OR json_type(v, '$.voided.at') IS NOT 'text'"
        " OR json_type(v, '$.voided.reason') IS NOT 'text' ELSE 1 END)"
    )
    values = [
        "k",
        "u",
        "t",
        bad,
        f"CASE WHEN nd >> 16 = {len(known)} THEN 0 ELSE {absent or '0'} END",
        "v ->> '$.version'",
        "o",
        "CASE vt WHEN 'object' THEN rtrim(replace(v ->> '$.voided.at', 'T', ' '), 'Z') END",
        "CASE vt WHEN 'object' THEN v ->> '$.voided.reason' END",
        *(f"v ->> '$.data.{name}'" for name in shape.fields),
        *(f"CASE WHEN v ->> '$.data.{name}' THEN 1 ELSE 0 END" for name in shape.booleans),
        *(_uid(f"v ->> '$.data.{r.field}'") for r in shape.refs),
    ]
    uid = _uid("v ->> '$.uid'")
    return (
        "WITH j AS NOT MATERIALIZED (SELECT key AS k, value AS v FROM jsonb_each(CAST(? AS TEXT))),"
        f" r AS MATERIALIZED (SELECT k, v, {uid} AS u, v ->> '$.type' AS t,"
        " v ->> '$.origin' AS o, json_type(v, '$.voided') AS vt,"
        f" ({members}(j.v)) AS nt, ({members}(j.v, '$.data')) AS nd FROM j)"
        f" INSERT INTO {target} (seq, {', '.join(shape.staged)}) SELECT {', '.join(values)} FROM r"
    )


def stage_lines(conn: Connection, shape: Shape, lines: list[bytes]) -> bool:
    """Stage a window of JSON Lines as they are: their bytes bound as one JSON array, parsed
    and taken apart by SQLite (no Python object per record). The rows are those ``stage`` takes
    from Python (``seq`` = position in the window). False (nothing staged) when the window is
    not an array of as many values as lines (a line that is not JSON): the caller sends the
    window record by record, where the line meets its error."""
    if shape.source != f"temp.{_IN}":  # a slot WindowRing.fill staged (``staged``)
        return True
    _new_in(conn, shape)
    blob = b"[" + b",".join(lines) + b"]"
    try:
        with savepoint(conn):
            cur = conn.execute(_stage_sql(shape), (blob,))
            if cur.rowcount != len(lines):
                raise _NotStaged
    except (sqlcipher3.Error, _NotStaged):  # not JSON, or too big for one value
        conn.execute(f"DELETE FROM temp.{_IN}")
        return False
    return True


class _NotStaged(Exception):
    pass


class WindowRing(StageDb):
    """Windows staged on a read-ahead thread (``app.store.stage_db``): ``slots`` tables per
    package type of ``shapes``, each filled by ``stage_lines``'s own statement; ``plan`` reads
    one through ``source``."""

    def __init__(self, conn: Connection, shapes: dict[str, Shape], slots: int) -> None:
        self.shapes = dict(shapes)
        super().__init__(  # a database per slot: one is read while the next is filled
            conn,
            *(
                {_slot(shape, slot): _in_columns(shape) for shape in self.shapes.values()}
                for slot in range(slots)
            ),
        )

    def fill(self, package_type: str, slot: int, blob: bytes, lines: int) -> bool:
        """Slot ``slot`` of ``package_type`` holds the staged rows of the window ``blob`` (its
        ``lines`` lines as one JSON array, read-ahead thread); False (slot left empty) when
        ``stage_lines`` would not stage it."""
        shape = self.shapes[package_type]
        table = _slot(shape, slot)
        return self.fill_table(table, _stage_sql(shape, table), (blob,), lines)

    def staged(self, package_type: str, slot: int) -> Shape:
        """The shape of ``package_type`` reading its window from slot ``slot`` (once ``fill``
        has staged it there: ``stage_lines`` then stages nothing, ``plan`` reads the slot)."""
        shape = self.shapes[package_type]
        return dataclasses.replace(shape, source=self.qualified(_slot(shape, slot)))


def _slot(shape: Shape, slot: int) -> str:
    return f"{shape.table}_{slot}"


def plan(conn: Connection, shape: Shape) -> tuple[int, int]:
    """Choose the plain records of the window staged in ``shape.source`` (``temp.sync_fast_in``,
    or a slot of a ``WindowRing``): (to write, unchanged)."""
    return _plan(conn, shape)


def with_facts(conn: Connection, shape: Shape) -> Shape:
    """``shape`` with its table's UNIQUE and indexed columns looked up once (for the windows of
    one apply: the schema does not change meanwhile, and a PRAGMA waits for the read-ahead
    thread's statement, see ``stage_db.StageDb``)."""
    facts = (unique_columns(conn, shape.table), indexed_columns(conn, shape.table))
    return dataclasses.replace(shape, facts=facts)


def _facts(conn: Connection, shape: Shape) -> tuple[frozenset[str] | None, frozenset[str]]:
    if shape.facts is not None:
        return shape.facts
    return unique_columns(conn, shape.table), indexed_columns(conn, shape.table)


def _plan(conn: Connection, shape: Shape) -> tuple[int, int]:
    table, source = shape.table, shape.source
    unique, indexed = _facts(conn, shape)
    bit = {name: 1 << i for i, name in enumerate((*shape.fields, *(r.field for r in shape.refs)))}
    conditions = [
        "NOT s.bad",
        "s.type = ?",
        "typeof(s.version) = 'text'",
        f"s.uid IN (SELECT uid FROM {source} GROUP BY uid HAVING count(*) = 1)",
        f"s.uid NOT IN (SELECT uid FROM temp.{_UNACKED})",
    ]
    for name in sorted((unique or frozenset()) & set(shape.fields)) + list(shape.fixed):
        conditions.append(f"(s.absent & {bit[name]} OR s.{name} IS t.{name})")
    new: dict[str, str] = {c: f"s.{c}" for c in (*ENVELOPE, *shape.booleans)}
    for name in shape.fields:
        new[name] = f"CASE WHEN s.absent & {bit[name]} THEN t.{name} ELSE s.{name} END"
    joins = []
    for k, r in enumerate(shape.refs):  # one look-up per reference (a LEFT JOIN by uid)
        joins.append(f" LEFT JOIN {r.table} r{k} ON r{k}.uid = s.{r.field}")
        found = f"r{k}.id"
        absent = f"s.absent & {bit[r.field]}"
        conditions.append(f"({absent} OR s.{r.field} IS NULL OR {found} IS NOT NULL)")
        new[r.column] = (
            f"CASE WHEN {absent} THEN t.{r.column} WHEN s.{r.field} IS NULL THEN NULL"
            f" ELSE {found} END"
        )
    columns = shape.columns
    watched = [c for c in columns if c in indexed]
    inner = ", ".join(
        [f"{new[c]} AS n_{c}" for c in columns] + [f"t.{c} AS o_{c}" for c in watched]
    )
    signature = " + ".join(f"((n_{c} IS NOT o_{c}) << {i})" for i, c in enumerate(watched)) or "0"
    name = prepare_plan(conn, shape)
    conn.execute(f"DELETE FROM temp.{name}")
    if unique is None:  # which values a UNIQUE constraint covers is not known: none is plain
        return 0, 0
    conn.execute(
        # the stored rows found by uid first (from the uid index alone), then read once each,
        # in row-id order (CROSS JOIN: that order)
        f"WITH k AS MATERIALIZED (SELECT t.id AS row_id, s.seq AS seq FROM {source} s"
        f" JOIN {table} t ON t.uid = s.uid ORDER BY t.id)"
        f" INSERT INTO temp.{name} (row_id, seq, newer, sig, {', '.join(columns)})"
        f" SELECT row_id, seq, newer, {signature}, {', '.join(f'n_{c}' for c in columns)} FROM"
        f" (SELECT t.id AS row_id, s.seq AS seq, s.version > t.version AS newer, {inner}"
        f" FROM k CROSS JOIN {source} s ON s.seq = k.seq CROSS JOIN {table} t ON t.id = k.row_id"
        f"{''.join(joins)} WHERE {' AND '.join(conditions)})",
        (shape.package_type,),
    )
    row = conn.execute(f"SELECT coalesce(sum(newer), 0), count(*) FROM temp.{name}").fetchone()
    return int(row[0]), int(row[1]) - int(row[0])


def _plan_table(shape: Shape) -> str:
    return f"{_PLAN}_{shape.table}"


def prepare_plan(conn: Connection, shape: Shape) -> str:
    """The TEMP table ``plan`` fills for ``shape`` (created once per record type: the statements
    of every window are then prepared once, see ``stage_db.StageDb`` about parts)."""
    name = _plan_table(shape)
    conn.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {name} (row_id INTEGER PRIMARY KEY,"
        f" seq INTEGER NOT NULL, newer INTEGER NOT NULL, sig INTEGER NOT NULL,"
        f" {', '.join(shape.columns)})"
    )
    return name


def planned_seqs(conn: Connection, shape: Shape) -> set[int]:
    return {int(r[0]) for r in conn.execute(f"SELECT seq FROM temp.{_plan_table(shape)}")}


def write(conn: Connection, shape: Shape) -> bool:
    """Write the planned newer records: True, or False (nothing written) when a constraint
    refuses one of them, so that the caller sends the window record by record."""
    table = shape.table
    indexed = _facts(conn, shape)[1]
    columns = shape.columns
    plain = [c for c in columns if c not in indexed]
    watched = [c for c in columns if c in indexed]
    name = _plan_table(shape)
    sigs = [int(r[0]) for r in conn.execute(f"SELECT DISTINCT sig FROM temp.{name} WHERE newer")]
    groups: list[tuple[list[str], str, tuple[int, ...]]] = []
    if len(sigs) > MAX_SIGNATURES:
        groups.append(([*plain, *watched], "", ()))
    else:
        for sig in sigs:
            changed = [c for i, c in enumerate(watched) if sig >> i & 1]
            groups.append(([*plain, *changed], " AND sig = ?", (sig,)))
    try:
        with savepoint(conn):
            for cols, where, params in groups:
                conn.execute(_update_sql(table, name, tuple(cols), where), params)
    except sqlcipher3.IntegrityError:
        return False
    return True


def _update_sql(table: str, plan_table: str, cols: tuple[str, ...], where: str) -> str:
    return (
        f"UPDATE {table} SET ({', '.join(cols)}) = (SELECT {', '.join(f'p.{c}' for c in cols)}"
        f" FROM temp.{plan_table} p WHERE p.row_id = {table}.id) WHERE id IN"
        f" (SELECT row_id FROM temp.{plan_table} WHERE newer{where})"
    )


def warm(conn: Connection, shapes: Iterable[Shape]) -> None:
    """Run the statements of ``plan``, ``planned_seqs`` and ``write`` (the update of the columns
    no index holds) once over each of ``shapes``, whose windows are empty (the slots of a new
    ``WindowRing``): nothing is planned or written, and the statements are prepared before the
    read-ahead thread starts filling slots (see ``stage_db.StageDb`` about parts)."""
    for shape in shapes:
        name = prepare_plan(conn, shape)
        if _plan(conn, shape) != (0, 0):
            raise ValueError("warm: the window is not empty")
        planned_seqs(conn, shape)
        indexed = _facts(conn, shape)[1]
        plain = tuple(c for c in shape.columns if c not in indexed)
        conn.execute(f"SELECT DISTINCT sig FROM temp.{name} WHERE newer").fetchall()
        with savepoint(conn):
            conn.execute(_update_sql(shape.table, name, plain, " AND sig = ?"), (0,))


def drop(conn: Connection) -> None:
    plans = conn.execute(
        "SELECT name FROM temp.sqlite_master WHERE type = 'table' AND name LIKE ?", (f"{_PLAN}_%",)
    ).fetchall()
    for name in (_IN, _UNACKED, *(str(r[0]) for r in plans)):
        conn.execute(f"DROP TABLE IF EXISTS temp.{name}")
