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
"""

from __future__ import annotations

import hashlib
import hmac
import queue
import secrets
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Final, Protocol

import sqlcipher3

from app.errors import RegisterError
from app.store import db
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
#: Batches of stored lines read ahead of the export (``StoredLines``): about 4 MB each.
AHEAD: Final = 6
#: Page cache of the second connection that reads the stored lines (``snapshot_reader``): each
#: page is read once, in order.
READER_CACHE_MIB: Final = 8
#: ``meta`` key: the last outbox id put in a package (lines up to it are no longer used).
SENT_KEY: Final = "outbox_lines_sent"
#: Lines of packaged changes deleted with each line stored (see ``forget_packaged``; each costs
#: about 65 µs at 1,000,000 persons: a page read, overwritten and written).
CLEAN_EACH: Final = 1
MAC_SIZE: Final = 16
_MAC_PERSON: Final = struct.Struct(">qq")  # (outbox id, line key)
_TYPE_KEY_PERSON: Final = b"vaxdesk-line-mac"
#: uids and MACs, 16 bytes each, cut from SQLite's concatenation of them in C
_SIXTEEN: Final = struct.Struct("16s")


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


def latest_pending(
    conn: Connection, record_type: str, up_to_id: int
) -> dict[bytes, tuple[int, int | None]]:
    """uid → (outbox id, row id or None) of the latest waiting entry of each record of
    ``record_type`` up to outbox id ``up_to_id``. Read in one step (SQLite concatenates, without
    the GIL: a row at a time, each row would wait for the GIL while another thread runs Python)
    when every uid is a 16-byte blob and every row id an integer or NULL; else row by row."""
    params = (record_type, up_to_id)
    row = conn.execute(_LATEST_SQL, params).fetchone()
    count = int(row[0])
    if count == 0:
        return {}
    if row[1] != count:
        cur = conn.execute(
            "SELECT record_uid, id, record_id FROM outbox WHERE acked = 0 AND package_seq IS NULL"
            " AND record_type = ? AND id <= ? ORDER BY id",
            params,
        )
        return {uid: (outbox_id, row_id) for uid, outbox_id, row_id in cur}
    joined = bytes(row[3])
    if len(joined) != 16 * count:
        raise RegisterError("送信待ちの変更を読み取れませんでした。")
    uids = [uid for (uid,) in _SIXTEEN.iter_unpack(joined)]
    ids = list(map(int, str(row[2]).split(",")))
    given = str(row[4]).split(",")
    try:  # every entry with its row id (each one since migration 0007)
        row_ids: list[int | None] = list(map(int, given))
    except ValueError:
        row_ids = [int(i) if i else None for i in given]
    if len(uids) != count or len(ids) != count or len(row_ids) != count:
        raise RegisterError("送信待ちの変更を読み取れませんでした。")
    return dict(zip(uids, zip(ids, row_ids, strict=True), strict=True))  # later ids win


# The waiting entries in queue order, in one step (``latest_pending``); the aggregates see the
# same rows in the same order. The second column counts the rows the concatenation can carry.
_LATEST_SQL: Final = (
    "SELECT count(*), sum(typeof(record_uid) = 'blob' AND octet_length(record_uid) = 16"
    " AND (record_id IS NULL OR typeof(record_id) = 'integer')), group_concat(id),"
    " CAST(group_concat(record_uid, '') AS BLOB), group_concat(ifnull(record_id, ''))"
    " FROM (SELECT id, record_uid, record_id FROM outbox WHERE acked = 0 AND package_seq IS NULL"
    " AND record_type = ? AND id <= ? ORDER BY id)"
)


class StoredBatch:
    """Up to ``FETCH`` stored lines in queue order, as SQLite gave them in one step: the outbox
    ids, the uids and the MACs (16 bytes each, concatenated: ``uid(i)``, ``mac(i)``) and the
    lines joined by line feeds (``blob``) with their lengths. ``attributable`` is False when the
    pieces do not add up (a line holding a line feed, which no checked line does): then none of
    the batch's lines can be attributed and none is sent as it is. ``parts()``: (outbox id,
    (uid,), (MAC,), line length) of each line in order, cut on the caller's thread as it goes
    (the reading thread only parses the numbers); line ``i`` starts after the line feed that
    ends line ``i - 1``."""

    __slots__ = ("attributable", "blob", "last", "lengths", "macs", "outbox_ids", "uids")

    def __init__(
        self,
        last: int,
        outbox_ids: list[int],
        uids: bytes,
        macs: bytes,
        blob: bytes,
        lengths: list[int] | None,
    ) -> None:
        self.last = last  # the batch's highest outbox id: the next batch starts after it
        self.outbox_ids, self.uids, self.macs, self.blob = outbox_ids, uids, macs, blob
        self.lengths = lengths
        self.attributable = lengths is not None

    @property
    def lines(self) -> list[bytes] | None:
        """The lines (None when not attributable)."""
        if self.lengths is None:
            return None
        lines, pos = [], 0
        for n in self.lengths:
            lines.append(self.blob[pos : pos + n])
            pos += n + 1
        return lines

    def parts(self) -> Iterator[tuple[int, tuple[bytes], tuple[bytes], int]]:
        if self.lengths is None:
            return iter(())
        return zip(
            self.outbox_ids,
            _SIXTEEN.iter_unpack(self.uids),
            _SIXTEEN.iter_unpack(self.macs),
            self.lengths,
            strict=True,
        )

    def pieces(self) -> list[tuple[int, bytes, bytes, bytes]]:
        """(outbox id, uid, MAC, line) of each line (a list; ``parts`` is the cheap way)."""
        return [
            (outbox_id, uid, mac, line)
            for (outbox_id, (uid,), (mac,), _n), line in zip(
                self.parts(), self.lines or [], strict=True
            )
        ]

    def uid(self, i: int) -> bytes:
        return self.uids[16 * i : 16 * i + 16]

    def mac(self, i: int) -> bytes:
        return self.macs[16 * i : 16 * i + 16]


# One batch per step: the aggregate runs inside SQLite without the GIL (a row at a time, each
# row would take the GIL back from the caller's thread); the five aggregates see the same rows in
# the same order. Only 16-byte uids and MACs are taken (the slices stay aligned); the lines'
# lengths (bytes) say where each line ends in the joined lines.
_BATCH_SQL: Final = (
    "SELECT count(*), max(outbox_id), group_concat(outbox_id),"
    " CAST(group_concat(record_uid, '') AS BLOB), CAST(group_concat(mac, '') AS BLOB),"
    " CAST(group_concat(line, char(10)) AS BLOB), group_concat(octet_length(line))"
    " FROM (SELECT outbox_id, record_uid, mac, line FROM outbox_lines"
    " INDEXED BY outbox_lines_type WHERE record_type = :type AND shape_key = :key"
    " AND octet_length(mac) = 16 AND octet_length(record_uid) = 16 AND outbox_id > :after"
    " ORDER BY outbox_id LIMIT :n)"
)
#: The same rows in the same order, read along the table (no index: each page once, no look-up
#: per row); used when every stored line is of that record type (``_only_type``).
_BATCH_SCAN_SQL: Final = _BATCH_SQL.replace(" INDEXED BY outbox_lines_type ", " NOT INDEXED ")


def _only_type(conn: Connection, record_type: str) -> bool:
    """True when every stored line is of ``record_type`` (two index look-ups)."""
    row = conn.execute(
        "SELECT (SELECT min(record_type) FROM outbox_lines),"
        " (SELECT max(record_type) FROM outbox_lines)"
    ).fetchone()
    return bool(row[0] == row[1] == record_type)


def _batch(
    conn: Connection, record_type: str, shape_key: int, after: int, scan: bool = False
) -> StoredBatch | None:
    row = conn.execute(
        _BATCH_SCAN_SQL if scan else _BATCH_SQL,
        {"type": record_type, "key": shape_key, "after": after, "n": FETCH},
    ).fetchone()
    count = int(row[0])
    if count == 0:
        return None
    last = int(row[1])
    outbox_ids = list(map(int, str(row[2]).split(",")))
    uids, macs, blob = bytes(row[3]), bytes(row[4]), bytes(row[5])
    sizes = [] if row[6] is None else list(map(int, str(row[6]).split(",")))
    if (
        len(sizes) != count
        or sum(sizes) + count - 1 != len(blob)
        or blob.count(b"\n") != count - 1
        or len(outbox_ids) != count
        or len(uids) != 16 * count
        or len(macs) != 16 * count
        or outbox_ids[-1] != last
    ):
        return StoredBatch(last, outbox_ids, uids, macs, blob, None)
    return StoredBatch(last, outbox_ids, uids, macs, blob, sizes)


class StoredLines:
    """The batches of the stored lines of one record type written with one line key and with a
    MAC, in queue order (the table's order: each page read once), read on a worker thread from
    the moment this object is made, up to ``AHEAD`` batches ahead of the caller (SQLite releases
    the GIL while it steps, and a batch is one step, so reading and decrypting overlap the
    caller's work, and the first batches are ready when the caller comes to them). The MAC is
    not checked here (``verifier``). Only the worker uses ``conn`` until ``close()`` (which waits
    for it; the iterator closes itself at its end); an error on the worker is raised to the
    caller in place of the next batch."""

    def __init__(self, conn: Connection, record_type: str, shape_key: int) -> None:
        self._queue: queue.Queue[StoredBatch | BaseException | None] = queue.Queue(AHEAD)
        self._stop = threading.Event()
        self._finished = False
        self._worker = threading.Thread(
            target=self._read, args=(conn, record_type, shape_key), name="export-lines"
        )
        self._worker.daemon = True
        self._worker.start()

    def _read(self, conn: Connection, record_type: str, shape_key: int) -> None:
        after = -1
        try:
            scan = _only_type(conn, record_type)
            while not self._stop.is_set():
                batch = _batch(conn, record_type, shape_key, after, scan)
                self._queue.put(batch)
                if batch is None:
                    return
                after = batch.last
        except BaseException as exc:  # given to the caller (``__next__``)
            self._queue.put(exc)

    def __iter__(self) -> StoredLines:
        return self

    def __next__(self) -> StoredBatch:
        if self._finished:
            raise StopIteration
        item = self._queue.get()
        if isinstance(item, StoredBatch):
            return item
        self.close()
        if item is None:
            raise StopIteration
        raise item

    def close(self) -> None:
        """Stop the worker and wait for it (the connection is the caller's again). Idempotent."""
        self._finished = True
        self._stop.set()
        while self._worker.is_alive():  # a worker blocked on a full queue gets its place
            with suppress(queue.Empty):
                self._queue.get(timeout=0.01)
        self._worker.join()


def stored(conn: Connection, record_type: str, shape_key: int) -> StoredLines:
    """The stored lines of ``record_type`` with line key ``shape_key``, read ahead from now on
    (``StoredLines``)."""
    return StoredLines(conn, record_type, shape_key)


def _state(conn: Connection) -> tuple[int, int, int]:
    row = conn.execute(
        "SELECT (SELECT max(id) FROM outbox), (SELECT max(outbox_id) FROM outbox_lines)"
    ).fetchone()
    version = conn.execute("PRAGMA schema_version").fetchone()[0]
    return int(version), int(row[0] or 0), int(row[1] or 0)


@contextmanager
def snapshot_reader(conn: Connection, path: Path, dek: bytes) -> Iterator[Connection]:
    """A second, read-only connection to the register at ``path`` for reading stored lines
    (``stored``) on the other core while ``conn`` is busy with something else (the export marks
    its outbox entries meanwhile).

    The caller holds the write lock on ``conn`` (``BEGIN IMMEDIATE``, not yet written): nothing
    can commit between ``conn``'s snapshot and this connection's, so both see the same committed
    register. As a check (fail closed), the schema version and the last outbox and stored-line
    ids must agree; if they do not, or the second connection cannot be opened, ``conn`` itself
    is given (the lines are then read on it, as before)."""
    try:
        reader = db.connect(path, dek, readonly=True, cache_mib=READER_CACHE_MIB)
    except (RegisterError, sqlcipher3.Error):
        yield conn
        return
    try:
        reader.execute("BEGIN")
        same = _state(reader) == _state(conn)
    except sqlcipher3.Error:
        same = False
    try:
        yield reader if same else conn
    finally:
        if reader.in_transaction:
            reader.execute("COMMIT")
        reader.close()


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
