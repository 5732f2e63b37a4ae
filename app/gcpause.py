"""Cyclic garbage collection paused while millions of small objects are built at once.

The hub's bulk paths (an import of a million residents, an ingested package, an initial emit),
a terminal's package apply (app/services/_bulk.py) and a 未接種者一覧 (~10⁵ row tuples and the
engine's judgements on the first list of a day) allocate objects that reference counting frees;
the cyclic collector's passes, triggered by those allocations, walk every long-lived object of
the process and cost a tenth to a third of the operation's time (flu65 list at 1M: 0.68 -> 0.45 s).
Collections are only deferred to after the block, never skipped, and the collector's previous
state is restored (the desktop application already runs with it disabled and collects on a
timer: app/ui/shell/application.py). One helper for the hub and the services, so it lives
beside app/errors.py rather than in either.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
