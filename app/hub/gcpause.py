"""Cyclic garbage collection paused during a bulk operation of the hub.

An import of a million residents, an ingested package or an initial emit allocates millions of
small tuples and dicts that reference counting frees; the cyclic collector's passes over them
(and over the long-lived in-memory index of the register that an import keeps) cost a tenth or
more of the operation's time. Collections are only deferred to after the block, never skipped,
and the collector's previous state is restored.
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
