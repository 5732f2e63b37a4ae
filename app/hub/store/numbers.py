"""Queries of the hub's 個人番号 rows for the numbers terminals send (app/hub/terminal_numbers.py).

Numbers stay encrypted (``number_ct``) and are compared by blind index only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from app.hub.store.bulk import select_in
from app.hub.store.schema import person_numbers, persons


@dataclass(frozen=True, slots=True)
class StoredNumber:
    person_uid: bytes
    uid: bytes
    number_ct: bytes
    blind_index: bytes
    version: str
    provisional_origin: str | None


def _stored(row: Any) -> StoredNumber:
    return StoredNumber(
        bytes(row[0]),
        bytes(row[1]),
        bytes(row[2]),
        bytes(row[3]),
        str(row[4]),
        None if row[5] is None else str(row[5]),
    )


_COLS = (
    person_numbers.c.person_uid,
    person_numbers.c.uid,
    person_numbers.c.number_ct,
    person_numbers.c.blind_index,
    person_numbers.c.version,
    person_numbers.c.provisional_origin,
)


def numbers_of(conn: Connection, person_uids: list[bytes]) -> dict[bytes, StoredNumber]:
    """person uid → its stored 個人番号 row, for the ``person_uids`` that have one."""
    stmt = select(*_COLS)
    rows = select_in(conn, "numbers_of", stmt, person_numbers.c.person_uid, person_uids)
    return {s.person_uid: s for s in map(_stored, rows)}


def numbers_by_uid(conn: Connection, uids: list[bytes]) -> dict[bytes, StoredNumber]:
    """record uid → stored 個人番号 row."""
    stmt = select(*_COLS)
    rows = select_in(conn, "numbers_by_uid", stmt, person_numbers.c.uid, uids)
    return {s.uid: s for s in map(_stored, rows)}


def holders_of(conn: Connection, blinds: list[bytes]) -> dict[bytes, set[bytes]]:
    """blind index → the persons whose number has it."""
    stmt = select(person_numbers.c.blind_index, person_numbers.c.person_uid)
    out: dict[bytes, set[bytes]] = {}
    for blind, person_uid in select_in(
        conn, "holders_of", stmt, person_numbers.c.blind_index, blinds
    ):
        out.setdefault(bytes(blind), set()).add(bytes(person_uid))
    return out


def register_persons(conn: Connection, uids: list[bytes]) -> set[bytes]:
    """The ``uids`` that are persons of the central register (not provisional persons)."""
    return {
        bytes(r[0]) for r in select_in(conn, "persons", select(persons.c.uid), persons.c.uid, uids)
    }


def insert_number(conn: Connection, **values: Any) -> None:
    conn.execute(insert(person_numbers).values(**values))


def update_number(conn: Connection, person_uid: bytes, **values: Any) -> None:
    conn.execute(
        update(person_numbers).where(person_numbers.c.person_uid == person_uid).values(**values)
    )


def provisional_numbers(conn: Connection, limit: int) -> tuple[int, list[dict[str, Any]]]:
    """How many 個人番号 are provisional, and the newest ``limit`` of them (person uid, record
    uid, the terminal that entered it, version; never the number)."""
    where = person_numbers.c.provisional_origin.is_not(None)
    total = int(
        conn.execute(select(func.count()).select_from(person_numbers).where(where)).scalar_one()
    )
    rows = conn.execute(
        select(
            person_numbers.c.person_uid,
            person_numbers.c.uid,
            person_numbers.c.provisional_origin,
            person_numbers.c.version,
        )
        .where(where)
        .order_by(person_numbers.c.change_seq.desc())
        .limit(limit)
    )
    return total, [
        {"person_uid": bytes(r[0]), "uid": bytes(r[1]), "origin": str(r[2]), "version": str(r[3])}
        for r in rows
    ]
