"""Per-phase wall timeline of one export, per thread (``bench_sync --stage export --timeline``).

Benchmark-only: ``install()`` wraps the export path's functions (module attributes, as the
product looks them up at call time) with timers that record (thread, phase, start, end); nothing
in ``app`` reads a flag or logs anything. ``uninstall()`` puts every original back. The
per-line MAC check is timed per call (about 0.3 µs of timer overhead per line); the line
assembly is the time the exporting thread spends producing the stored member's batches minus
the MAC checks and minus its waits for the next batch.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Generator, Iterator
from typing import Any, TypedDict, cast

from app.services import _audit, _sync_export_records, _sync_export_stored_lines, sync_export
from app.store import db, outbox_lines, stored_line_reader, sync_outbox, sync_state
from app.sync import keys, stream, writer, zipwrite
from app.sync.writer import CheckedLines

_clock = time.perf_counter


class PhaseRow(TypedDict):
    """One row of ``Timeline.summary()``: a phase of one thread (family)."""

    thread: str
    phase: str
    calls: int
    busy_s: float
    cpu_s: float
    from_s: float
    to_s: float


class Timeline:
    def __init__(self) -> None:
        self.events: list[tuple[str, str, float, float, float]] = []
        self._lock = threading.Lock()
        self.t0 = 0.0
        self._undo: list[tuple[Any, str, Any]] = []

    def add(self, phase: str, start: float, end: float, cpu: float = 0.0) -> None:
        name = threading.current_thread().name
        with self._lock:
            self.events.append((name, phase, start, end, cpu))

    def timed(self, phase: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start, cpu = _clock(), time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.add(phase, start, _clock(), time.thread_time() - cpu)

        return wrapper

    def patch(self, owner: Any, attr: str, phase: str) -> None:
        original = getattr(owner, attr)
        self._undo.append((owner, attr, original))
        setattr(owner, attr, self.timed(phase, original))

    def replace(self, owner: Any, attr: str, new: Any) -> None:
        self._undo.append((owner, attr, getattr(owner, attr)))
        setattr(owner, attr, new)

    def uninstall(self) -> None:
        while self._undo:
            owner, attr, original = self._undo.pop()
            setattr(owner, attr, original)

    def summary(self) -> dict[str, Any]:
        """Per (thread, phase): calls, busy seconds, first start and last end (seconds from the
        export's start), sorted by first start."""
        rows: dict[tuple[str, str], list[float]] = {}
        for thread, phase, start, end, cpu in self.events:
            acc = rows.setdefault((thread, phase), [0, 0.0, start, end, 0.0])
            acc[0] += 1
            acc[1] += end - start
            acc[2] = min(acc[2], start)
            acc[3] = max(acc[3], end)
            acc[4] += cpu
        out: list[PhaseRow] = []
        for (thread, phase), (calls, busy, first, last, cpu) in sorted(
            rows.items(), key=lambda kv: kv[1][2]
        ):
            thread = "main" if thread == "MainThread" else thread.rsplit("_", 1)[0]
            out.append(
                {
                    "thread": thread,
                    "phase": phase,
                    "calls": int(calls),
                    "busy_s": round(busy, 3),
                    "cpu_s": round(cpu, 3),
                    "from_s": round(first - self.t0, 3),
                    "to_s": round(last - self.t0, 3),
                }
            )
        merged: dict[tuple[str, str], PhaseRow] = {}
        for row in out:  # one row per thread family (deflate workers are two threads)
            key = (row["thread"], row["phase"])
            if key in merged:
                m = merged[key]
                m["calls"] += row["calls"]
                m["busy_s"] = round(m["busy_s"] + row["busy_s"], 3)
                m["cpu_s"] = round(m["cpu_s"] + row["cpu_s"], 3)
                m["from_s"] = min(m["from_s"], row["from_s"])
                m["to_s"] = max(m["to_s"], row["to_s"])
            else:
                merged[key] = row.copy()
        return {"phases": sorted(merged.values(), key=lambda r: r["from_s"])}


def install() -> Timeline:
    tl = Timeline()

    original_transaction = db.transaction

    @contextlib.contextmanager
    def transaction(conn: db.Connection) -> Iterator[db.Connection]:
        # db.transaction with its three steps timed (same statements, same order)
        start, cpu = _clock(), time.thread_time()
        conn.execute("BEGIN IMMEDIATE")
        tl.add("BEGIN IMMEDIATE", start, _clock(), time.thread_time() - cpu)
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            start, cpu = _clock(), time.thread_time()
            conn.execute("COMMIT")
            tl.add("COMMIT (WAL write + fsync)", start, _clock(), time.thread_time() - cpu)
        entry = db._commit_hooks.get(id(conn))
        if entry is not None and entry[0] is conn:
            start, cpu = _clock(), time.thread_time()
            entry[1](conn)
            tl.add("commit hook", start, _clock(), time.thread_time() - cpu)

    tl.replace(db, "transaction", transaction)
    del original_transaction

    tl.patch(sync_outbox, "max_pending_id", "snapshot: max pending id")
    tl.patch(sync_outbox, "audit_head", "snapshot: audit head")
    tl.patch(stored_line_reader, "_state", "snapshot check (second connection)")
    tl.patch(stored_line_reader, "latest_pending", "read waiting entries")
    tl.patch(stored_line_reader, "_batch", "read stored lines (group_concat batch)")
    tl.patch(sync_outbox, "assign_package", "marking (UPDATE outbox)")
    tl.patch(sync_outbox, "audit_since", "audit rows read")
    tl.patch(_sync_export_records.Records, "__init__", "records setup (types, checks, entries)")
    tl.patch(_sync_export_records.Records, "finish_marking", "wait for marking")
    tl.patch(_sync_export_records.Records, "close", "records close")
    # the MAC check: the verifier's closure, timed per line
    original_verifier = outbox_lines.verifier

    def verifier(*args: Any, **kwargs: Any) -> Any:
        verify = original_verifier(*args, **kwargs)
        return None if verify is None else tl.timed("MAC verify", verify)

    tl.replace(outbox_lines, "verifier", verifier)
    # the exporting thread's wait for the next batch of stored lines
    original_stored = stored_line_reader.stored

    class Stored:
        def __init__(self, *args: Any) -> None:
            self.inner = original_stored(*args)  # starts reading now, as the product's

        def __iter__(self) -> Stored:
            return self

        def __next__(self) -> Any:
            start = _clock()
            try:
                return next(self.inner)
            finally:
                tl.add("wait for stored batch", start, _clock())

        def close(self) -> None:
            self.inner.close()

    tl.replace(stored_line_reader, "stored", Stored)
    original_stored_lines = _sync_export_stored_lines.StoredLinesMixin._stored

    def _stored(self: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        # the product's _stored is a generator function (annotated as an Iterator): closed below
        gen = cast(
            Generator[CheckedLines, None, None], original_stored_lines(self, *args, **kwargs)
        )
        try:
            while True:
                start = _clock()
                try:
                    item = next(gen)
                except StopIteration:
                    tl.add("stored member (reads, MAC, assembly)", start, _clock())
                    return
                tl.add("stored member (reads, MAC, assembly)", start, _clock())
                yield item
        finally:
            gen.close()

    tl.replace(_sync_export_stored_lines.StoredLinesMixin, "_stored", _stored)
    tl.patch(writer, "_stage", "member: stage (lines, deflate submit, finish)")
    tl.patch(zipwrite.Deflater, "write", "deflater.write (submit, back-pressure)")
    tl.patch(zipwrite.Deflater, "finish", "deflater.finish (drain)")
    tl.patch(zipwrite, "_piece", "deflate block")
    tl.patch(zipwrite.Deflater, "_store", "hash + CRC + write block (incl. wait for piece)")
    tl.patch(stream, "sender_key", "X25519 + HKDF")
    tl.patch(writer, "sender_key", "X25519 + HKDF")
    tl.patch(stream.EncryptingWriter, "_emit", "encrypt chunk + SHA-256 + CRC + write")
    tl.patch(zipwrite.InnerWriter, "add_deflated", "inner archive: member (read + encrypt)")
    tl.patch(keys.KeyPair, "sign", "header signature (Ed25519)")
    tl.patch(writer, "_write_outer", "outer ZIP write + fsync")
    tl.patch(writer, "_fsync_dir", "rename + dir fsync")
    tl.patch(sync_export, "build_package", "build_package (whole)")
    tl.patch(outbox_lines, "forget_packaged", "channel: forget packaged")
    tl.patch(sync_state, "record_sent", "channel: record sent")
    tl.patch(_audit, "record", "audit entry")
    tl.patch(sync_export, "_write_copy", "copy to medium: write + fsync (beside the commit)")
    tl.patch(sync_export._CopyBesideCommit, "finish", "copy to medium: wait + rename")
    tl.patch(sync_export, "export_changes", "export_changes (whole)")
    return tl
