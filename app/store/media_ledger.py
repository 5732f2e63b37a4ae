"""媒体管理簿: removable media that carried a package (written or read), and their erasure."""

from __future__ import annotations

from dataclasses import dataclass

from app.store.db import Connection
from app.store.sync_state import utc_now


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    id: int
    at: str
    direction: str
    package_id: str | None
    sequence: int | None
    file_name: str
    file_path: str
    volume_label: str | None
    volume_serial: str | None
    carried_by: int
    approved_by: str
    erased_at: str | None
    erased_by: int | None


_COLS = (
    "id, at, direction, package_id, sequence, file_name, file_path, volume_label, volume_serial,"
    " carried_by, approved_by, erased_at, erased_by"
)


def add(
    conn: Connection,
    *,
    direction: str,
    package_id: str | None,
    sequence: int | None,
    file_name: str,
    file_path: str,
    volume_label: str | None,
    volume_serial: str | None,
    carried_by: int,
    approved_by: str,
) -> int:
    cur = conn.execute(
        f"INSERT INTO media_ledger ({_COLS.split(', ', 1)[1]}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
        " ?, NULL, NULL)",
        (
            utc_now(),
            direction,
            package_id,
            sequence,
            file_name,
            file_path,
            volume_label,
            volume_serial,
            carried_by,
            approved_by,
        ),
    )
    return int(cur.lastrowid)


def entries(
    conn: Connection,
    *,
    direction: str | None = None,
    date_from: str | None = None,
    date_until: str | None = None,
    limit: int = 1000,
) -> list[LedgerEntry]:
    clauses, params = [], []
    if direction is not None:
        clauses.append("direction = ?")
        params.append(direction)
    if date_from is not None:
        clauses.append("at >= ?")
        params.append(date_from)
    if date_until is not None:
        clauses.append("at < date(?, '+1 day')")
        params.append(date_until)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = conn.execute(
        f"SELECT {_COLS} FROM media_ledger {where} ORDER BY id DESC LIMIT ?", (*params, limit)
    ).fetchall()
    return [LedgerEntry(*r) for r in rows]


def entry(conn: Connection, entry_id: int) -> LedgerEntry | None:
    row = conn.execute(f"SELECT {_COLS} FROM media_ledger WHERE id = ?", (entry_id,)).fetchone()
    return None if row is None else LedgerEntry(*row)


def mark_erased(conn: Connection, entry_id: int, user_id: int) -> bool:
    cur = conn.execute(
        "UPDATE media_ledger SET erased_at = ?, erased_by = ? WHERE id = ? AND erased_at IS NULL",
        (utc_now(), user_id, entry_id),
    )
    return int(cur.rowcount) == 1


def user_id_by_staff_no(conn: Connection, staff_no: str) -> int | None:
    row = conn.execute(
        "SELECT id FROM users WHERE staff_no = ? AND active = 1", (staff_no,)
    ).fetchone()
    return None if row is None else int(row[0])
