"""The hub's side of retention purges: remove the records a terminal's ``purge`` record names
from the stored records and the conflict queue (both engines; SQLAlchemy Core)."""

from __future__ import annotations

from sqlalchemy import Connection, and_, delete, or_

from app.hub.store.bulk import is_postgres
from app.hub.store.schema import conflicts, records

_CHUNK = 500


def secure_delete(conn: Connection, on: bool) -> None:
    """Embedded engine: overwrite deleted content (SQLCipher ``secure_delete``). PostgreSQL
    keeps dead tuples until its VACUUM: nothing to switch here (see README, 保存期間と消去)."""
    if not is_postgres(conn):
        conn.exec_driver_sql(f"PRAGMA secure_delete = {'ON' if on else 'OFF'}")


def delete_records(conn: Connection, items: list[tuple[str, bytes]]) -> int:
    """Delete the stored records and conflicts of ``items`` ((type, uid) pairs); returns the
    number of records removed."""
    removed = 0
    for start in range(0, len(items), _CHUNK):
        part = items[start : start + _CHUNK]
        match = or_(*(and_(records.c.type == t, records.c.uid == u) for t, u in part))
        removed += int(conn.execute(delete(records).where(match)).rowcount or 0)
        cmatch = or_(*(and_(conflicts.c.type == t, conflicts.c.uid == u) for t, u in part))
        conn.execute(delete(conflicts).where(cmatch))
    return removed
