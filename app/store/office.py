"""The office settings row (migration 0003): the 窓口 named on individual notices."""

from __future__ import annotations

from dataclasses import dataclass

from app.store.db import Connection


@dataclass(frozen=True, slots=True)
class OfficeSettings:
    name: str
    address: str
    phone: str
    updated_date: str = ""
    updated_time: str = ""
    updated_by: str = ""


def get_office(conn: Connection) -> OfficeSettings | None:
    row = conn.execute(
        "SELECT name, address, phone, updated_date, updated_time, updated_by"
        " FROM office_settings WHERE id = 1"
    ).fetchone()
    return None if row is None else OfficeSettings(*(str(x) for x in row))


def set_office(conn: Connection, office: OfficeSettings) -> None:
    """Insert or replace the one row (inside the caller's transaction)."""
    conn.execute(
        "INSERT INTO office_settings (id, name, address, phone, updated_date, updated_time,"
        " updated_by) VALUES (1, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
        " name = excluded.name, address = excluded.address, phone = excluded.phone,"
        " updated_date = excluded.updated_date, updated_time = excluded.updated_time,"
        " updated_by = excluded.updated_by",
        (
            office.name,
            office.address,
            office.phone,
            office.updated_date,
            office.updated_time,
            office.updated_by,
        ),
    )
