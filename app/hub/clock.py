"""Ids, times and version stamps of the hub (same forms as the terminal's records).

uid: UUIDv7 as 16 raw bytes. Times: UTC RFC 3339 with ``Z`` and whole seconds. Versions: a hybrid
logical clock rendered as text that sorts, ``<13-digit unix ms>.<5-digit counter>.<origin>``.
"""

from __future__ import annotations

from datetime import UTC, datetime

import uuid_utils

from app.domain.hlc import HybridClock as HybridClock  # re-exported for the hub


def new_uid() -> bytes:
    return uuid_utils.uuid7().bytes


def utc_now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
