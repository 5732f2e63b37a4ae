"""Lots a terminal sends in ``changes`` (the one master entered at the counter).

A lot is kept and sent to every other terminal like any terminal record, unless it would break
the terminals' registers: its vaccine (product id) is not in the hub's catalog
(``E_HUB_UNKNOWN_VACCINE``), or another lot record already holds the same product and lot number
(``E_HUB_DUPLICATE_LOT``: every register keeps one lot per product and number). Such a lot is
quarantined alone, like every record-level refusal.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import Connection

from app.hub.store import masters as mstore
from app.hub.store import sync_state as sstore
from app.hub.uids import uid_bytes


class Counts(Protocol):
    file: str
    quarantined: int


def check_lots(
    conn: Connection, terminal: str, envelopes: list[dict[str, Any]], now: str, result: Counts
) -> list[dict[str, Any]]:
    """The ``envelopes`` (lot records from ``terminal``) that may be stored; the others are
    quarantined."""
    vaccines = {
        str(m.data.get("product_id"))
        for m in mstore.masters_of(conn, "vaccine")
        if m.voided_at is None
    }
    holders = {
        (str(m.data.get("product_id")), str(m.data.get("lot_no"))): m.uid
        for m in mstore.masters_of(conn, "lot")
    }
    kept = []
    for env in envelopes:
        data, uid = env["data"], uid_bytes(env["uid"])
        key = (str(data.get("product_id")), str(data.get("lot_no")))
        code = None
        if key[0] not in vaccines:
            code = "E_HUB_UNKNOWN_VACCINE"
        elif holders.setdefault(key, uid) != uid:
            code = "E_HUB_DUPLICATE_LOT"
        if code is None:
            kept.append(env)
            continue
        sstore.add_quarantine(
            conn,
            terminal_id=terminal,
            package_id=None,
            file_name=result.file,
            code=code,
            record_type="lot",
            record_uid=uid,
            at=now,
        )
        result.quarantined += 1
    return kept
