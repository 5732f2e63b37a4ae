"""The settings of a bulk apply (an imported package): cyclic garbage collection paused and a
big page cache for its duration.

An import allocates millions of small tuples and dicts that reference counting frees; the cyclic
collector's passes over them cost a tenth or more of the time (as in the hub's bulk paths,
app/gcpause.py). Collections are only deferred to after the block, never skipped. The page
cache holds the pages a package touches in random order (uid indexes, an index by birth date)
so that each is written once, at the commit, instead of being spilled and read back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from app.gcpause import collector_paused
from app.store import bulk, db

# MiB of page cache while a package is applied (the register's usual cache is 64 MiB); SQLite
# takes it only as pages are used, so a small package costs nothing.
APPLY_CACHE_MIB = 512


@contextmanager
def bulk_apply(conn: db.Connection) -> Iterator[None]:
    with collector_paused(), bulk.page_cache(conn, APPLY_CACHE_MIB):
        yield
