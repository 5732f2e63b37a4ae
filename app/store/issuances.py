"""発行履歴 (issuance history) and document numbering."""

from __future__ import annotations

from dataclasses import dataclass

from app.store.db import Connection
from app.store.stamps import Stamp

_COLUMNS = (
    "id, person_id, fiscal_year, doc_type, series_id, dose_label, issue_no, reason, issued_on,"
    " process_kind, voided_at, void_reason"
)


@dataclass(frozen=True, slots=True)
class IssuanceRow:
    id: int
    person_id: int
    fiscal_year: int
    doc_type: str
    series_id: str | None
    dose_label: str | None
    issue_no: str
    reason: str | None
    issued_on: str
    process_kind: str
    voided_at: str | None
    void_reason: str | None


def next_sequence(conn: Connection, name: str) -> int:
    """Increment and return a named counter kept in ``meta`` (inside the caller's transaction)."""
    key = f"seq.{name}"
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    value = (int(row[0]) if row else 0) + 1
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, str(value)),
    )
    return value


def insert(
    conn: Connection,
    *,
    person_id: int,
    fiscal_year: int,
    doc_type: str,
    series_id: str | None,
    dose_label: str | None,
    issue_no: str,
    reason: str | None,
    issued_on: str,
    process_kind: str,
    uid: bytes,
    version: str,
    origin: str,
    stamp: Stamp,
) -> int:
    cur = conn.execute(
        "INSERT INTO issuances (uid, version, origin, person_id, fiscal_year, doc_type, series_id,"
        " dose_label, issue_no, reason, issued_on, process_kind, updated_date, updated_time,"
        " updated_by) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            uid,
            version,
            origin,
            person_id,
            fiscal_year,
            doc_type,
            series_id,
            dose_label,
            issue_no,
            reason,
            issued_on,
            process_kind,
            stamp.updated_date,
            stamp.updated_time,
            stamp.updated_by,
        ),
    )
    return int(cur.lastrowid or 0)


def active_same(
    conn: Connection,
    person_id: int,
    doc_type: str,
    series_id: str | None,
    dose_label: str | None,
    fiscal_year: int,
) -> list[IssuanceRow]:
    cur = conn.execute(
        f"SELECT {_COLUMNS} FROM issuances WHERE person_id = ? AND doc_type = ?"
        " AND series_id IS ? AND dose_label IS ? AND fiscal_year = ? AND voided_at IS NULL",
        (person_id, doc_type, series_id, dose_label, fiscal_year),
    )
    return [IssuanceRow(*r) for r in cur]


def void(conn: Connection, issuance_id: int, reason: str, *, version: str, stamp: Stamp) -> None:
    conn.execute(
        "UPDATE issuances SET voided_at = datetime('now'), void_reason = ?, version = ?,"
        " updated_date = ?, updated_time = ?, updated_by = ? WHERE id = ?",
        (reason, version, stamp.updated_date, stamp.updated_time, stamp.updated_by, issuance_id),
    )


def for_person(conn: Connection, person_id: int) -> list[IssuanceRow]:
    cur = conn.execute(
        f"SELECT {_COLUMNS} FROM issuances WHERE person_id = ? ORDER BY issued_on DESC, id DESC",
        (person_id,),
    )
    return [IssuanceRow(*r) for r in cur]


def by_number(conn: Connection, issue_no: str) -> IssuanceRow | None:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM issuances WHERE issue_no = ?", (issue_no,)
    ).fetchone()
    return None if row is None else IssuanceRow(*row)


def get(conn: Connection, issuance_id: int) -> IssuanceRow | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM issuances WHERE id = ?", (issuance_id,)).fetchone()
    return None if row is None else IssuanceRow(*row)


def uid_of(conn: Connection, issuance_id: int) -> bytes:
    return bytes(
        conn.execute("SELECT uid FROM issuances WHERE id = ?", (issuance_id,)).fetchone()[0]
    )
