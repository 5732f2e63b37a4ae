"""The audit log's hash chain: which fields an entry's hash covers and how it is computed.

One definition for the terminal (``app.store.audit`` appends and verifies its own log) and the
hub (``app.hub.audit_chain`` checks that a terminal's entries continue the chain it holds,
PACKAGE-FORMAT.md §6), so the two can never disagree about a hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, Final

GENESIS: Final = bytes(32)  # the "previous hash" of the first entry
FIELDS: Final = (
    "seq",
    "at",
    "user_id",
    "terminal_id",
    "action",
    "outcome",
    "person_id",
    "record_type",
    "record_id",
    "detail",
)


def entry_hash(prev_hash: bytes, entry: Mapping[str, Any]) -> bytes:
    """SHA-256 over the previous hash and the entry's fields as compact JSON (a list, in
    ``FIELDS`` order; ``detail`` is already its canonical JSON text)."""
    body = json.dumps([entry[f] for f in FIELDS], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(prev_hash + body.encode("utf-8")).digest()
