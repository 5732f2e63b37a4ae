"""Honour a terminal's retention purge (record type ``purge``, schemas/records/purge.v1) at the
hub, inside the ingest transaction.

The purge record itself is stored by ingest like every record (so ``emit`` forwards it to the
other terminals, which remove the same records); this module removes the records it names from
the hub's ``records`` table and conflict queue, with ``secure_delete`` on the embedded engine.
Only a purge whose origin is the sending terminal is honoured (others are quarantined by ingest
as ``E_HUB_ORIGIN``). The hub's resident master (``persons``, ``person_numbers``: the
住民記録 system's copy, refreshed from its CSV) is not changed by a terminal: a purged person
or 個人番号 of the master stays there and is purged by the hub's own retention, while the
provisional persons a terminal sent (stored as records) go.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection

from app.hub.store import retention as rstore


def honour(conn: Connection, terminal: str, envelopes: Iterable[dict[str, Any]]) -> int:
    """Remove what the terminal's purge records name; returns the number of records removed."""
    items: list[tuple[str, bytes]] = []
    for env in envelopes:
        if env.get("origin") != terminal:
            continue
        for item in env["data"]["items"]:
            items.append((str(item["type"]), bytes.fromhex(str(item["uid"]).replace("-", ""))))
    if not items:
        return 0
    rstore.secure_delete(conn, True)
    try:
        return rstore.delete_records(conn, items)
    finally:
        rstore.secure_delete(conn, False)
