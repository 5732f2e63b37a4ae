"""The tamper-evident audit log: append-only rows, each hash-chained to the previous one.

entry_hash = SHA-256(prev_hash ‖ canonical JSON of the entry's fields). The first entry chains to
32 zero bytes. Triggers in the schema refuse UPDATE and DELETE; ``verify_chain`` finds the first
entry whose bytes no longer match. Entries hold ids and codes only, never names or numbers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.domain.audit_chain import FIELDS as _FIELDS
from app.domain.audit_chain import GENESIS, entry_hash
from app.store.db import Connection


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    at: str
    user_id: int | None
    terminal_id: str
    action: str
    outcome: str
    person_id: int | None
    record_type: str | None
    record_id: int | None
    detail: str


def append(
    conn: Connection,
    *,
    action: str,
    terminal_id: str,
    user_id: int | None = None,
    outcome: str = "ok",
    person_id: int | None = None,
    record_type: str | None = None,
    record_id: int | None = None,
    detail: Mapping[str, Any] | None = None,
) -> int:
    """Append one entry; call inside the caller's transaction. Returns its sequence number."""
    last = conn.execute(
        "SELECT seq, entry_hash FROM audit_log ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    seq, prev = (1, GENESIS) if last is None else (int(last[0]) + 1, bytes(last[1]))
    fields: dict[str, Any] = {
        "seq": seq,
        "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "user_id": user_id,
        "terminal_id": terminal_id,
        "action": action,
        "outcome": outcome,
        "person_id": person_id,
        "record_type": record_type,
        "record_id": record_id,
        "detail": json.dumps(dict(detail or {}), ensure_ascii=False, sort_keys=True),
    }
    conn.execute(
        "INSERT INTO audit_log (seq, at, user_id, terminal_id, action, outcome, person_id,"
        " record_type, record_id, detail, prev_hash, entry_hash)"
        " VALUES (:seq, :at, :user_id, :terminal_id, :action, :outcome, :person_id,"
        " :record_type, :record_id, :detail, :prev_hash, :entry_hash)",
        {**fields, "prev_hash": prev, "entry_hash": entry_hash(prev, fields)},
    )
    return seq


@dataclass(frozen=True, slots=True)
class ChainReport:
    entries: int
    first_broken_seq: int | None
    # set by the service when the chain does not reach the head kept outside the database
    # (app.security.audit_head: head_missing, head_unauthenticated, db_behind, diverged)
    head_problem: str | None = None
    head_seq: int | None = None
    # The head the server acknowledged (PACKAGE-FORMAT.md §6) that the chain does not reach with
    # the same hash (truncated or rewritten log), if any.
    anchor_missed_seq: int | None = None

    @property
    def intact(self) -> bool:
        return (
            self.first_broken_seq is None
            and self.head_problem is None
            and self.anchor_missed_seq is None
        )


def verify_chain(conn: Connection) -> ChainReport:
    """Recompute every hash in order; report the first entry that does not match."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    cur = conn.execute(
        "SELECT seq, at, user_id, terminal_id, action, outcome, person_id, record_type,"
        " record_id, detail, prev_hash, entry_hash FROM audit_log ORDER BY seq"
    )
    for row in cur:
        count += 1
        fields = dict(zip(_FIELDS, row[:10], strict=True))
        seq = int(fields["seq"])
        if (
            seq != expected_seq
            or bytes(row[10]) != prev
            or entry_hash(prev, fields) != bytes(row[11])
        ):
            return ChainReport(count, seq)
        prev = bytes(row[11])
        expected_seq += 1
    return ChainReport(count, None)


def last_link(conn: Connection) -> tuple[int, bytes] | None:
    """(seq, entry_hash) of the newest entry, or None for an empty log."""
    row = conn.execute("SELECT seq, entry_hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    return None if row is None else (int(row[0]), bytes(row[1]))


def hash_at(conn: Connection, seq: int) -> bytes | None:
    row = conn.execute("SELECT entry_hash FROM audit_log WHERE seq = ?", (seq,)).fetchone()
    return None if row is None else bytes(row[0])


def query(
    conn: Connection,
    *,
    user_id: int | None = None,
    action: str | None = None,
    person_id: int | None = None,
    date_from: str | None = None,
    date_until: str | None = None,
    at_from: str | None = None,
    at_before: str | None = None,
    limit: int = 1000,
) -> Iterator[AuditEntry]:
    """Filtered entries, newest first. Dates are ISO ``YYYY-MM-DD`` (inclusive, UTC);
    ``at_from`` (inclusive) and ``at_before`` (exclusive) are UTC instants written as the log
    writes them (``YYYY-MM-DDTHH:MM:SS.mmm+00:00``), for a range of local days."""
    clauses: list[str] = []
    params: list[object] = []
    if user_id is not None:
        clauses.append("user_id = ?")
        params.append(user_id)
    if action is not None:
        clauses.append("action = ?")
        params.append(action)
    if person_id is not None:
        clauses.append("person_id = ?")
        params.append(person_id)
    if date_from is not None:
        clauses.append("at >= ?")
        params.append(date_from)
    if date_until is not None:
        clauses.append("at < date(?, '+1 day')")
        params.append(date_until)
    if at_from is not None:
        clauses.append("at >= ?")
        params.append(at_from)
    if at_before is not None:
        clauses.append("at < ?")
        params.append(at_before)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    cur = conn.execute(
        "SELECT seq, at, user_id, terminal_id, action, outcome, person_id, record_type,"
        f" record_id, detail FROM audit_log {where} ORDER BY seq DESC LIMIT ?",
        (*params, limit),
    )
    for row in cur:
        yield AuditEntry(*row)
