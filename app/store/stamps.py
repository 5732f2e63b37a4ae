"""Identity and version stamps shared by every synced record, and the sync outbox.

uid: UUIDv7 as 16 bytes. version: a hybrid logical clock rendered as text that sorts,
``<13-digit unix ms>.<5-digit counter>.<origin>``. updated_date / updated_time / updated_by:
更新日・更新時刻・更新者職員番号 in local time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import uuid_utils

from app.domain.hlc import HybridClock as DomainClock
from app.store import outbox_lines
from app.store.db import Connection
from app.store.sync_lines import LineShape
from app.store.sync_outbox import RECORD_TABLES


def new_uid() -> bytes:
    return uuid_utils.uuid7().bytes


@dataclass(frozen=True, slots=True)
class Stamp:
    updated_date: str
    updated_time: str
    updated_by: str

    @classmethod
    def now(cls, staff_no: str) -> Stamp:
        now = datetime.now()
        return cls(now.strftime("%Y-%m-%d"), now.strftime("%H:%M:%S"), staff_no)


class HybridClock(DomainClock):
    """The domain clock, persisted in ``meta.hlc_last``."""

    @classmethod
    def load(cls, conn: Connection, origin: str) -> HybridClock:
        row = conn.execute("SELECT value FROM meta WHERE key = 'hlc_last'").fetchone()
        return cls(origin, row[0] if row else None)

    def persist(self, conn: Connection, version: str) -> None:
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('hlc_last', ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (version,),
        )


def queue_outbox(
    conn: Connection,
    record_type: str,
    uid: bytes,
    version: str,
    *,
    shapes: tuple[LineShape, LineShape | None] | None = None,
    check: outbox_lines.LineCheck | None = None,
) -> int:
    """An outbox entry for the changed record, with its row id (the export reads rows by id),
    and with ``shapes`` (the record's package line shape and that of its alternate rows) the
    record's package line as it is now when it passes ``check`` (``outbox_lines``; call after
    writing the row). Returns the entry's id."""
    table = RECORD_TABLES.get(record_type)
    row_id = "NULL" if table is None else f"(SELECT id FROM {table} WHERE uid = :uid)"
    cur = conn.execute(
        "INSERT INTO outbox (record_type, record_uid, version, queued_at, record_id)"
        f" VALUES (:type, :uid, :version, datetime('now'), {row_id})",
        {"type": record_type, "uid": uid, "version": version},
    )
    outbox_id = cur.lastrowid
    if outbox_id is None:
        raise RuntimeError("outbox entry without an id")
    if shapes is not None and table is not None:
        outbox_lines.store(conn, int(outbox_id), uid, *shapes, check=check)
    return int(outbox_id)
