"""The register's own vaccine catalog (corrections imported by an administrator) and its history.

Kept in the encrypted register's ``meta`` table: every imported version's text under
``catalog.version.<n>``, the list of versions (number, sha256, time, staff number, the change
count) under ``catalog.history`` and the version in force under ``catalog.current``. Nothing is
overwritten: a new import adds a version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from app.store.db import Connection
from app.store.register_meta import get_meta, set_meta

_CURRENT = "catalog.current"
_HISTORY = "catalog.history"


def _version_key(number: int) -> str:
    return f"catalog.version.{number}"


@dataclass(frozen=True, slots=True)
class CatalogVersionRow:
    number: int
    sha256: str
    imported_at: str
    staff_no: str
    changes: int


def history(conn: Connection) -> list[CatalogVersionRow]:
    """Every imported version, oldest first."""
    text = get_meta(conn, _HISTORY)
    rows: list[dict[str, object]] = json.loads(text) if text else []
    return [
        CatalogVersionRow(
            int(str(r["number"])),
            str(r["sha256"]),
            str(r["imported_at"]),
            str(r["staff_no"]),
            int(str(r["changes"])),
        )
        for r in rows
    ]


def current(conn: Connection) -> tuple[int, str] | None:
    """The version in force and its text, or None (the bundled catalog applies)."""
    number = get_meta(conn, _CURRENT)
    if number is None:
        return None
    text = get_meta(conn, _version_key(int(number)))
    return None if text is None else (int(number), text)


def add_version(conn: Connection, text: str, row: CatalogVersionRow) -> None:
    """Store a new version and put it in force (inside the caller's transaction)."""
    rows = [*history(conn), row]
    set_meta(conn, _version_key(row.number), text)
    set_meta(conn, _HISTORY, json.dumps([_row(r) for r in rows]))
    set_meta(conn, _CURRENT, str(row.number))


def _row(r: CatalogVersionRow) -> dict[str, object]:
    return {
        "number": r.number,
        "sha256": r.sha256,
        "imported_at": r.imported_at,
        "staff_no": r.staff_no,
        "changes": r.changes,
    }
