"""Main-thread CPU and wall of the phases of an ``updates`` import (bench_sync ``--stage
updates``): the set-based plan and write of each window (app/store/sync_fast), the staging of a
window on the applying thread (when the read-ahead did not stage it) and the COMMIT of the
import's transaction. Timers wrapped around those functions for the duration of the import
(a few calls per window: no measurable cost); figures, not assertions."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import Any

from app.store import db, sync_fast

_NAMES = ("stage_lines", "plan", "write", "planned_seqs")


class Phases:
    def __init__(self) -> None:
        self.cpu: dict[str, float] = {}
        self.wall: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self.each: dict[str, list[tuple[float, float]]] = {}
        self._saved: list[tuple[Any, str, Any]] = []

    def _add(self, name: str, cpu: float, wall: float) -> None:
        self.cpu[name] = self.cpu.get(name, 0.0) + cpu
        self.wall[name] = self.wall.get(name, 0.0) + wall
        self.calls[name] = self.calls.get(name, 0) + 1
        self.each.setdefault(name, []).append((round(cpu, 3), round(wall, 3)))

    def _timed(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            c, w = time.thread_time(), time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self._add(name, time.thread_time() - c, time.perf_counter() - w)

        return timed

    def __enter__(self) -> Phases:
        for name in _NAMES:
            real = getattr(sync_fast, name)
            self._saved.append((sync_fast, name, real))
            setattr(sync_fast, name, self._timed(name, real))
        real_tx = db.transaction
        phases = self

        @contextlib.contextmanager
        def transaction(conn: db.Connection) -> Iterator[db.Connection]:
            ended: list[tuple[float, float]] = []
            try:
                with real_tx(conn) as got:
                    try:
                        yield got
                    finally:
                        ended.append((time.thread_time(), time.perf_counter()))
            finally:
                if ended:
                    c, w = ended[0]
                    phases._add("commit", time.thread_time() - c, time.perf_counter() - w)

        self._saved.append((db, "transaction", real_tx))
        db.transaction = transaction
        return self

    def __exit__(self, *exc: object) -> None:
        for module, name, real in reversed(self._saved):
            setattr(module, name, real)
        self._saved.clear()

    def report(self) -> dict[str, Any]:
        return {
            name: {
                "cpu": round(self.cpu[name], 2),
                "wall": round(self.wall[name], 2),
                "calls": self.calls[name],
                "each_cpu_wall": self.each[name] if self.calls[name] <= 10 else [],
            }
            for name in sorted(self.cpu)
        }
