"""The lines of an ``initial`` package read ahead on a worker thread, a chunk at a time.

Inflating the package members, splitting them into lines and joining a chunk's lines into the
JSON array the line path hands to SQLite (``_initial_lines.LinePath.prepare``) is plain CPU work
that needs no register. Done on the thread that applies, it adds several microseconds to every
record; here a worker thread does it a few chunks ahead while the applying thread runs the
inserts (SQLite releases the GIL while a statement runs), so the two overlap.

The worker reads the package in the order the apply would (record types in the given order,
lines in archive order) and hands over ``Chunk`` items through a queue of ``DEPTH`` items, so
the memory held is a few chunks whatever the package size. A line longer than ``MAX_LINE`` is
flagged on the chunk it ends (the caller then asks the member checks for their verdict, as the
apply did before); an error while reading reaches the caller at the point the apply would have
met it. ``close`` stops the worker and waits for it (before the package is closed).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from app.sync.handoff import put_unless_stopped
from app.sync.lines import MAX_LINE
from app.sync.opened import OpenedPackage

DEPTH = 3  # chunks read ahead
_DONE = object()


@dataclass(frozen=True, slots=True)
class Chunk:
    """Consecutive lines of one record type; ``prepared`` is what the type's ``prepare`` made of
    them (None without one); ``oversize``: a line among them is longer than ``MAX_LINE``."""

    package_type: str
    lines: list[bytes]
    prepared: Any
    oversize: bool


class _Failed:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


Prepare = Callable[[list[bytes]], Any]


class ChunkReader:
    """``Chunk`` items of ``opened``'s record lines, of the types in ``types`` in that order, at
    most ``size`` lines each (fewer when they reach ``max_bytes``; the first of each type at most
    ``first`` lines, so that the caller starts sooner), read and prepared on a worker thread."""

    def __init__(
        self,
        opened: OpenedPackage,
        types: Iterable[str],
        size: int,
        prepare: dict[str, Prepare],
        max_bytes: int | None = None,
        name: str = "vaxdesk-initial-read",
        first: int | None = None,
    ) -> None:
        self._max_bytes = max_bytes
        self._first = size if first is None else max(1, min(first, size))
        self._queue: queue.Queue[object] = queue.Queue(maxsize=DEPTH)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run,
            args=(opened, tuple(types), size, dict(prepare)),
            name=name,
            daemon=True,
        )
        self._thread.start()

    def _put(self, item: object) -> bool:
        return put_unless_stopped(self._queue, item, self._stop)

    def _chunk(self, rtype: str, lines: list[bytes], oversize: bool, prep: Prepare | None) -> bool:
        prepared = None if prep is None or oversize else prep(lines)
        return self._put(Chunk(rtype, lines, prepared, oversize))

    def _run(
        self, opened: OpenedPackage, types: tuple[str, ...], size: int, prepare: dict[str, Prepare]
    ) -> None:
        try:
            for rtype in types:
                prep = prepare.get(rtype)
                lines: list[bytes] = []
                oversize = False
                held, most, limit = 0, self._max_bytes, self._first
                for line in opened.record_lines(rtype):
                    if len(line) > MAX_LINE:  # refused by the checks (which may still be running)
                        oversize = True
                    lines.append(line)
                    held += len(line)
                    if len(lines) >= limit or (most is not None and held >= most):
                        if not self._chunk(rtype, lines, oversize, prep):
                            return
                        lines, oversize, held, limit = [], False, 0, size
                    if self._stop.is_set():
                        return
                if lines and not self._chunk(rtype, lines, oversize, prep):
                    return
        except BaseException as exc:  # handed to the caller where the apply meets it
            self._put(_Failed(exc))
            return
        self._put(_DONE)

    def __iter__(self) -> Iterator[Chunk]:
        while True:
            item = self._queue.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.exc
            assert isinstance(item, Chunk)
            yield item

    def close(self) -> None:
        """Stop the worker (if still reading) and wait for it."""
        self._stop.set()
        while self._thread.is_alive():
            try:
                self._queue.get(timeout=0.05)
            except queue.Empty:
                continue
        self._thread.join()
