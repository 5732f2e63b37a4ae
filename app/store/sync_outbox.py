"""The outbox side of sync: which local changes are waiting, the rows to export, the audit entries
since the acknowledged head, and the counts the 同期 page and the main window show.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from app.store.db import Connection

# Synced record type → table. Foreign keys are exported as the referenced record's uid.
RECORD_TABLES: dict[str, str] = {
    "household": "households",
    "person": "persons",
    "person_number": "person_numbers",
    "institution": "institutions",
    "vaccine": "vaccines",
    "lot": "lots",
    "issuance": "issuances",
    "vaccination": "vaccinations",
}
# column → (record type it points to, the column of that record exported, name in the data)
FOREIGN_KEYS: dict[str, dict[str, tuple[str, str, str]]] = {
    "persons": {
        "household_id": ("household", "uid", "household_uid"),
        "guardian_id": ("person", "uid", "guardian_uid"),
    },
    "person_numbers": {"person_id": ("person", "uid", "person_uid")},
    "lots": {"vaccine_id": ("vaccine", "product_id", "product_id")},
    "issuances": {"person_id": ("person", "uid", "person_uid")},
    "vaccinations": {
        "person_id": ("person", "uid", "person_uid"),
        "institution_id": ("institution", "uid", "institution_uid"),
        "screening_institution_id": ("institution", "uid", "screening_institution_uid"),
        "issuance_id": ("issuance", "uid", "issuance_uid"),
    },
}
ENVELOPE_COLUMNS = ("id", "uid", "version", "origin", "voided_at", "void_reason")


@contextmanager
def read_snapshot(conn: Connection) -> Iterator[None]:
    """One read transaction: every read inside sees the same committed state (WAL snapshot)."""
    conn.execute("BEGIN")
    try:
        yield
    finally:
        conn.execute("COMMIT")


def unsent_count(conn: Connection) -> int:
    """Changed records not yet acknowledged by the server (distinct records)."""
    row = conn.execute(
        "SELECT count(*) FROM (SELECT DISTINCT record_type, record_uid FROM outbox WHERE acked = 0)"
    ).fetchone()
    return int(row[0])


def unpackaged_count(conn: Connection) -> int:
    row = conn.execute(
        "SELECT count(*) FROM (SELECT DISTINCT record_type, record_uid FROM outbox"
        " WHERE acked = 0 AND package_seq IS NULL)"
    ).fetchone()
    return int(row[0])


def pending_keys(conn: Connection) -> list[tuple[str, bytes]]:
    """(record type, uid) of every change not yet in a package, oldest first, each once."""
    rows = conn.execute(
        "SELECT record_type, record_uid, min(id) AS first FROM outbox"
        " WHERE acked = 0 AND package_seq IS NULL GROUP BY record_type, record_uid ORDER BY first"
    ).fetchall()
    return [(str(r[0]), bytes(r[1])) for r in rows]


def max_pending_id(conn: Connection) -> int:
    row = conn.execute(
        "SELECT max(id) FROM outbox WHERE acked = 0 AND package_seq IS NULL"
    ).fetchone()
    return int(row[0] or 0)


def assign_package(conn: Connection, sequence: int, up_to_id: int) -> int:
    """Mark the waiting changes (up to outbox id ``up_to_id``) as sent in ``sequence``."""
    cur = conn.execute(
        "UPDATE outbox SET package_seq = ? WHERE acked = 0 AND package_seq IS NULL AND id <= ?",
        (sequence, up_to_id),
    )
    return int(cur.rowcount)


def unacked_uids(conn: Connection, record_type: str) -> set[bytes]:
    """uids of ``record_type`` with a local change the server has not acknowledged."""
    rows = conn.execute(
        "SELECT DISTINCT record_uid FROM outbox WHERE acked = 0 AND record_type = ?",
        (record_type,),
    ).fetchall()
    return {bytes(r[0]) for r in rows}


def schema_version(conn: Connection) -> int:
    """SQLite's schema cookie: changes whenever any table, index or trigger changes."""
    return int(conn.execute("PRAGMA schema_version").fetchone()[0])


def table_columns(conn: Connection, table: str) -> list[str]:
    """The columns of a synced table, in order."""
    if table not in RECORD_TABLES.values():
        raise ValueError(f"not a synced table: {table}")
    return [str(r[1]) for r in conn.execute(f"PRAGMA table_info({table})").fetchall()]


@dataclass(frozen=True, slots=True)
class RecordRow:
    record_type: str
    uid: bytes
    version: str
    origin: str
    voided_at: str | None
    void_reason: str | None
    data: dict[str, Any]


def _select(conn: Connection, record_type: str, by_outcome: bool) -> tuple[str, tuple[str, ...]]:
    """``SELECT`` of a record type's rows by ``id IN`` with foreign keys joined, and the names of
    the selected values (``person_id`` → ``person_uid``)."""
    table = RECORD_TABLES[record_type]
    fks = FOREIGN_KEYS.get(table, {})
    joins, select, names = [], [], []
    for i, col in enumerate(table_columns(conn, table)):
        if col in fks:
            ref_type, ref_col, out = fks[col]
            alias = f"f{i}"
            joins.append(f" LEFT JOIN {RECORD_TABLES[ref_type]} {alias} ON {alias}.id = t.{col}")
            select.append(f"{alias}.{ref_col}")
            names.append(out)
        else:
            select.append(f"t.{col}")
            names.append(col)
    where = "t.outcome = ? AND " if by_outcome else ""
    sql = f"SELECT {', '.join(select)} FROM {table} t{''.join(joins)} WHERE {where}t.id IN "
    return sql, tuple(names)


def _row_ids(conn: Connection, table: str, uids: list[bytes], batch: int) -> list[int]:
    """Row ids of ``uids`` (those present), sorted: the rows are then read in storage order,
    each page decrypted once, instead of at random."""
    ids: list[int] = []
    sql = f"SELECT id FROM {table} WHERE uid IN "
    for start in range(0, len(uids), batch):
        part = uids[start : start + batch]
        ids.extend(r[0] for r in conn.execute(sql + f"({', '.join('?' * len(part))})", part))
    ids.sort()
    return ids


def read_rows(
    conn: Connection,
    record_type: str,
    uids: list[bytes],
    *,
    batch: int = 2000,
    outcome: str | None = None,
) -> tuple[tuple[str, ...], Iterator[tuple[Any, ...]]]:
    """(names, rows) of the current rows of ``uids`` in row-id order, as plain tuples; a foreign
    key comes as the referenced record's uid (bytes) or product id, under its name in the package
    data (``person_id`` → ``person_uid``)."""
    table = RECORD_TABLES[record_type]
    sql, names = _select(conn, record_type, outcome is not None)
    extra: tuple[Any, ...] = () if outcome is None else (outcome,)

    def rows() -> Iterator[tuple[Any, ...]]:
        ids = _row_ids(conn, table, uids, batch)
        for start in range(0, len(ids), batch):
            part = ids[start : start + batch]
            yield from conn.execute(sql + f"({', '.join('?' * len(part))})", (*extra, *part))

    return names, rows()


def export_names(conn: Connection, record_type: str) -> tuple[str, ...]:
    """The names of the values ``read_rows`` gives for ``record_type``."""
    return _select(conn, record_type, False)[1]


def rows_by_ids(
    conn: Connection, record_type: str, ids: list[int], *, batch: int = 2000
) -> Iterator[tuple[Any, ...]]:
    """The rows of ``ids`` (ascending) as ``read_rows`` gives them (names: ``export_names``)."""
    sql = _select(conn, record_type, False)[0]
    for start in range(0, len(ids), batch):
        part = ids[start : start + batch]
        yield from conn.execute(sql + f"({', '.join('?' * len(part))})", part)


def read_records(
    conn: Connection,
    record_type: str,
    uids: list[bytes],
    *,
    batch: int = 2000,
    outcome: str | None = None,
) -> Iterator[RecordRow]:
    """The current rows of ``uids`` (in row-id order) as ``RecordRow``; see ``read_rows``."""
    names, rows = read_rows(conn, record_type, uids, batch=batch, outcome=outcome)
    i_uid, i_ver, i_org = names.index("uid"), names.index("version"), names.index("origin")
    i_vat, i_vre = names.index("voided_at"), names.index("void_reason")
    keep = [(i, n) for i, n in enumerate(names) if n not in ENVELOPE_COLUMNS]
    for row in rows:
        yield RecordRow(
            record_type,
            bytes(row[i_uid]),
            str(row[i_ver]),
            str(row[i_org]),
            row[i_vat],
            row[i_vre],
            {n: row[i] for i, n in keep},
        )


@dataclass(frozen=True, slots=True)
class AuditRow:
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
    prev_hash: bytes
    entry_hash: bytes


def audit_since(conn: Connection, after_seq: int) -> Iterator[AuditRow]:
    cur = conn.execute(
        "SELECT seq, at, user_id, terminal_id, action, outcome, person_id, record_type, record_id,"
        " detail, prev_hash, entry_hash FROM audit_log WHERE seq > ? ORDER BY seq",
        (after_seq,),
    )
    for r in cur:
        yield AuditRow(
            int(r[0]),
            str(r[1]),
            r[2],
            str(r[3]),
            str(r[4]),
            str(r[5]),
            r[6],
            r[7],
            r[8],
            str(r[9]),
            bytes(r[10]),
            bytes(r[11]),
        )


def audit_head(conn: Connection) -> tuple[int, bytes] | None:
    row = conn.execute("SELECT seq, entry_hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    return None if row is None else (int(row[0]), bytes(row[1]))


def audit_hash_at(conn: Connection, seq: int) -> bytes | None:
    row = conn.execute("SELECT entry_hash FROM audit_log WHERE seq = ?", (seq,)).fetchone()
    return None if row is None else bytes(row[0])


def quarantined_record_count(conn: Connection) -> int:
    row = conn.execute(
        "SELECT count(*) FROM sync_record_quarantine WHERE resolved_at IS NULL"
    ).fetchone()
    return int(row[0])


def open_conflict_count(conn: Connection) -> int:
    row = conn.execute("SELECT count(*) FROM sync_conflicts WHERE status = 'open'").fetchone()
    return int(row[0])
