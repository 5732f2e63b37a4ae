"""The trust files the hub issues (PACKAGE-FORMAT.md §5), built with the package layer.

Every change of the party list (init, terminal added, terminal revoked) issues the next version,
signed by the hub's key and verified against the previous version before it is stored. Each
party's keys are valid for ten years from enrolment (``valid_until``); a revoked terminal stays
listed with ``revoked_at``.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Connection

from app.hub.store.hubstore import HubStore, PartyRow
from app.sync.encoding import format_time, parse_time
from app.sync.keys import KeyPair, PublicKey
from app.sync.trust import Trust, TrustParty, build_trust, make_party, verify_trust

KEY_LIFETIME = timedelta(days=3653)


def party_row(pub: PublicKey, role: str, valid_from: str) -> PartyRow:
    until = format_time(parse_time(valid_from) + KEY_LIFETIME)
    pj = pub.to_json()
    return PartyRow(
        pub.party_id, role, pj["key_id"], pj["ed25519"], pj["x25519"], valid_from, until, None
    )


def _trust_party(row: PartyRow) -> TrustParty:
    from app.sync.keys import public_key_from_json

    pub = public_key_from_json(
        {"id": row.party_id, "key_id": row.key_id, "ed25519": row.ed25519, "x25519": row.x25519}
    )
    return make_party(
        pub,
        row.role,
        parse_time(row.valid_from),
        parse_time(row.valid_until or format_time(parse_time(row.valid_from) + KEY_LIFETIME)),
        None if row.revoked_at is None else parse_time(row.revoked_at),
    )


def current_trust(store: HubStore, conn: Connection) -> Trust | None:
    latest = store.latest_trust(conn)
    return None if latest is None else verify_trust(latest[1], latest[2])


def issue_trust(store: HubStore, conn: Connection, server: KeyPair, issued_at: str) -> int:
    """Build, sign, verify and store the next trust version; returns its number."""
    previous = current_trust(store, conn)
    version = 1 if previous is None else previous.version + 1
    parties = [_trust_party(r) for r in store.parties(conn)]
    trust = build_trust(
        version, parties, [server], issued_at=parse_time(issued_at), previous=previous
    )
    store.add_trust(conn, version, issued_at, trust.raw, trust.sig)
    return version
