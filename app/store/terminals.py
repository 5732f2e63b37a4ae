"""Terminals that have been provisioned for this register."""

from __future__ import annotations

from app.store.db import Connection


def insert(conn: Connection, terminal_id: str, name: str) -> None:
    conn.execute(
        "INSERT INTO terminals (terminal_id, name, provisioned_at) VALUES (?, ?, datetime('now'))",
        (terminal_id, name),
    )
