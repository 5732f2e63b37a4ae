"""Sync state inside the register: this terminal's identity and keys, the trust store, and the
channel state per peer (sequences sent and applied, acknowledgements, the audit anchor).

SQL for the tables of migration 0004; callers run these inside their own transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from app.store.db import Connection


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class Identity:
    party_id: str
    key_id: str
    ed25519_public: bytes
    x25519_public: bytes
    ed25519_private: bytes = field(repr=False)
    x25519_private: bytes = field(repr=False)
    created_at: str


def save_identity(conn: Connection, identity: Identity) -> None:
    conn.execute(
        "INSERT INTO sync_identity (id, party_id, key_id, ed25519_private, x25519_private,"
        " ed25519_public, x25519_public, created_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?)",
        (
            identity.party_id,
            identity.key_id,
            identity.ed25519_private,
            identity.x25519_private,
            identity.ed25519_public,
            identity.x25519_public,
            identity.created_at,
        ),
    )


def load_identity(conn: Connection) -> Identity | None:
    row = conn.execute(
        "SELECT party_id, key_id, ed25519_public, x25519_public, ed25519_private,"
        " x25519_private, created_at FROM sync_identity WHERE id = 1"
    ).fetchone()
    if row is None:
        return None
    return Identity(
        str(row[0]),
        str(row[1]),
        bytes(row[2]),
        bytes(row[3]),
        bytes(row[4]),
        bytes(row[5]),
        str(row[6]),
    )


# --- trust store -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrustedParty:
    party_id: str
    key_id: str
    role: str
    ed25519: bytes
    x25519: bytes
    valid_from: str
    valid_until: str | None
    revoked_at: str | None


@dataclass(frozen=True, slots=True)
class TrustFile:
    version: int
    issued_at: str
    trust_json: bytes
    trust_sig: bytes
    installed_at: str
    source: str


def trust_file(conn: Connection) -> TrustFile | None:
    row = conn.execute(
        "SELECT version, issued_at, trust_json, trust_sig, installed_at, source"
        " FROM sync_trust WHERE id = 1"
    ).fetchone()
    if row is None:
        return None
    return TrustFile(
        int(row[0]), str(row[1]), bytes(row[2]), bytes(row[3]), str(row[4]), str(row[5])
    )


def replace_trust(
    conn: Connection,
    *,
    version: int,
    issued_at: str,
    trust_json: bytes,
    trust_sig: bytes,
    source: str,
    parties: Iterable[TrustedParty],
) -> None:
    """Install a verified trust file and its parties (replacing the previous ones)."""
    conn.execute("DELETE FROM sync_trust")
    conn.execute("DELETE FROM sync_trust_parties")
    conn.execute(
        "INSERT INTO sync_trust (id, version, issued_at, trust_json, trust_sig, installed_at,"
        " source) VALUES (1, ?, ?, ?, ?, ?, ?)",
        (version, issued_at, trust_json, trust_sig, utc_now(), source),
    )
    conn.executemany(
        "INSERT INTO sync_trust_parties (party_id, key_id, role, ed25519, x25519, valid_from,"
        " valid_until, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                p.party_id,
                p.key_id,
                p.role,
                p.ed25519,
                p.x25519,
                p.valid_from,
                p.valid_until,
                p.revoked_at,
            )
            for p in parties
        ],
    )


def trusted_parties(conn: Connection, role: str | None = None) -> list[TrustedParty]:
    sql = (
        "SELECT party_id, key_id, role, ed25519, x25519, valid_from, valid_until, revoked_at"
        " FROM sync_trust_parties"
    )
    params: tuple[str, ...] = ()
    if role is not None:
        sql += " WHERE role = ?"
        params = (role,)
    rows = conn.execute(sql + " ORDER BY party_id, valid_from", params).fetchall()
    return [
        TrustedParty(
            str(r[0]),
            str(r[1]),
            str(r[2]),
            bytes(r[3]),
            bytes(r[4]),
            str(r[5]),
            None if r[6] is None else str(r[6]),
            None if r[7] is None else str(r[7]),
        )
        for r in rows
    ]


# --- channels ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Channel:
    peer_id: str
    last_sent_seq: int = 0
    acked_seq: int = 0
    last_applied_seq: int = 0
    audit_ack_seq: int = 0
    audit_ack_hash: str | None = None
    last_export_at: str | None = None
    last_import_at: str | None = None


_CHANNEL_COLS = (
    "peer_id, last_sent_seq, acked_seq, last_applied_seq, audit_ack_seq, audit_ack_hash,"
    " last_export_at, last_import_at"
)


def channel(conn: Connection, peer_id: str) -> Channel:
    """The channel with ``peer_id`` (all zero when nothing was exchanged yet)."""
    row = conn.execute(
        f"SELECT {_CHANNEL_COLS} FROM sync_channels WHERE peer_id = ?", (peer_id,)
    ).fetchone()
    return Channel(peer_id) if row is None else Channel(*row)


def channels(conn: Connection) -> list[Channel]:
    rows = conn.execute(f"SELECT {_CHANNEL_COLS} FROM sync_channels ORDER BY peer_id").fetchall()
    return [Channel(*r) for r in rows]


def _ensure_channel(conn: Connection, peer_id: str) -> None:
    conn.execute("INSERT OR IGNORE INTO sync_channels (peer_id) VALUES (?)", (peer_id,))


@dataclass(frozen=True, slots=True)
class SentPackage:
    peer_id: str
    sequence: int
    package_id: str
    header_sha256: str
    created_at: str
    records: int
    audit_from_seq: int
    audit_head_seq: int
    audit_head_hash: str
    file_name: str


def record_sent(conn: Connection, sent: SentPackage) -> None:
    """A package written for ``peer_id``: its outbox rows carry its sequence from now on."""
    _ensure_channel(conn, sent.peer_id)
    conn.execute(
        "INSERT INTO sync_sent (peer_id, sequence, package_id, header_sha256, created_at, records,"
        " audit_from_seq, audit_head_seq, audit_head_hash, file_name)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            sent.peer_id,
            sent.sequence,
            sent.package_id,
            sent.header_sha256,
            sent.created_at,
            sent.records,
            sent.audit_from_seq,
            sent.audit_head_seq,
            sent.audit_head_hash,
            sent.file_name,
        ),
    )
    conn.execute(
        "UPDATE sync_channels SET last_sent_seq = ?, last_export_at = ? WHERE peer_id = ?",
        (sent.sequence, sent.created_at, sent.peer_id),
    )


def sent_packages(conn: Connection, peer_id: str, *, after_seq: int = 0) -> list[SentPackage]:
    rows = conn.execute(
        "SELECT peer_id, sequence, package_id, header_sha256, created_at, records,"
        " audit_from_seq, audit_head_seq, audit_head_hash, file_name FROM sync_sent"
        " WHERE peer_id = ? AND sequence > ? ORDER BY sequence",
        (peer_id, after_seq),
    ).fetchall()
    return [SentPackage(*r) for r in rows]


@dataclass(frozen=True, slots=True)
class AppliedPackage:
    peer_id: str
    sequence: int
    package_id: str
    header_sha256: str
    kind: str
    applied_at: str
    records: int
    quarantined: int
    conflicts: int


def applied_by_sequence(conn: Connection, peer_id: str, sequence: int) -> AppliedPackage | None:
    row = conn.execute(
        "SELECT peer_id, sequence, package_id, header_sha256, kind, applied_at, records,"
        " quarantined, conflicts FROM sync_applied WHERE peer_id = ? AND sequence = ?",
        (peer_id, sequence),
    ).fetchone()
    return None if row is None else AppliedPackage(*row)


def applied_by_package_id(conn: Connection, package_id: str) -> AppliedPackage | None:
    row = conn.execute(
        "SELECT peer_id, sequence, package_id, header_sha256, kind, applied_at, records,"
        " quarantined, conflicts FROM sync_applied WHERE package_id = ?",
        (package_id,),
    ).fetchone()
    return None if row is None else AppliedPackage(*row)


def applied_hashes(conn: Connection, peer_id: str) -> dict[int, tuple[str, str]]:
    """sequence → (package_id, header sha256) of every package applied from ``peer_id``."""
    rows = conn.execute(
        "SELECT sequence, package_id, header_sha256 FROM sync_applied WHERE peer_id = ?",
        (peer_id,),
    ).fetchall()
    return {int(r[0]): (str(r[1]), str(r[2])) for r in rows}


def record_applied(conn: Connection, applied: AppliedPackage) -> None:
    _ensure_channel(conn, applied.peer_id)
    conn.execute(
        "INSERT INTO sync_applied (peer_id, sequence, package_id, header_sha256, kind, applied_at,"
        " records, quarantined, conflicts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            applied.peer_id,
            applied.sequence,
            applied.package_id,
            applied.header_sha256,
            applied.kind,
            applied.applied_at,
            applied.records,
            applied.quarantined,
            applied.conflicts,
        ),
    )
    conn.execute(
        "UPDATE sync_channels SET last_applied_seq = ?, last_import_at = ? WHERE peer_id = ?",
        (applied.sequence, applied.applied_at, applied.peer_id),
    )


def record_ack(conn: Connection, peer_id: str, ack: int) -> int:
    """The peer applied our packages up to ``ack``: their outbox rows are acknowledged.
    Returns the number of outbox rows newly acknowledged. An ack never moves backwards."""
    _ensure_channel(conn, peer_id)
    current = channel(conn, peer_id).acked_seq
    if ack <= current:
        return 0
    conn.execute("UPDATE sync_channels SET acked_seq = ? WHERE peer_id = ?", (ack, peer_id))
    cur = conn.execute(
        "UPDATE outbox SET acked = 1 WHERE acked = 0 AND package_seq IS NOT NULL"
        " AND package_seq <= ?",
        (ack,),
    )
    return int(cur.rowcount)


def record_audit_ack(conn: Connection, peer_id: str, seq: int, hash_hex: str) -> None:
    _ensure_channel(conn, peer_id)
    conn.execute(
        "UPDATE sync_channels SET audit_ack_seq = ?, audit_ack_hash = ? WHERE peer_id = ?",
        (seq, hash_hex, peer_id),
    )


def audit_anchor(conn: Connection) -> tuple[int, str] | None:
    """The highest audit head any peer acknowledged (seq, hash hex), or None."""
    row = conn.execute(
        "SELECT audit_ack_seq, audit_ack_hash FROM sync_channels"
        " WHERE audit_ack_seq > 0 AND audit_ack_hash IS NOT NULL"
        " ORDER BY audit_ack_seq DESC LIMIT 1"
    ).fetchone()
    return None if row is None else (int(row[0]), str(row[1]))
