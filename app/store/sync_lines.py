"""The export's read of changed records: which rows wait (one ordered pass per record type) and
their package lines, each built by SQLite as one JSON text (``json_object`` in C) instead of a
Python tuple, dict and ``orjson`` call per row.

What goes into a line is decided by the service (``_sync_records.line_shape``: which fields, which
are booleans, renamed, or ``"-"`` when empty); the rules of the envelope itself mirror
``_sync_records.to_envelope`` exactly (tests compare the two on every record type):

- ``uid`` and a foreign key to another record's uid: the canonical UUID text (lowercase, dashed);
- ``origin``: the stored origin when it is a party id, else this terminal's party id;
- ``version``: the stored version, its origin part replaced by this terminal's party id when that
  part is not a party id (older registers, test data);
- ``voided``: null, or ``{"at": RFC 3339 UTC, "reason": reason or "-"}``;
- null columns travel as null.

Lines are not checked here: the package layer validates every line against its schema before it
is written (a malformed stored record refuses the export with ``E_RECORD_SCHEMA``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Final

from app.store.db import Connection
from app.store.sync_outbox import FOREIGN_KEYS, RECORD_TABLES, table_columns

VALUE: Final = "value"  # the stored value (a uid as its text)
BOOL: Final = "bool"  # true/false (null is false)
DASH: Final = "dash"  # the stored text, "-" when null or empty
BATCH: Final = 4096
_NAME = re.compile(r"^[a-z_][a-z0-9_]*\Z")


@dataclass(frozen=True, slots=True)
class LineField:
    key: str  # name in the envelope's data
    source: str  # name of the read value (a column, or a foreign key's name: ``person_uid``)
    kind: str = VALUE


@dataclass(frozen=True, slots=True)
class LineShape:
    record_type: str  # register record type (the table)
    package_type: str  # the envelope's ``type``
    fields: tuple[LineField, ...]


class UnexportableValue(ValueError):
    """A stored value that JSON cannot carry (a blob outside the uid columns)."""


def pending_types(conn: Connection, up_to_id: int) -> list[str]:
    """Record types with waiting changes (outbox rows up to ``up_to_id``)."""
    rows = conn.execute(
        "SELECT DISTINCT record_type FROM outbox WHERE acked = 0 AND package_seq IS NULL"
        " AND id <= ?",
        (up_to_id,),
    ).fetchall()
    return [str(r[0]) for r in rows]


def pending_row_ids(
    conn: Connection, record_type: str, up_to_id: int
) -> tuple[list[int], set[bytes]]:
    """Row ids, ascending, of the waiting records of ``record_type``, and their uids (the set
    of changes to send: ``json_lines`` gives each row's uid to check it against).

    Entries with the row id (migration 0007) need no look-up; older entries are looked up by
    uid in one statement answered from the uid index alone, in uid order."""
    where = "acked = 0 AND package_seq IS NULL AND record_type = ? AND id <= ?"
    entries = conn.execute(
        f"SELECT record_id, record_uid FROM outbox WHERE {where}", (record_type, up_to_id)
    ).fetchall()
    uids: set[bytes] = {bytes(r[1]) for r in entries}
    ids: set[int] = {int(r[0]) for r in entries if r[0] is not None}
    table = RECORD_TABLES[record_type]
    found = conn.execute(
        f"SELECT t.id FROM {table} t WHERE t.uid IN (SELECT record_uid FROM outbox"
        f" WHERE {where} AND record_id IS NULL)",
        (record_type, up_to_id),
    ).fetchall()
    ids.update(int(r[0]) for r in found)
    return sorted(ids), uids


def pending_uids(conn: Connection, record_type: str, up_to_id: int) -> list[bytes]:
    """Uids, in queue order, of the waiting outbox entries of ``record_type`` (for record types
    with no register table of their own: retention purges)."""
    rows = conn.execute(
        "SELECT record_uid FROM outbox WHERE acked = 0 AND package_seq IS NULL"
        " AND record_type = ? AND id <= ? ORDER BY id",
        (record_type, up_to_id),
    ).fetchall()
    return [bytes(r[0]) for r in rows]


def row_ids_of(conn: Connection, record_type: str, uids: Iterable[bytes]) -> list[int]:
    """Row ids, ascending, of the records ``uids`` that exist."""
    table = RECORD_TABLES[record_type]
    rows = conn.execute(
        f"SELECT t.id FROM {table} t WHERE t.uid IN"
        " (SELECT unhex(value) FROM json_each(?)) ORDER BY t.id",
        (json.dumps([uid.hex() for uid in uids]),),
    ).fetchall()
    return [int(r[0]) for r in rows]


def _uid_text(expr: str) -> str:
    """The canonical text of a 16-byte uid: each group's bytes hexed on their own and one lower()
    (hexing the whole uid once per group cost three times as much)."""
    groups = "||'-'||".join(
        f"hex(substr({expr}, {start}, {length}))"
        for start, length in ((1, 4), (5, 2), (7, 2), (9, 2), (11, 6))
    )
    return f"CASE WHEN {expr} IS NULL THEN NULL ELSE lower({groups}) END"


def _is_party(expr: str) -> str:
    """``^[0-9]{6}-[A-Z0-9]{1,16}$`` (_sync_records._PARTY) in SQL (GLOB is case-sensitive)."""
    return (
        f"({expr} GLOB '[0-9][0-9][0-9][0-9][0-9][0-9]-?*'"
        f" AND substr({expr}, 8) NOT GLOB '*[^A-Z0-9]*' AND length({expr}) <= 23)"
    )


def _sources(
    conn: Connection, table: str, *, narrow: bool = True
) -> tuple[dict[str, tuple[str, bool]], dict[str, str]]:
    """Read name → (SQL expression, is a uid), and the join of each foreign key by its alias
    (``narrow``: a referenced uid from the table's (id, uid) index where there is one)."""
    fks = FOREIGN_KEYS.get(table, {})
    sources: dict[str, tuple[str, bool]] = {}
    joins: dict[str, str] = {}
    indexes: set[str] = set()
    if narrow:
        indexes = {
            str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        }
    for i, col in enumerate(table_columns(conn, table)):
        if col in fks:
            ref_type, ref_col, out = fks[col]
            alias = f"f{i}"
            ref_table = RECORD_TABLES[ref_type]
            index = f"{ref_table}_id_uid"  # (id, uid): the uid without reading the row
            via = f" INDEXED BY {index}" if ref_col == "uid" and index in indexes else ""
            joins[alias] = f" LEFT JOIN {ref_table} AS {alias}{via} ON {alias}.id = t.{col}"
            sources[out] = (f"{alias}.{ref_col}", ref_col == "uid")
        else:
            sources[col] = (f"t.{col}", col == "uid")
    return sources, joins


def _envelope(
    conn: Connection, shape: LineShape, *, party: str = ":party", narrow: bool = True
) -> tuple[str, list[str]]:
    """The SQL expression of a ``shape`` line and the joins it needs; ``party`` is the SQL
    expression of this terminal's party id (by default parameter :party)."""
    if not _NAME.match(shape.package_type):
        raise ValueError("not a record type")
    table = RECORD_TABLES[shape.record_type]
    sources, all_joins = _sources(conn, table, narrow=narrow)
    members: list[str] = []
    used: set[str] = set()
    for field in shape.fields:
        if not _NAME.match(field.key) or field.source not in sources:
            raise ValueError(f"not an exportable field: {field.key}")
        expr, is_uid = sources[field.source]
        used.add(expr.split(".")[0])
        if field.kind == BOOL:
            value = f"CASE WHEN {expr} THEN json('true') ELSE json('false') END"
        elif field.kind == DASH:
            value = f"coalesce(nullif({expr}, ''), '-')"
        elif is_uid:
            value = _uid_text(expr)
        else:
            value = expr
        members.append(f"'{field.key}', {value}")
    joins = [sql for alias, sql in all_joins.items() if alias in used]
    version, voided_at = "t.version", "t.voided_at"
    reason = "coalesce(nullif(t.void_reason, ''), '-')"
    at = (
        f"CASE WHEN substr({voided_at}, 11, 1) IN (' ', 'T') THEN substr({voided_at}, 1, 10)"
        f" || 'T' || substr({voided_at}, 12, 8) || 'Z' ELSE {voided_at} END"
    )
    # The envelope around the data object is concatenated, each value through json_quote: an
    # outer json_object would parse the data object again.
    envelope = " || ".join(
        (
            f'\'{{"type":"{shape.package_type}","uid":\'',
            f"json_quote({_uid_text('t.uid')})",
            "',\"version\":'",
            f"json_quote(CASE WHEN substr({version}, 20, 1) = '.' AND length({version}) > 20"
            f" AND NOT {_is_party(f'substr({version}, 21)')}"
            f" THEN substr({version}, 1, 19) || '.' || {party} ELSE {version} END)",
            "',\"origin\":'",
            f"json_quote(CASE WHEN {_is_party('t.origin')} THEN t.origin ELSE {party} END)",
            "',\"voided\":'",
            f"CASE WHEN {voided_at} IS NULL THEN 'null'"
            f" ELSE json_object('at', {at}, 'reason', {reason}) END",
            "',\"data\":'",
            f"json_object({', '.join(members)})",
            "'}'",
        )
    )
    return envelope, joins


#: Rows of a record type that travel as another package type, read in the same pass.
ALTERNATES: Final = {("vaccination", "postponement"): "t.outcome = 'postponed'"}


def line_expression(
    conn: Connection,
    shape: LineShape,
    alternate: LineShape | None = None,
    *,
    party: str = ":party",
    narrow: bool = True,
) -> tuple[str, str, list[str]]:
    """(line expression, alternate-row flag expression, joins) of rows ``t`` of ``shape`` (an
    ``alternate`` row's line in its own shape); see ``_envelope``."""
    line, joins = _envelope(conn, shape, party=party, narrow=narrow)
    flag = "0"
    if alternate is not None:
        flag = ALTERNATES[(alternate.record_type, alternate.package_type)]
        if alternate.record_type != shape.record_type:
            raise ValueError("an alternate shape reads the same rows")
        other, more = _envelope(conn, alternate, party=party, narrow=narrow)
        line = f"CASE WHEN {flag} THEN {other} ELSE {line} END"
        joins += [j for j in more if j not in joins]
    return line, flag, joins


def line_sql(conn: Connection, shape: LineShape, alternate: LineShape | None = None) -> str:
    """The ``SELECT`` of (row id, 1 for an ``alternate`` row else 0, uid, line) of the rows of
    parameter :ids (a JSON array), ascending; :party is this terminal's party id."""
    table = RECORD_TABLES[shape.record_type]
    line, flag, joins = line_expression(conn, shape, alternate)
    return (
        f"SELECT t.id, {flag}, t.uid, CAST({line} AS BLOB) FROM {table} t{''.join(joins)}"
        " WHERE t.id IN (SELECT value FROM json_each(:ids)) ORDER BY t.id"
    )


def json_lines(
    conn: Connection,
    shape: LineShape,
    ids: list[int],
    party_id: str,
    *,
    alternate: LineShape | None = None,
    batch: int = BATCH,
) -> Iterator[tuple[int, int, bytes, bytes]]:
    """(row id, 1 when the row is an ``alternate`` row, uid, its package line without the
    newline) of each row of ``ids`` (ascending), in that order.

    The rows are read in batches, the next one on a worker thread while the caller consumes the
    current one (SQLite releases the GIL while it steps, so reading, building and decrypting
    overlap the caller's encoding and checking). Only that thread uses ``conn`` meanwhile; it is
    done before this generator finishes or is closed."""
    sql = line_sql(conn, shape, alternate)

    def fetch(part: list[int]) -> list[tuple[int, int, bytes, bytes]]:
        try:
            rows: list[tuple[int, int, bytes, bytes]] = conn.execute(
                sql, {"party": party_id, "ids": json.dumps(part)}
            ).fetchall()
        except Exception as exc:  # a blob outside the uid columns: JSON cannot hold it
            if "JSON cannot hold BLOB" in str(exc):
                raise UnexportableValue(shape.package_type) from None
            raise
        return rows

    parts = [ids[start : start + batch] for start in range(0, len(ids), batch)]
    if len(parts) <= 1:
        for part in parts:
            yield from fetch(part)
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="export-read") as pool:
        ahead = pool.submit(fetch, parts[0])
        for index in range(len(parts)):
            rows = ahead.result()
            if index + 1 < len(parts):
                ahead = pool.submit(fetch, parts[index + 1])
            yield from rows
