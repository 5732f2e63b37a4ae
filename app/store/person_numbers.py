"""個人番号 rows: ciphertext and blind index only; the clear number never reaches SQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from app.store.db import Connection
from app.store.stamps import Stamp


@dataclass(frozen=True, slots=True)
class NumberRow:
    id: int
    person_id: int
    person_uid: bytes
    number_ct: bytes


def get_for_person(conn: Connection, person_id: int) -> NumberRow | None:
    row = conn.execute(
        "SELECT n.id, n.person_id, p.uid, n.number_ct FROM person_numbers n"
        " JOIN persons p ON p.id = n.person_id WHERE n.person_id = ? AND n.voided_at IS NULL",
        (person_id,),
    ).fetchone()
    return (
        None if row is None else NumberRow(int(row[0]), int(row[1]), bytes(row[2]), bytes(row[3]))
    )


def person_ids_by_index(conn: Connection, blind_index: bytes) -> list[int]:
    cur = conn.execute(
        "SELECT person_id FROM person_numbers WHERE blind_index = ? AND voided_at IS NULL",
        (blind_index,),
    )
    return [int(r[0]) for r in cur]


def person_uid(conn: Connection, person_id: int) -> bytes | None:
    row = conn.execute("SELECT uid FROM persons WHERE id = ?", (person_id,)).fetchone()
    return None if row is None else bytes(row[0])


def upsert(
    conn: Connection,
    *,
    person_id: int,
    number_ct: bytes,
    blind_index: bytes,
    uid: bytes,
    version: str,
    origin: str,
    stamp: Stamp,
) -> tuple[int, bytes]:
    """Insert or replace the person's number; returns (row id, row uid)."""
    existing = conn.execute(
        "SELECT id, uid FROM person_numbers WHERE person_id = ?", (person_id,)
    ).fetchone()
    if existing is None:
        cur = conn.execute(
            "INSERT INTO person_numbers (uid, version, origin, person_id, number_ct, blind_index,"
            " updated_date, updated_time, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                uid,
                version,
                origin,
                person_id,
                number_ct,
                blind_index,
                stamp.updated_date,
                stamp.updated_time,
                stamp.updated_by,
            ),
        )
        return int(cur.lastrowid or 0), uid
    conn.execute(
        "UPDATE person_numbers SET number_ct = ?, blind_index = ?, version = ?, origin = ?,"
        " voided_at = NULL, void_reason = NULL, updated_date = ?, updated_time = ?,"
        " updated_by = ? WHERE id = ?",
        (
            number_ct,
            blind_index,
            version,
            origin,
            stamp.updated_date,
            stamp.updated_time,
            stamp.updated_by,
            existing[0],
        ),
    )
    return int(existing[0]), bytes(existing[1])


def all_ciphertexts(
    conn: Connection, batch: int = 10_000
) -> Iterator[list[tuple[int, bytes, bytes]]]:
    """Every stored number (voided ones too) as (row id, person uid, ciphertext), in batches."""
    cur = conn.execute(
        "SELECT n.id, p.uid, n.number_ct FROM person_numbers n"
        " JOIN persons p ON p.id = n.person_id ORDER BY n.id"
    )
    while rows := cur.fetchmany(batch):
        yield [(int(r[0]), bytes(r[1]), bytes(r[2])) for r in rows]


def replace_ciphertexts(conn: Connection, rows: list[tuple[bytes, bytes, int]]) -> None:
    """Re-encrypted values: (ciphertext, blind index, row id); the row's version is unchanged
    (a re-encryption under a new key is not a change of the record)."""
    conn.executemany("UPDATE person_numbers SET number_ct = ?, blind_index = ? WHERE id = ?", rows)
