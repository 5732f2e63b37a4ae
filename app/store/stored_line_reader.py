"""The export's reads of the package lines stored when changes were queued (``outbox_lines``,
migration 0009): the latest waiting outbox entry of each record of a record type
(``latest_pending``); the stored lines of one record type and line key in queue order, in batches
of up to ``FETCH`` lines that SQLite joins in one step (``StoredBatch``, ``_batch``), read up to
``AHEAD`` batches ahead on a worker thread (``StoredLines``, ``stored``); and a second, read-only
connection on the same snapshot as the export's own, on which they are read on the other core
(``snapshot_reader``).

Nothing here writes to the register or trusts a line: the lines and their MACs are written by
``outbox_lines.store`` (the triggers of migration 0009 delete stale ones), and the export
(app/services/_sync_export_records.py) sends a line as it is only when ``outbox_lines.verifier``,
``outbox_lines.line_key`` and ``outbox_lines.triggers_in_place`` say it may.
"""

from __future__ import annotations

import queue
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Final

import sqlcipher3

from app.errors import RegisterError
from app.store import db
from app.store.db import Connection

#: Stored lines per batch (``_batch``).
FETCH: Final = 4096
#: Batches of stored lines read ahead of the export (``StoredLines``): about 4 MB each.
AHEAD: Final = 6
#: Page cache of the second connection that reads the stored lines (``snapshot_reader``): each
#: page is read once, in order.
READER_CACHE_MIB: Final = 8
#: uids and MACs, 16 bytes each, cut from SQLite's concatenation of them in C
_SIXTEEN: Final = struct.Struct("16s")


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
