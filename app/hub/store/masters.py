"""The hub's masters (institution, vaccine, lot ``records`` rows) and its audit trail."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select

from app.hub.store.schema import hub_audit, records

MASTER_TYPES = ("institution", "vaccine", "lot")


@dataclass(frozen=True, slots=True)
class StoredMaster:
    uid: bytes
    version: str
    origin: str
    voided_at: str | None
    data: dict[str, Any]


def masters_of(conn: Connection, record_type: str) -> list[StoredMaster]:
    """Every stored record of one master type (a municipality has hundreds to thousands)."""
    rows = conn.execute(
        select(
            records.c.uid, records.c.version, records.c.origin, records.c.voided_at, records.c.data
        ).where(records.c.type == record_type)
    )
    return [StoredMaster(bytes(r[0]), str(r[1]), str(r[2]), r[3], json.loads(r[4])) for r in rows]


def add_audit(conn: Connection, at: str, action: str, detail: dict[str, Any]) -> None:
    conn.execute(
        insert(hub_audit).values(
            at=at, action=action, detail=json.dumps(detail, ensure_ascii=False, sort_keys=True)
        )
    )


def audit_entries(conn: Connection, limit: int) -> tuple[int, list[dict[str, Any]]]:
    """How many audit entries the hub holds, and the newest ``limit`` (oldest first)."""
    total = int(conn.execute(select(func.count()).select_from(hub_audit)).scalar_one())
    rows = conn.execute(select(hub_audit).order_by(hub_audit.c.id.desc()).limit(limit)).mappings()
    return total, [
        {"at": r["at"], "action": r["action"], "detail": json.loads(r["detail"])}
        for r in reversed(list(rows))
    ]
