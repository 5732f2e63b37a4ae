"""Package lines written when a change is queued (migration 0009), so that an export reads the
waiting lines in one ordered pass instead of the changed rows at random.

A line is what ``sync_lines.json_lines`` would build for the row at that moment (the same SQL
expression, with this terminal's party id read from ``sync_identity``). It is stored only when it
passed the caller's ``check`` (the package schema check, done here once at queue time), with a MAC
(migration 0010): keyed BLAKE2b over the line's bytes, bound to the record type (the key of that
type is derived from the register's line key), the record's uid (salt), the outbox entry and the
line key (personalisation). The line key is 32 random bytes kept in this encrypted register.

The export sends a stored line as it is (no parsing, no second schema check) only when all of
these hold, else it reads the row and checks its line in full, as before:

- its MAC matches (a line stored without passing the check has none);
- it was written with the record's latest waiting outbox entry (``outbox_id``);
- its ``shape_key`` is the key of the line SQL of today's table and shape (and SQLite version);
- every invalidating trigger of migration 0009 is in place (each write to the row after the line
  was written deleted it; see the migration for the rest).

The export's reading of the stored lines (the waiting entries, the lines in batches read ahead,
the second connection they are read on) is in ``stored_line_reader``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import struct
from collections.abc import Callable
from typing import Final, Protocol

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
#: ``meta`` key: the last outbox id put in a package (lines up to it are no longer used).
SENT_KEY: Final = "outbox_lines_sent"
#: Lines of packaged changes deleted with each line stored (see ``forget_packaged``; each costs
#: about 65 µs at 1,000,000 persons: a page read, overwritten and written).
CLEAN_EACH: Final = 1
MAC_SIZE: Final = 16
_MAC_PERSON: Final = struct.Struct(">qq")  # (outbox id, line key)
_TYPE_KEY_PERSON: Final = b"vaxdesk-line-mac"


class LineCheck(Protocol):
    """The queue path's check of a line (True: the line may be sent as it is). ``tag`` names
    the rules it applies (the schemas): a line checked by other rules (an older app) does not
    verify."""

    tag: bytes

    def __call__(self, line: bytes, /) -> bool: ...


#: (uid, outbox id, line, MAC) → True when the MAC is the one the checked queue path made.
Verify = Callable[[bytes, int, bytes | memoryview, bytes | None], bool]

_STATEMENTS: dict[tuple[LineShape, LineShape | None], tuple[str, int, str]] = {}
_TYPE_KEYS: dict[tuple[bytes, str, bytes], bytes] = {}


def _statement(
    conn: Connection, shape: LineShape, alternate: LineShape | None
) -> tuple[str, int, str]:
    """(SELECT of the line of the row of parameter :uid and of the register's line key, the
    line's key, the line SQL ``<line> FROM …`` the key is made of)."""
    found = _STATEMENTS.get((shape, alternate))
    if found is not None:
        return found
    if shape.record_type == "person_number" or shape.record_type not in RECORD_TABLES:
        raise ValueError("no stored lines for this record type")
    table = RECORD_TABLES[shape.record_type]
    line, _flag, joins = line_expression(conn, shape, alternate, party="si.party_id", narrow=False)
    tables = f"FROM {table} t JOIN sync_identity si ON si.id = 1" + "".join(joins)
    source = f"CAST({line} AS BLOB) {tables}"
    digest = hashlib.blake2b(
        f"{sqlcipher3.sqlite_version}\x00{source}".encode(), digest_size=8
    ).digest()
    key = int.from_bytes(digest, "big", signed=True)
    sql = (
        f"SELECT CAST({line} AS BLOB), (SELECT key FROM outbox_line_key WHERE id = 1)"
        f" {tables} WHERE t.uid = :uid"
    )
    _STATEMENTS[(shape, alternate)] = (sql, key, source)
    return sql, key, source


def line_key(conn: Connection, shape: LineShape, alternate: LineShape | None = None) -> int:
    """The key of lines written today for ``shape`` (and its ``alternate`` rows)."""
    return _statement(conn, shape, alternate)[1]


def _register_key(conn: Connection, *, create: bool) -> bytes | None:
    """The register's line key; made (32 random bytes) when ``create`` and there is none yet
    (inside the caller's write transaction)."""
    row = conn.execute("SELECT key FROM outbox_line_key WHERE id = 1").fetchone()
    if row is not None:
        return bytes(row[0])
    if not create:
        return None
    key = secrets.token_bytes(32)
    conn.execute("INSERT INTO outbox_line_key (id, key) VALUES (1, ?)", (key,))
    return key


def _type_key(register_key: bytes, record_type: str, tag: bytes) -> bytes:
    """The MAC key of lines of ``record_type`` checked by the rules named ``tag``."""
    found = _TYPE_KEYS.get((register_key, record_type, tag))
    if found is None:
        found = hashlib.blake2b(
            len(record_type).to_bytes(2, "big") + record_type.encode() + tag,
            key=register_key,
            digest_size=32,
            person=_TYPE_KEY_PERSON,
        ).digest()
        if len(_TYPE_KEYS) >= 64:
            _TYPE_KEYS.clear()
        _TYPE_KEYS[(register_key, record_type, tag)] = found
    return found


def _mac(type_key: bytes, uid: bytes, outbox_id: int, shape_key: int, line: bytes) -> bytes:
    return hashlib.blake2b(
        line,
        key=type_key,
        digest_size=MAC_SIZE,
        salt=uid,
        person=_MAC_PERSON.pack(outbox_id, shape_key),
    ).digest()


def verifier(conn: Connection, record_type: str, shape_key: int, tag: bytes) -> Verify | None:
    """The MAC check of stored lines of ``record_type`` with line key ``shape_key`` checked by
    the rules named ``tag``; None when the register has no line key (then no stored line is
    trusted)."""
    register_key = _register_key(conn, create=False)
    if register_key is None:
        return None
    type_key = _type_key(register_key, record_type, tag)
    blake2b, person, equal = hashlib.blake2b, _MAC_PERSON.pack, hmac.compare_digest

    def verify(uid: bytes, outbox_id: int, line: bytes | memoryview, mac: bytes | None) -> bool:
        if mac is None or len(uid) != 16:
            return False
        made = blake2b(
            line,
            key=type_key,
            digest_size=MAC_SIZE,
            salt=uid,
            person=person(outbox_id, shape_key),
        ).digest()
        return equal(made, mac)

    return verify


def store(
    conn: Connection,
    outbox_id: int,
    uid: bytes,
    shape: LineShape,
    alternate: LineShape | None = None,
    *,
    check: LineCheck | None = None,
) -> None:
    """Write the line of record ``uid`` as it is now, for outbox entry ``outbox_id`` (inside the
    caller's transaction), with its MAC, when it passes ``check``. A line that does not (or
    without ``check``), or a row that JSON cannot carry (a blob outside the uid columns), gets no
    line: the export reads the row, checks its line and refuses it if it is malformed."""
    sql, shape_key, _source = _statement(conn, shape, alternate)
    try:
        row = conn.execute(sql, {"uid": uid}).fetchone()
    except sqlcipher3.OperationalError as exc:
        if "JSON cannot hold BLOB" not in str(exc):
            raise
        row = None
    line = None if row is None or row[0] is None else bytes(row[0])
    if line is None or check is None or len(uid) != 16 or not check(line):
        conn.execute(
            "DELETE FROM outbox_lines WHERE record_type = ? AND record_uid = ?",
            (shape.record_type, uid),
        )
    else:
        register_key = _register_key(conn, create=True) if row[1] is None else bytes(row[1])
        assert register_key is not None
        type_key = _type_key(register_key, shape.record_type, check.tag)
        mac = _mac(type_key, uid, outbox_id, shape_key, line)
        conn.execute(
            "INSERT OR REPLACE INTO outbox_lines"
            " (outbox_id, record_type, record_uid, shape_key, line, mac)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (outbox_id, shape.record_type, uid, shape_key, line, mac),
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
