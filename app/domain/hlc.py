"""The hybrid logical clock that stamps record versions, for the terminal and the hub alike.

A version is ``<13-digit unix ms>.<5-digit counter>.<origin>``: text that sorts in the order the
versions were made (PACKAGE-FORMAT.md §3 ``version``). The clock never goes behind the newest
version it has seen, and past the counter's five digits it moves on to the next millisecond so
the texts keep sorting. Reading the system clock is its only contact with the outside.
"""

from __future__ import annotations

import threading
import time
from typing import Final

_COUNTER_MAX: Final = 99_999  # the counter is rendered in 5 digits


class HybridClock:
    """Monotonic version stamps for one origin, never behind ``last`` (the newest seen)."""

    def __init__(self, origin: str, last: str | None = None) -> None:
        self.origin = origin
        self._lock = threading.Lock()
        self._ms, self._counter = 0, 0
        if last:
            self.observe(last)

    def observe(self, version: str) -> None:
        """Move the clock past a version seen elsewhere (so ours sort after it)."""
        ms_text, counter_text, _ = version.split(".", 2)
        ms, counter = int(ms_text), int(counter_text)
        with self._lock:
            if (ms, counter) > (self._ms, self._counter):
                self._ms, self._counter = ms, counter

    def next(self) -> str:
        with self._lock:
            now_ms = time.time_ns() // 1_000_000
            if now_ms > self._ms:
                self._ms, self._counter = now_ms, 0
            elif self._counter >= _COUNTER_MAX:
                self._ms, self._counter = self._ms + 1, 0
            else:
                self._counter += 1
            return f"{self._ms:013d}.{self._counter:05d}.{self.origin}"

    def next_many(self, count: int) -> list[str]:
        """``count`` successive stamps at once (one clock read for a whole batch). Past the
        counter's 5 digits the clock moves on to the next millisecond, so the texts still sort."""
        out: list[str] = []
        with self._lock:
            now_ms = time.time_ns() // 1_000_000
            if now_ms > self._ms:
                self._ms, self._counter = now_ms, -1
            origin = self.origin
            while len(out) < count:
                if self._counter >= _COUNTER_MAX:
                    self._ms, self._counter = self._ms + 1, -1
                first = self._counter + 1
                last = min(_COUNTER_MAX, first + count - len(out) - 1)
                ms = f"{self._ms:013d}"
                out.extend(f"{ms}.{c:05d}.{origin}" for c in range(first, last + 1))
                self._counter = last
        return out

    @property
    def last(self) -> str:
        return f"{self._ms:013d}.{self._counter:05d}.{self.origin}"
