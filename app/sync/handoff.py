"""Handing items from a worker thread to its consumer through a bounded queue, giving up when the
consumer has stopped (the zip inflater of ``inner.py``, the initial load's read-ahead and the
updates fast path's row builder all hand over this way)."""

from __future__ import annotations

import queue
import threading
from typing import Any


def put_unless_stopped(q: queue.Queue[Any], item: object, stop: threading.Event) -> bool:
    """Put ``item`` on ``q``, waiting while it is full; False (nothing put) once ``stop`` is set."""
    while not stop.is_set():
        try:
            q.put(item, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False
