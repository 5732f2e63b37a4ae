"""Package lines written when a change is queued (migration 0009), so that an export reads the
waiting lines in one ordered pass instead of the changed rows at random.

A line is what ``sync_lines.json_lines`` would build for the row at that moment (the same SQL
expression, with this terminal's party id read from ``sync_identity``). It is used by an export
only when all of these hold, else the export reads the row as before:

- it was written with the record's latest waiting outbox entry (``outbox_id``);
- its ``shape_key`` is the key of the line SQL of today's table and shape (and SQLite version);
- every invalidating trigger of migration 0009 is in place (each write to the row after the line
  was written deleted it; see the migration for the rest).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Final

import sqlcipher3

from app.store.db import Connection
from app.store.sync_lines import LineShape, line_expression
from app.store.sync_outbox import RECORD_TABLES

_REFERENCED: Final = ("households", "persons", "institutions", "issuances", "vaccines")
#: The triggers that keep stored lines from going stale (migration 0009).
TRIGGERS: Final = frozenset(
    {f"outbox_lines_{t}_{w}" for t in RECORD_TABLES.values() for w in ("update", "delete")}
    - {"outbox_lines_person_numbers_update", "outbox_lines_person_numbers_delete"}
    | {f"outbox_lines_{t}_ref" for t in _REFERENCED}
    | {"outbox_lines_lots_uid", "outbox_lines_vaccinations_uid"}
    | {f"outbox_lines_identity_{w}" for w in ("insert", "update", "delete")}
)
FETCH: Final = 4096
#: ``meta`` key: the last outbox id put in a package (lines up to it are no longer used).
SENT_KEY: Final = "outbox_lines_sent"
#: Lines of packaged changes deleted with each line stored (see ``forget_packaged``; each costs
#: about 65 µs at 1,000,000 persons: a page read, overwritten and written).
CLEAN_EACH: Final = 1

_STATEMENTS: dict[tuple[LineShape, LineShape | None], tuple[str, int]] = {}


def _statement(conn: Connection, shape: LineShape, alternate: LineShape | None) -> tuple[str, int]:
    """(INSERT of the line of the row of parameter :uid with parameter :outbox_id, its key)."""
    found = _STATEMENTS.get((shape, alternate))
    if found is not None:
        return found
    if shape.record_type == "person_number" or shape.record_type not in RECORD_TABLES:
        raise ValueError("no stored lines for this record type")
    table = RECORD_TABLES[shape.record_type]
    line, _flag, joins = line_expression(conn, shape, alternate, party="si.party_id", narrow=False)
    source = f"CAST({line} AS BLOB) FROM {table} t JOIN sync_identity si ON si.id = 1" + "".join(
        joins
    )
    digest = hashlib.blake2b(
        f"{sqlcipher3.sqlite_version}\x00{source}".encode(), digest_size=8
    ).digest()
    key = int.from_bytes(digest, "big", signed=True)
    sql = (
        "INSERT OR REPLACE INTO outbox_lines"
        " (outbox_id, record_type, record_uid, shape_key, line)"
        f" SELECT :outbox_id, '{shape.record_type}', t.uid, {key}, {source} WHERE t.uid = :uid"
    )
    _STATEMENTS[(shape, alternate)] = (sql, key)
    return sql, key


def line_key(conn: Connection, shape: LineShape, alternate: LineShape | None = None) -> int:
    """The key of lines written today for ``shape`` (and its ``alternate`` rows)."""
    return _statement(conn, shape, alternate)[1]


def store(
    conn: Connection,
    outbox_id: int,
    uid: bytes,
    shape: LineShape,
    alternate: LineShape | None = None,
) -> None:
    """Write the line of record ``uid`` as it is now, for outbox entry ``outbox_id`` (inside the
    caller's transaction). A row that JSON cannot carry (a blob outside the uid columns) gets no
    line: the export reads it and refuses it, as for any malformed stored record."""
    sql, _key = _statement(conn, shape, alternate)
    try:
        conn.execute(sql, {"outbox_id": outbox_id, "uid": uid})
    except sqlcipher3.OperationalError as exc:
        if "JSON cannot hold BLOB" not in str(exc):
            raise
        conn.execute(
            "DELETE FROM outbox_lines WHERE record_type = ? AND record_uid = ?",
            (shape.record_type, uid),
        )
    conn.execute(
        "DELETE FROM outbox_lines WHERE record_type = :type AND outbox_id IN"
        " (SELECT outbox_id FROM outbox_lines WHERE record_type = :type AND outbox_id <="
        " (SELECT CAST(value AS INTEGER) FROM meta WHERE key = :sent) ORDER BY outbox_id"
        " LIMIT :n)",
        {"type": shape.record_type, "sent": SENT_KEY, "n": CLEAN_EACH},
    )


def triggers_in_place(conn: Connection) -> bool:
    """True when every trigger that deletes stale lines exists."""
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'outbox_lines_%'"
    ).fetchall()
    return {str(r[0]) for r in rows} >= TRIGGERS


def latest_pending(
    conn: Connection, record_type: str, up_to_id: int
) -> dict[bytes, tuple[int, int | None]]:
    """uid → (outbox id, row id or None) of the latest waiting entry of each record of
    ``record_type`` up to outbox id ``up_to_id``."""
    cur = conn.execute(
        "SELECT record_uid, id, record_id FROM outbox WHERE acked = 0 AND package_seq IS NULL"
        " AND record_type = ? AND id <= ? ORDER BY id",
        (record_type, up_to_id),
    )
    return {uid: (outbox_id, row_id) for uid, outbox_id, row_id in cur}


def stored(conn: Connection, record_type: str) -> Iterator[tuple[bytes, int, int, bytes]]:
    """(uid, outbox id, shape key, line) of every stored line of ``record_type``, in queue order
    (the table's order: each page read once).

    The next batch is read on a worker thread while the caller consumes the current one (SQLite
    releases the GIL while it steps, so reading and decrypting overlap the caller's checking).
    Only that thread uses ``conn`` meanwhile; it is done before this generator finishes or is
    closed."""
    cur = conn.execute(
        "SELECT record_uid, outbox_id, shape_key, line FROM outbox_lines"
        " INDEXED BY outbox_lines_type WHERE record_type = ? ORDER BY outbox_id",
        (record_type,),
    )
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="export-lines") as pool:
        ahead = pool.submit(cur.fetchmany, FETCH)
        while True:
            rows = ahead.result()
            if not rows:
                return
            ahead = pool.submit(cur.fetchmany, FETCH)
            yield from rows


def forget_packaged(conn: Connection, up_to_id: int) -> None:
    """The entries up to outbox id ``up_to_id`` were just put in a package: their lines are no
    longer used (an export uses only the lines of waiting entries) and are deleted one at a
    time as later changes of the same record type store theirs (``CLEAN_EACH``), or at once by
    a later write to their rows: at most about one export's worth of them is kept. Deleting
    them here would cost the export as much as reading them again: deleted content is
    overwritten (``secure_delete``) and written to the journal."""
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (:key, :id) ON CONFLICT (key) DO UPDATE"
        " SET value = max(CAST(value AS INTEGER), excluded.value)",
        {"key": SENT_KEY, "id": up_to_id},
    )
