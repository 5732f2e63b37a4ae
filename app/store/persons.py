"""Person repository: the 4 basic items and the rest of the 宛名 record (no personal number),
and the household address that completes a person's address on every document."""

from __future__ import annotations

from dataclasses import dataclass

from app.store.db import Connection
from app.store.stamps import Stamp

_COLUMNS = (
    "id, atena_no, name, name_kana, sex, birth_date, address, postal_code, phone,"
    " household_id, relationship, guardian_id, tax_status, moved_out, moved_out_date,"
    " deceased, deceased_date, provisional"
)


@dataclass(frozen=True, slots=True)
class PersonRow:
    id: int
    atena_no: str
    name: str
    name_kana: str
    sex: str
    birth_date: str
    address: str
    postal_code: str | None
    phone: str | None
    household_id: int | None
    relationship: str | None
    guardian_id: int | None
    tax_status: str | None
    moved_out: int
    moved_out_date: str | None
    deceased: int
    deceased_date: str | None
    provisional: int


@dataclass(frozen=True, slots=True)
class NewPerson:
    atena_no: str
    name: str
    name_kana: str
    kana_key: str
    sex: str
    birth_date: str
    address: str
    postal_code: str | None = None
    phone: str | None = None
    household_id: int | None = None
    relationship: str | None = None
    guardian_id: int | None = None
    tax_status: str | None = None
    provisional: int = 0


def _rows(conn: Connection, sql: str, params: tuple[object, ...]) -> list[PersonRow]:
    return [PersonRow(*r) for r in conn.execute(sql, params).fetchall()]


def search_kana_range(conn: Connection, low: str, high: str, limit: int) -> list[PersonRow]:
    """Persons whose normalised kana key is in [low, high) (a prefix range), in kana order."""
    return _rows(
        conn,
        f"SELECT {_COLUMNS} FROM persons WHERE kana_key >= ? AND kana_key < ?"
        " AND voided_at IS NULL ORDER BY kana_key, birth_date LIMIT ?",
        (low, high, limit),
    )


def search_atena_no(conn: Connection, atena_no: str, limit: int) -> list[PersonRow]:
    """Exact 宛名番号, or every number starting with the digits given (prefix)."""
    return _rows(
        conn,
        f"SELECT {_COLUMNS} FROM persons WHERE atena_no >= ? AND atena_no < ?"
        " AND voided_at IS NULL ORDER BY atena_no LIMIT ?",
        (atena_no, atena_no + "\uffff", limit),
    )


def search_birth_date(conn: Connection, birth_date: str, limit: int) -> list[PersonRow]:
    return _rows(
        conn,
        f"SELECT {_COLUMNS} FROM persons WHERE birth_date = ? AND voided_at IS NULL"
        " ORDER BY kana_key LIMIT ?",
        (birth_date, limit),
    )


def search_kana_and_birth(
    conn: Connection, low: str, high: str, birth_date: str, limit: int
) -> list[PersonRow]:
    return _rows(
        conn,
        f"SELECT {_COLUMNS} FROM persons WHERE birth_date = ? AND kana_key >= ?"
        " AND kana_key < ? AND voided_at IS NULL ORDER BY kana_key LIMIT ?",
        (birth_date, low, high, limit),
    )


def get(conn: Connection, person_id: int) -> PersonRow | None:
    rows = _rows(conn, f"SELECT {_COLUMNS} FROM persons WHERE id = ?", (person_id,))
    return rows[0] if rows else None


def get_by_atena_no(conn: Connection, atena_no: str) -> PersonRow | None:
    rows = _rows(conn, f"SELECT {_COLUMNS} FROM persons WHERE atena_no = ?", (atena_no,))
    return rows[0] if rows else None


def household_members(conn: Connection, household_id: int) -> list[PersonRow]:
    return _rows(
        conn,
        f"SELECT {_COLUMNS} FROM persons WHERE household_id = ? AND voided_at IS NULL"
        " ORDER BY birth_date",
        (household_id,),
    )


def household_no(conn: Connection, household_id: int) -> str | None:
    row = conn.execute(
        "SELECT household_no FROM households WHERE id = ?", (household_id,)
    ).fetchone()
    return None if row is None else str(row[0])


def insert(
    conn: Connection, person: NewPerson, *, uid: bytes, version: str, origin: str, stamp: Stamp
) -> int:
    cur = conn.execute(
        "INSERT INTO persons (uid, version, origin, atena_no, name, name_kana, kana_key, sex,"
        " birth_date, address, postal_code, phone, household_id, relationship, guardian_id,"
        " tax_status, provisional, updated_date, updated_time, updated_by)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            uid,
            version,
            origin,
            person.atena_no,
            person.name,
            person.name_kana,
            person.kana_key,
            person.sex,
            person.birth_date,
            person.address,
            person.postal_code,
            person.phone,
            person.household_id,
            person.relationship,
            person.guardian_id,
            person.tax_status,
            person.provisional,
            stamp.updated_date,
            stamp.updated_time,
            stamp.updated_by,
        ),
    )
    return int(cur.lastrowid or 0)


def area_codes(conn: Connection) -> list[str]:
    cur = conn.execute(
        "SELECT DISTINCT area_code FROM households WHERE area_code IS NOT NULL ORDER BY area_code"
    )
    return [str(r[0]) for r in cur]


@dataclass(frozen=True, slots=True)
class HouseholdAddress:
    postal_code: str | None
    address: str


def household_address(conn: Connection, household_id: int) -> HouseholdAddress | None:
    row = conn.execute(
        "SELECT postal_code, address FROM households WHERE id = ? AND voided_at IS NULL",
        (household_id,),
    ).fetchone()
    return None if row is None else HouseholdAddress(row[0], str(row[1]))
