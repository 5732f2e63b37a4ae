"""The stored lines of an export's records: a mixin of ``Records`` (``_sync_export_records``),
kept apart so each module stays small.

A record whose package line was stored with its latest waiting entry (``outbox_lines``, written
in the same transaction as the change and deleted by any later write to the row) is sent with
that line when the line carries the MAC of the checked queue path: it was checked against its
schema once, when its change was queued (``app/services/_line_check.py``), so it goes into the
package as it is (``CheckedLines``). ``_check_of`` gives the line key and MAC check of a record
type (None: every record from its row). The stored lines of a record type are read in one
ordered pass (``stored_line_reader.stored``), on the second connection when there is one (then the
first record type that has them is read ahead at once, ``_read_ahead``); a batch's MACs are
checked over views of its joined lines, and a batch whose every line is taken is sent as it
came (``_joined``). A line that is not taken leaves its entry in the waiting entries (``Latest``),
and ``Records`` sends that record from its row; a stored postponement is kept for the
postponement member (``Records._keep``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import closing
from typing import TYPE_CHECKING

from app.services._line_check import line_check
from app.services._sync_records import line_shapes
from app.store import outbox_lines, stored_line_reader
from app.sync.schemas import RECORD_TYPES
from app.sync.writer import CheckedLines

if TYPE_CHECKING:
    from contextlib import ExitStack
    from typing import Any

    from app.store import db


_POSTPONEMENT = b'{"type":"postponement",'


def _macs_ok(batch: stored_line_reader.StoredBatch, verify: outbox_lines.Verify) -> list[bool]:
    """Whether each line of ``batch`` carries the MAC of the checked queue path."""
    view = memoryview(batch.blob)
    oks: list[bool] = []
    pos = 0
    for outbox_id, (uid,), (mac,), size in batch.parts():
        end = pos + size
        oks.append(verify(uid, outbox_id, view[pos:end], mac))
        pos = end + 1
    return oks


def _joined(batch: stored_line_reader.StoredBatch, taken: list[memoryview]) -> tuple[bytes, int]:
    """(the ``taken`` lines of ``batch``, each ending with a line feed; their count): the
    batch's joined lines as SQLite gave them when every line was taken."""
    if not taken:
        return b"", 0
    if len(taken) == len(batch.outbox_ids):  # every line, in order: the batch as it came
        return batch.blob + b"\n", len(taken)
    taken.append(memoryview(b""))
    return b"\n".join(taken), len(taken) - 1


# A record type's waiting records: uid → (its latest waiting outbox id, row id or None)
Latest = dict[bytes, tuple[int, int | None]]


class StoredLinesMixin:
    """The stored-line pass of ``Records`` (see the module text); ``Records`` sets the
    attributes below in its ``__init__`` and gives the three methods."""

    if TYPE_CHECKING:
        conn: db.Connection
        _stored_ok: bool
        _checks: dict[str, tuple[int, outbox_lines.Verify] | None]
        _lines_conn: db.Connection
        _ahead: tuple[str, stored_line_reader.StoredLines] | None
        _exit: ExitStack

        def _waiting_now(self, *, wait: bool = True) -> dict[str, Latest] | None: ...
        def _keep(
            self, row_id: int | None, uid: bytes, line: Any, checked: bool = False
        ) -> None: ...
        def _emit(self, lines: bytes, count: int) -> Iterator[CheckedLines]: ...

    def _check_of(self, record_type: str) -> tuple[int, outbox_lines.Verify] | None:
        """(line key, MAC check) of the stored lines of ``record_type`` that may be sent as they
        are; None when none may (no line key, a trigger missing)."""
        shapes = line_shapes(self.conn, record_type)
        key = None if shapes is None else outbox_lines.line_key(self.conn, *shapes)
        if key is None or not self._stored_ok:
            return None
        tag = line_check(record_type).tag
        verify = outbox_lines.verifier(self.conn, record_type, key, tag)
        return None if verify is None else (key, verify)

    def _read_ahead(self) -> None:
        """Start reading the stored lines of the first record type that has them on the second
        connection (the others are read when their member comes: one reader at a time)."""
        for t in RECORD_TYPES:
            check = self._checks.get(t)
            if check is not None:
                ahead = stored_line_reader.stored(self._lines_conn, t, check[0])
                self._exit.callback(ahead.close)
                self._ahead = (t, ahead)
                return

    def _batches(self, record_type: str, key: int) -> stored_line_reader.StoredLines:
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead[0] == record_type:
            return ahead[1]
        if ahead is not None:
            ahead[1].close()
        return stored_line_reader.stored(self._lines_conn, record_type, key)

    def _stored(
        self, record_type: str, key: int, verify: outbox_lines.Verify
    ) -> Iterator[CheckedLines]:
        """The verified stored lines of ``record_type`` (the others stay in its waiting entries),
        read on the second connection while the caller's marks the entries (module text). While
        the waiting entries are still being read, the MACs of the first batches are checked
        meanwhile (the lines are sorted out once the entries are there)."""
        early: list[tuple[stored_line_reader.StoredBatch, list[bool]]] = []
        latest: Latest | None = None
        with closing(self._batches(record_type, key)) as batches:
            for batch in batches:
                if not batch.attributable:  # every record from its row
                    continue
                if latest is None:
                    waiting = self._waiting_now(wait=False)
                    if waiting is None:
                        early.append((batch, _macs_ok(batch, verify)))
                        continue
                    latest = waiting[record_type]
                    for checked, oks in early:
                        yield from self._emit(*self._accepted(record_type, latest, checked, oks))
                    early.clear()
                yield from self._emit(*self._verified(record_type, latest, batch, verify))
        if latest is None:  # every batch came before the waiting entries
            waiting = self._waiting_now()
            assert waiting is not None
            for checked, oks in early:
                yield from self._emit(
                    *self._accepted(record_type, waiting[record_type], checked, oks)
                )

    def _verified(
        self,
        record_type: str,
        latest: Latest,
        batch: stored_line_reader.StoredBatch,
        verify: outbox_lines.Verify,
    ) -> tuple[bytes, int]:
        """The lines of ``batch`` that are the current checked lines of waiting records (their
        entries leave ``latest``; postponements are kept), with their count; the MAC checked
        only for those. When that is every line of the batch, the batch's own joined lines."""
        return self._taken(
            record_type, latest, batch, lambda _i, uid, oid, line, mac: verify(uid, oid, line, mac)
        )

    def _accepted(
        self,
        record_type: str,
        latest: Latest,
        batch: stored_line_reader.StoredBatch,
        macs_ok: list[bool],
    ) -> tuple[bytes, int]:
        """``_verified`` for a batch whose MACs were checked already (``macs_ok``: True, it
        matches)."""
        return self._taken(record_type, latest, batch, lambda i, *_: macs_ok[i])

    def _taken(
        self,
        record_type: str,
        latest: Latest,
        batch: stored_line_reader.StoredBatch,
        mac_ok: Callable[[int, bytes, int, memoryview, bytes], bool],
    ) -> tuple[bytes, int]:
        """``_verified`` with ``mac_ok(position in the batch, uid, outbox id, line, MAC)`` asked
        only for the lines of waiting records."""
        postponements = record_type == "vaccination"
        keep, pop = self._keep, latest.pop
        blob = batch.blob
        view = memoryview(blob)
        taken: list[memoryview] = []
        pos = 0
        for i, (outbox_id, (uid,), (mac,), size) in enumerate(batch.parts()):
            end = pos + size
            entry = pop(uid, None)
            if entry is not None:
                line = view[pos:end]
                if entry[0] != outbox_id or not mac_ok(i, uid, outbox_id, line, mac):
                    latest[uid] = entry  # not the record's checked current line: its row
                elif postponements and blob.startswith(_POSTPONEMENT, pos):
                    keep(entry[1], uid, blob[pos:end], True)
                else:
                    taken.append(line)
            pos = end + 1
        return _joined(batch, taken)
