"""Queries of the central resident register (persons and their encrypted 個人番号)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Index, func, select

from app.hub.store.bulk import insert_rows, update_rows
from app.hub.store.schema import conflicts, import_runs, person_numbers, persons, records

PERSON_COLUMNS = (
    "uid",
    "atena_no",
    "name",
    "name_kana",
    "kana_key",
    "sex",
    "birth_date",
    "address",
    "household_no",
    "relationship",
    "status",
    "moved_in_date",
    "moved_out_date",
    "deceased_date",
    "last_event",
    "last_event_date",
    "row_hash",
    "version",
    "origin",
    "voided_at",
    "void_reason",
    "change_seq",
)
UPDATE_COLUMNS = PERSON_COLUMNS[1:]
# inserted by an import: the 住民記録's numbers (the provisional columns stay NULL)
NUMBER_COLUMNS = ("person_uid", "uid", "number_ct", "blind_index", "version", "change_seq")
# updated by an import: a changed number, or a provisional one confirmed or replaced
NUMBER_UPDATE_COLUMNS = (
    "number_ct",
    "blind_index",
    "version",
    "change_seq",
    "provisional_origin",
    "updated_date",
    "updated_time",
    "updated_by",
)

# 宛名番号 → (uid, row hash, blind index of the 個人番号 or None, that number is provisional)
Existing = dict[str, tuple[bytes, bytes, bytes | None, bool]]


def existing_persons(conn: Connection) -> Existing:
    """宛名番号 → (uid, row hash, blind index of the 個人番号 or None, provisional), for diffing
    an import."""
    stmt = select(
        persons.c.atena_no,
        persons.c.uid,
        persons.c.row_hash,
        person_numbers.c.blind_index,
        person_numbers.c.provisional_origin,
    ).outerjoin(person_numbers, person_numbers.c.person_uid == persons.c.uid)
    out: Existing = {}
    row: Any
    for row in conn.execute(stmt.execution_options(yield_per=50_000)):
        atena, uid, row_hash, blind, provisional = row
        out[str(atena)] = (
            bytes(uid),
            bytes(row_hash),
            None if blind is None else bytes(blind),
            provisional is not None,
        )
    return out


def drop_secondary_indexes(conn: Connection) -> list[Index]:
    """Drop the plain (non-unique) indexes of persons and person_numbers for a bulk load into an
    empty register; ``create_indexes`` builds them again from the loaded rows in one pass each,
    faster than a million random index inserts. Both happen inside the caller's transaction
    (DDL is transactional on both engines), so a failed import leaves the indexes as they were."""
    dropped = [*persons.indexes, *person_numbers.indexes]
    for index in dropped:
        index.drop(conn)
    return dropped


def create_indexes(conn: Connection, indexes: list[Index]) -> None:
    for index in indexes:
        index.create(conn)


def insert_persons(conn: Connection, rows: Iterable[tuple[Any, ...]]) -> int:
    return insert_rows(conn, persons, PERSON_COLUMNS, rows)


def update_persons(conn: Connection, rows: Sequence[tuple[Any, ...]]) -> int:
    """Rows are full person tuples in ``PERSON_COLUMNS`` order (uid first, the key)."""
    return update_rows(conn, persons, "uid", UPDATE_COLUMNS, rows)


def insert_numbers(conn: Connection, rows: Iterable[tuple[Any, ...]]) -> int:
    return insert_rows(conn, person_numbers, NUMBER_COLUMNS, rows)


def update_numbers(conn: Connection, rows: Sequence[tuple[Any, ...]]) -> int:
    """Rows ``(person_uid, *NUMBER_UPDATE_COLUMNS)``."""
    return update_rows(conn, person_numbers, "person_uid", NUMBER_UPDATE_COLUMNS, rows)


def resident_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(persons)).scalar_one())


def person_by_atena(conn: Connection, atena_no: str) -> dict[str, Any] | None:
    row = conn.execute(select(persons).where(persons.c.atena_no == atena_no)).mappings().first()
    return None if row is None else dict(row)


def number_of(conn: Connection, person_uid: bytes) -> tuple[bytes, bytes] | None:
    row = conn.execute(
        select(person_numbers.c.number_ct, person_numbers.c.blind_index).where(
            person_numbers.c.person_uid == person_uid
        )
    ).first()
    return None if row is None else (bytes(row[0]), bytes(row[1]))


def persons_by_blind_index(conn: Connection, blind: bytes) -> list[bytes]:
    rows = conn.execute(
        select(person_numbers.c.person_uid).where(person_numbers.c.blind_index == blind)
    )
    return [bytes(r[0]) for r in rows]


def unacked_changes(conn: Connection, acked_change_seq: int) -> int:
    """Register rows changed after the position a terminal has acknowledged."""
    total = 0
    for table in (persons, person_numbers, records, conflicts):
        total += int(
            conn.execute(
                select(func.count()).select_from(table).where(table.c.change_seq > acked_change_seq)
            ).scalar_one()
        )
    return total


def record_import_run(
    conn: Connection,
    at: str,
    file_sha256: str,
    rows: int,
    inserted: int,
    updated: int,
    unchanged: int,
    rejected: int,
) -> None:
    conn.execute(
        import_runs.insert().values(
            at=at,
            file_sha256=file_sha256,
            rows=rows,
            inserted=inserted,
            updated=updated,
            unchanged=unchanged,
            rejected=rejected,
        )
    )
