"""The stored lines of one record type read on two connections at once (``SplitLines``): the
page reads (decrypting and checking each page) are the longest thread of an export, and a
second connection on the same snapshot reads half of them on the other core.

The lines are cut into ranges of outbox ids holding at most ``FETCH`` lines each, from the
record type's index (ids only, no line pages): range ``i`` is (``ends[i - 1]``, ``ends[i]``].
The even ranges are read on the first connection, the odd ones on the second, each up to
``AHEAD`` batches ahead (``outbox_lines._batch`` with that range: one SQLite step each); the
caller gets them in range order, so the lines come in queue order exactly as from
``outbox_lines.StoredLines``. With fewer than ``SPLIT_FROM`` ranges everything is read on the
first connection as ``StoredLines`` reads it (a second thread is not worth its start).
"""

from __future__ import annotations

import queue
import threading
from contextlib import suppress
from typing import Final

from app.store import outbox_lines
from app.store.db import Connection
from app.store.outbox_lines import StoredBatch

#: Ranges from which the second connection reads every other one.
SPLIT_FROM: Final = 4
#: A range that held no line that may be sent (its place in the order is kept).
_EMPTY: Final = object()
_Item = StoredBatch | BaseException | object | None

_IDS_SQL: Final = (
    "SELECT count(*), group_concat(outbox_id) FROM (SELECT outbox_id FROM outbox_lines"
    " INDEXED BY outbox_lines_type WHERE record_type = ? ORDER BY outbox_id)"
)


def _ends(conn: Connection, record_type: str) -> list[int]:
    """The last outbox id of each range of at most ``FETCH`` lines of ``record_type``."""
    row = conn.execute(_IDS_SQL, (record_type,)).fetchone()
    if not row[0]:
        return []
    ids = list(map(int, str(row[1]).split(",")))
    fetch = outbox_lines.FETCH
    ends = ids[fetch - 1 :: fetch]
    if not ends or ends[-1] != ids[-1]:
        ends.append(ids[-1])
    return ends


class SplitLines:
    """``outbox_lines.StoredLines`` on two connections (module text): the same batches'
    lines in the same order. Only the workers use ``conn`` and ``helper`` until ``close()``
    (which waits for both; the iterator closes itself at its end); an error on either worker is
    raised to the caller in place of its next batch."""

    def __init__(
        self, conn: Connection, helper: Connection, record_type: str, shape_key: int
    ) -> None:
        ahead = outbox_lines.AHEAD
        self._queues: tuple[queue.Queue[_Item], queue.Queue[_Item]] = (
            queue.Queue(ahead),
            queue.Queue(ahead),
        )
        self._stop = threading.Event()
        self._planned = threading.Event()
        self._ends: list[int] | None = None
        self._scan = False
        self._single = True
        self._finished = False
        self._next = 0
        args = (record_type, shape_key)
        self._workers = [
            threading.Thread(target=self._first, args=(conn, *args), name="export-lines"),
            threading.Thread(target=self._second, args=(helper, *args), name="export-lines"),
        ]
        for worker in self._workers:
            worker.daemon = True
            worker.start()

    def _first(self, conn: Connection, record_type: str, shape_key: int) -> None:
        out = self._queues[0]
        try:
            try:
                self._scan = outbox_lines._only_type(conn, record_type)
                self._ends = _ends(conn, record_type)
                self._single = len(self._ends) < SPLIT_FROM
            finally:
                self._planned.set()  # the second worker stops when there is no plan
            if self._single:  # as StoredLines reads them
                after = -1
                while not self._stop.is_set():
                    batch = outbox_lines._batch(conn, record_type, shape_key, after, self._scan)
                    out.put(batch)
                    if batch is None:
                        return
                    after = batch.last
                return
            self._ranges(conn, record_type, shape_key, 0)
        except BaseException as exc:  # given to the caller (``__next__``)
            out.put(exc)

    def _second(self, conn: Connection, record_type: str, shape_key: int) -> None:
        self._planned.wait()
        if self._ends is None or self._single:
            return
        try:
            self._ranges(conn, record_type, shape_key, 1)
        except BaseException as exc:
            self._queues[1].put(exc)

    def _ranges(self, conn: Connection, record_type: str, shape_key: int, parity: int) -> None:
        ends = self._ends
        assert ends is not None
        out = self._queues[parity]
        for i in range(parity, len(ends), 2):
            if self._stop.is_set():
                return
            after = ends[i - 1] if i else -1
            batch = outbox_lines._batch(conn, record_type, shape_key, after, self._scan, ends[i])
            out.put(_EMPTY if batch is None else batch)
        out.put(None)

    def __iter__(self) -> SplitLines:
        return self

    def __next__(self) -> StoredBatch:
        while not self._finished:
            self._planned.wait()
            parity = 0 if self._single else self._next % 2
            item = self._queues[parity].get()
            if isinstance(item, StoredBatch):
                self._next += 1
                return item
            if item is _EMPTY:
                self._next += 1
                continue
            self.close()
            if item is None:
                raise StopIteration
            assert isinstance(item, BaseException)
            raise item
        raise StopIteration

    def close(self) -> None:
        """Stop both workers and wait for them (the connections are the caller's again).
        Idempotent."""
        self._finished = True
        self._stop.set()
        while any(w.is_alive() for w in self._workers):  # a worker on a full queue gets room
            for q in self._queues:
                with suppress(queue.Empty):
                    q.get(timeout=0.005)
        for worker in self._workers:
            worker.join()


def stored(
    conn: Connection, helper: Connection | None, record_type: str, shape_key: int
) -> outbox_lines.StoredLines | SplitLines:
    """The stored lines of ``record_type`` with line key ``shape_key``, read ahead from now on:
    on ``conn`` and ``helper`` (``SplitLines``), or on ``conn`` alone (``StoredLines``) without
    a helper or when the stored lines' outbox ids span fewer than ``SPLIT_FROM`` batches (two
    look-ups: then there are surely too few to split)."""
    if helper is None or helper is conn:
        return outbox_lines.stored(conn, record_type, shape_key)
    low, high = conn.execute("SELECT min(outbox_id), max(outbox_id) FROM outbox_lines").fetchone()
    if low is None or int(high) - int(low) + 1 < SPLIT_FROM * outbox_lines.FETCH:
        return outbox_lines.stored(conn, record_type, shape_key)
    return SplitLines(conn, helper, record_type, shape_key)
