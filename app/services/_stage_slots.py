"""The hand-over of the slots of a staging ring (``app.store.stage_db``) between the read-ahead
thread, which fills them, and the applying thread, which reads them (issue 9).

The read-ahead thread takes slot j % ``slots`` for the j-th chunk it stages, once the applying
thread has given back the chunk that held it before (chunks are applied in the order they are
staged, so that one is the (j - ``slots``)-th). Used by an ``initial`` load
(``_initial_lines.Stager``) and by the plain updates of an ``updates`` package (``_sync_fast``).
"""

from __future__ import annotations

import threading
from typing import Any


class SlotHandover:
    """Slots of ``ring`` handed over in order (see the module docstring)."""

    def __init__(self, ring: Any, slots: int) -> None:
        self.ring = ring
        self.slots = slots
        self._free = threading.Semaphore(slots)
        self._stopped = threading.Event()
        self._next = 0

    def stage(self, key: str, *args: Any) -> int | None:
        """The slot now holding what ``ring.fill(key, slot, *args)`` put there, or None (stopped,
        or SQLite refused it)."""
        while not self._free.acquire(timeout=0.05):
            if self._stopped.is_set():
                return None
        slot = self._next % self.slots
        self._next += 1
        if self._stopped.is_set() or not self.ring.fill(key, slot, *args):
            self._free.release()
            return None
        return slot

    def release(self) -> None:
        """The applying thread is done with the oldest slot handed to it."""
        self._free.release()

    def stop(self) -> None:
        """No more staging (the read-ahead thread gives up waiting for a slot)."""
        self._stopped.set()

    def close(self) -> None:
        self.ring.close()
