"""The set-based fast path of a package apply (issue 9 "Speed"), for the common case of an
``updates`` package: residents the register already holds, edited on the server.

The lines of a record type are taken a window at a time: staged in a TEMP table, the plain
records chosen and written in SQL (app/store/sync_fast:
the stored row exists, its uid comes once in the window, no local change waits for the server,
no UNIQUE value and no field a derived column follows changes, every reference resolves), and
everything else handed to the record-by-record path (``Applier``) in package order, in chunks,
before the next window is staged. The plain records are independent of the others of the window
(they create no row, free or take no unique value, and no other record of the window has their
uid), so writing them first ends as one-by-one would, with the same counts, and they are never
quarantined or in conflict. When a constraint refuses one of them the window is undone and goes
record by record.

A window's lines are staged as they are: their bytes go to SQLite as one JSON array, which
parses them and takes every column out in one statement (``sync_fast.stage_lines``: no Python
object per record, and the statement runs without the GIL while the member checks run on their
thread). A line is parsed in Python only when its record goes one by one. A record SQLite might
read otherwise than orjson (a repeated key) is never plain. The values are of the JSON types the
record schemas allow (the package layer checks every line before the commit).

With ``STAGED`` the windows are read (inflated, split) and staged on a read-ahead thread a window
or two ahead (``_initial_reader.ChunkReader``), by the same statement, into a slot of a private
in-memory database (``sync_fast.WindowRing``, app/store/stage_db.py) that the applying thread
plans from while the next window is staged: the applying thread does little but SQLite's work on
the register. A window the read-ahead thread did not stage (SQLite refused it, a line over the
size limit) is staged here as before, and goes record by record when it is not JSON. Every slot
is emptied and the staging database closed however the apply ends.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

import orjson

from app.services._initial_reader import ChunkReader
from app.services._stage_slots import SlotHandover
from app.services._sync_records import (
    BOOLEAN_FIELDS,
    PACKAGE_TYPES,
    REF_FIELDS,
    SERVER_OWNED,
    _sql_time,
    ref_uid_bytes,
    uid_bytes,
)
from app.store import db, sync_fast
from app.store.sync_outbox import ENVELOPE_COLUMNS, RECORD_TABLES
from app.sync.opened import OpenedPackage
from app.sync.schemas import record_schema

# Package types with the fast path: server-owned records without special fields (a personal
# number is sealed under NK in Python; terminal records may be held back by retention).
FAST_TYPES = frozenset({"person", "household", "institution"})
WINDOW = 20_000  # lines staged at once (held in memory with their staged rows)
FIRST_WINDOW = 5_000  # the first window of a type when staged ahead (the apply starts sooner)
WINDOW_BYTES = 64 << 20  # and at most about this many bytes of lines (bound as one value)
STAGE_IN_SQL = True  # False: staged rows built in Python from parsed lines (tests compare)
# True: windows read and staged on a worker thread (app.store.stage_db); False: on this one
STAGED = True
SLOTS = 2  # windows staged ahead at most
ENABLED = True  # False: every record goes record by record (tests compare the two)
# derived column → the data field it follows (computed in Python: such a change goes slow)
_DERIVED = {"person": {"kana_key": "name_kana"}}
_REF_TABLES = {"household_id": "household", "guardian_id": "person"}


def shape_of(package_type: str, cols: tuple[str, ...]) -> sync_fast.Shape | None:
    """How ``package_type`` records map onto their table, or None when they take no fast path."""
    if not ENABLED or package_type not in FAST_TYPES or package_type not in SERVER_OWNED:
        return None
    rtype = PACKAGE_TYPES[package_type]
    refs = REF_FIELDS.get(rtype, {})
    if any(column not in _REF_TABLES for column in refs.values()):
        return None
    derived = _DERIVED.get(rtype, {})
    booleans = tuple(b for b in BOOLEAN_FIELDS.get(rtype, ()) if b in cols)
    skip = {*ENVELOPE_COLUMNS, *refs.values(), *booleans, *derived}
    fields = tuple(c for c in cols if c not in skip)
    data = record_schema(package_type)["properties"]["data"]
    carried = set(data["properties"])
    if data.get("additionalProperties") is not False:  # _Rows counts on no other member
        return None
    if not carried <= {*fields, *booleans, *refs} or not set(refs.values()) <= set(cols):
        return None
    return sync_fast.Shape(
        record_type=rtype,
        package_type=package_type,
        fields=fields,
        booleans=booleans,
        refs=tuple(
            sync_fast.Ref(f, c, RECORD_TABLES[_REF_TABLES[c]]) for f, c in sorted(refs.items())
        ),
        fixed=tuple(derived.values()),
    )


def _windows(
    lines: Iterator[bytes], size: int, max_bytes: int | None = None
) -> Iterator[list[bytes]]:
    """Lists of ``size`` lines (fewer when they reach ``max_bytes``)."""
    window: list[bytes] = []
    held = 0
    for line in lines:
        window.append(line)
        held += len(line)
        if len(window) >= size or (max_bytes is not None and held >= max_bytes):
            yield window
            window = []
            held = 0
    if window:
        yield window


class _Rows:
    """Staged rows (``(seq, *shape.staged)``) of parsed envelopes: what ``from_envelope`` makes
    of them, without a dict per record; a record it would refuse is marked bad (it goes record
    by record and meets the same error there)."""

    def __init__(self, shape: sync_fast.Shape) -> None:
        self.shape = shape
        self.carried = (*shape.fields, *(r.field for r in shape.refs))
        self.width = len(shape.staged)

    def __call__(self, seq: int, envelope: dict[str, Any]) -> tuple[Any, ...]:
        shape = self.shape
        try:
            data = envelope["data"]
            absent = 0
            if len(data) != len(self.carried) + len(shape.booleans):
                for i, name in enumerate(self.carried):
                    if name not in data:
                        absent |= 1 << i
            refs = []
            for r in shape.refs:
                value = data.get(r.field)
                refs.append(None if value is None else ref_uid_bytes(value))
            voided = envelope.get("voided")
            return (
                seq,
                uid_bytes(envelope["uid"]),
                envelope["type"],
                0,
                absent,
                str(envelope["version"]),
                str(envelope["origin"]),
                None if voided is None else _sql_time(voided["at"]),
                None if voided is None else voided["reason"],
                *map(data.get, shape.fields),
                *(1 if data.get(b) else 0 for b in shape.booleans),
                *refs,
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return (seq, None, None, 1, 0, *([None] * (self.width - 4)))


class FastPath:
    """Chunks of the records the record-by-record path must apply (an empty chunk after each
    window, for progress and cancel checks); the plain ones written on the way."""

    def __init__(self, conn: db.Connection, applier: Any) -> None:
        self.conn, self.applier = conn, applier
        self.taken = 0  # records written or counted here
        self.used = False

    def chunks(
        self, opened: OpenedPackage, package_type: str, size: int
    ) -> Generator[list[dict[str, Any]], None, None]:
        shape = shape_of(package_type, self.applier.cols(PACKAGE_TYPES[package_type]))
        loads = orjson.loads
        if shape is None:
            for part in _windows(opened.record_lines(package_type), size):
                yield [loads(line) for line in part]
            return
        self.used = True
        sync_fast.stage_unacked(self.conn, self.applier.unacked(shape.record_type))
        sync_fast.prepare_plan(self.conn, shape)
        rows = _Rows(shape)
        if not STAGED or not STAGE_IN_SQL:
            for window in _windows(opened.record_lines(package_type), WINDOW, WINDOW_BYTES):
                yield from self._one(shape, window, rows, size)
            return
        # read, split and staged on a worker thread a window or two ahead (the slot it filled,
        # or None: staged here); every slot emptied whichever way this ends
        shape = sync_fast.with_facts(self.conn, shape)
        ring = sync_fast.WindowRing(self.conn, {package_type: shape}, SLOTS)
        handover = SlotHandover(ring, SLOTS)
        try:
            sync_fast.warm(self.conn, [ring.staged(package_type, k) for k in range(SLOTS)])

            def prepare(lines: list[bytes]) -> int | None:
                return handover.stage(package_type, b"[" + b",".join(lines) + b"]", len(lines))

            reader = ChunkReader(
                opened,
                (package_type,),
                WINDOW,
                {package_type: prepare},
                max_bytes=WINDOW_BYTES,
                name="vaxdesk-updates-read",
                first=FIRST_WINDOW,
            )
            try:
                for item in reader:
                    yield from self._one(shape, item.lines, rows, size, item.prepared, handover)
            finally:
                handover.stop()
                reader.close()
        finally:
            handover.close()

    def _one(
        self,
        shape: sync_fast.Shape,
        window: list[bytes],
        rows: _Rows,
        size: int,
        slot: int | None = None,
        handover: SlotHandover | None = None,
    ) -> Generator[list[dict[str, Any]], None, None]:
        """One window: its plain records written, then the others in chunks of ``size``."""
        self.applier.finish()  # the previous window's records are all written
        taken = self._window(shape, window, rows, slot, handover)
        self.taken += len(taken)
        yield []
        loads = orjson.loads
        chunk: list[dict[str, Any]] = []
        for seq, line in enumerate(window):
            if seq in taken:
                continue
            chunk.append(loads(line))  # parsed: only the records that go one by one
            if len(chunk) >= size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def _window(
        self,
        shape: sync_fast.Shape,
        window: list[bytes],
        rows: _Rows,
        slot: int | None = None,
        handover: SlotHandover | None = None,
    ) -> set[int]:
        """Positions in the window of the records written (or counted unchanged) set-based
        (``slot``: the window was staged there by the read-ahead thread)."""
        try:
            if slot is not None and handover is not None:
                shape = handover.ring.staged(shape.package_type, slot)
            if STAGE_IN_SQL:
                if not sync_fast.stage_lines(self.conn, shape, window):
                    return set()
            else:
                loads = orjson.loads
                sync_fast.stage(
                    self.conn, shape, [rows(seq, loads(line)) for seq, line in enumerate(window)]
                )
            newer, unchanged = sync_fast.plan(self.conn, shape)
        finally:
            if slot is not None and handover is not None:
                handover.release()  # the plan holds what the window needs
        if not sync_fast.write(self.conn, shape):
            return set()
        stats = self.applier.stats
        stats.applied += newer
        stats.unchanged += unchanged
        if newer:
            stats.by_type[shape.package_type] = stats.by_type.get(shape.package_type, 0) + newer
        return sync_fast.planned_seqs(self.conn, shape)

    def close(self) -> None:
        if self.used:
            sync_fast.drop(self.conn)
