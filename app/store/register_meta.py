"""The register's ``meta`` table: register id, terminal id, municipality settings, flags."""

from __future__ import annotations

import sqlcipher3

from app.store.db import Connection, RegisterNotARegister


def get_meta(conn: Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def register_id(conn: Connection) -> str | None:
    """The register's id from ``meta``; a database without that table is not a VaxDesk register."""
    try:
        return get_meta(conn, "register_id")
    except sqlcipher3.OperationalError as exc:
        raise RegisterNotARegister() from exc


def set_meta(conn: Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
