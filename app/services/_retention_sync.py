"""Purges in sync packages (record type ``purge``, schemas/records/purge.v1.schema.json).

Export: a purge this terminal made travels as envelopes whose ``data.items`` list the
``{type, uid}`` pairs removed (package record types, at most 5,000 per record), so the server
removes them too. Import: a server-sent purge (another terminal's, forwarded by the hub) removes
the named records here with ``secure_delete`` and records their uids as tombstones; terminal
records (results, postponements, issuances) with a tombstoned uid that arrive later (a package
written before the purge) are dropped; records the server owns come back when it sends them. Both
run inside the caller's transaction. No SQL here (``app.store.retention``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from app.services._sync_records import SERVER_OWNED, party_version, uid_bytes, uid_text
from app.store import db
from app.store import retention as store


def purge_envelopes(
    conn: db.Connection, uids: list[bytes], party_id: str
) -> Iterator[dict[str, Any]]:
    """Envelopes of this terminal's purge records ``uids`` (for ``sync_export``)."""
    for row, stamp in store.read_purges(conn, uids):
        yield {
            "type": "purge",
            "uid": uid_text(row.uid),
            "version": party_version(row.version, party_id),
            "origin": party_id,
            "voided": None,
            "data": {
                "purged_on": row.purged_on,
                "policy_sha256": row.policy_sha256,
                "items": [{"type": t, "uid": uid_text(u)} for t, u in row.items],
                "updated_date": stamp.updated_date,
                "updated_time": stamp.updated_time,
                "updated_by": stamp.updated_by,
            },
        }


class IncomingPurges:
    """The import side: drop records purged here before, apply the package's purges."""

    def __init__(self, conn: db.Connection) -> None:
        self.conn = conn
        self.active = store.has_tombstones(conn)
        self.dropped = 0
        self.deleted = 0
        self.kept = 0

    def keep(self, envelopes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``envelopes`` without the terminal records (results, postponements, issuances) whose
        uid was purged (counted in ``dropped``). Records the server owns (residents, 個人番号,
        households) are not held back: the server is their authority, and one it sends again
        (a resident who moved back in) is current."""
        if not self.active or not envelopes or envelopes[0].get("type") in SERVER_OWNED:
            return envelopes
        try:
            uids = [uid_bytes(e["uid"]) for e in envelopes]
        except (KeyError, TypeError, ValueError):
            return envelopes  # the applier meets and reports the bad line
        gone = store.tombstoned(self.conn, uids)
        if not gone:
            return envelopes
        kept = [e for e, u in zip(envelopes, uids, strict=True) if u not in gone]
        self.dropped += len(envelopes) - len(kept)
        return kept

    def apply(self, envelopes: Iterable[dict[str, Any]]) -> int:
        """Remove what the purge records name (records still referred to by a kept local row
        stay); every named uid becomes a tombstone. Returns the number of purge records."""
        records = 0
        now = datetime.now(UTC).isoformat(timespec="seconds")
        store.set_secure_delete(self.conn, True)
        try:
            for envelope in envelopes:
                items = [
                    (str(i["type"]), uid_bytes(str(i["uid"]))) for i in envelope["data"]["items"]
                ]
                order = {t: n for n, t in enumerate(store.KIND_TABLES)}
                items.sort(key=lambda item: order.get(item[0], len(order)))
                gone = []
                for rtype, uid in items:
                    outcome = store.delete_record(self.conn, rtype, uid)
                    if outcome is None:
                        self.kept += 1  # still referred to here: kept, and not a tombstone
                        continue
                    self.deleted += int(outcome)
                    gone.append((rtype, uid))
                store.add_tombstones(self.conn, gone, now)
                records += 1
        finally:
            store.set_secure_delete(self.conn, False)
        self.active = self.active or records > 0
        return records
