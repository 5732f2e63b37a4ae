"""The register's ``meta`` table: register id, terminal id, municipality settings, flags, the
names of the 地区 (``area_names``: a JSON object code → name)."""

from __future__ import annotations

import json

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


AREA_NAMES_KEY = "area_names"


def area_names(conn: Connection) -> dict[str, str]:
    """地区 code → name as set for the register (empty when none were set or the value is not a
    JSON object of strings: a code is then shown without a name)."""
    raw = get_meta(conn, AREA_NAMES_KEY)
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): str(v) for k, v in data.items() if isinstance(v, str) and v.strip()}


def set_area_names(conn: Connection, names: dict[str, str]) -> None:
    set_meta(conn, AREA_NAMES_KEY, json.dumps(names, ensure_ascii=False, sort_keys=True))


def set_meta(conn: Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
