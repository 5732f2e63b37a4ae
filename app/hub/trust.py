"""The trust files the hub issues (PACKAGE-FORMAT.md §5).

Every change of the party list (init, terminal added, terminal revoked) issues the next version:
``trust.json`` bytes (compact JSON, ASCII) and ``trust.sig`` = Ed25519 of the hub's key over
``b"vaxdesk-trust-v1\\x00" ‖ trust.json``. Each party's keys are valid for ten years from
enrolment (``valid_until``); a revoked terminal stays listed with ``revoked_at``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection

from app.hub.party_keys import KeyPair, PublicKeys
from app.hub.store.hubstore import HubStore, PartyRow

TRUST_CONTEXT = b"vaxdesk-trust-v1\x00"
KEY_LIFETIME = timedelta(days=3653)


def party_row(pub: PublicKeys, role: str, valid_from: str) -> PartyRow:
    start = datetime.strptime(valid_from, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    until = (start + KEY_LIFETIME).strftime("%Y-%m-%dT%H:%M:%SZ")
    pj = pub.to_json()
    return PartyRow(
        pub.party_id, role, pj["key_id"], pj["ed25519"], pj["x25519"], valid_from, until, None
    )


def trust_bytes(version: int, issued_at: str, rows: list[PartyRow]) -> bytes:
    obj = {
        "version": version,
        "issued_at": issued_at,
        "parties": [
            {
                "id": r.party_id,
                "role": r.role,
                "key_id": r.key_id,
                "ed25519": r.ed25519,
                "x25519": r.x25519,
                "valid_from": r.valid_from,
                "valid_until": r.valid_until,
                "revoked_at": r.revoked_at,
            }
            for r in rows
        ],
    }
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def issue_trust(store: HubStore, conn: Connection, server: KeyPair, issued_at: str) -> int:
    """Write the next trust version from the current party list; returns its number."""
    latest = store.latest_trust(conn)
    version = 1 if latest is None else latest[0] + 1
    body = trust_bytes(version, issued_at, store.parties(conn))
    store.add_trust(conn, version, issued_at, body, server.sign(TRUST_CONTEXT + body))
    return version
