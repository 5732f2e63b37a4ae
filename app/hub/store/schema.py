"""The hub's tables, one source for both engines (SQLAlchemy Core).

Alembic migrations under ``migrations/versions`` create exactly these tables; a test compares the
migrated database with this metadata so the two cannot drift apart. Types are the portable
subset: text, integers and bytes (``bytea`` on PostgreSQL, ``BLOB`` on SQLite). Times are UTC
RFC 3339 text with ``Z``; dates are ISO 8601 text. Record ids (``uid``) are the 16 raw bytes of a
UUIDv7; versions are hybrid-logical-clock text that sorts (``<ms>.<counter>.<origin>``).
Masters (institution, vaccine, lot) are ``records`` rows like every terminal record: the server's
from ``import-masters``, lots also from terminals.

Nothing personal is stored in the clear beyond what the central register must hold: 個人番号 is
encrypted at the application level (``person_numbers``) with a keyed blind index for lookup.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

TIME = 20  # "2026-12-01T05:00:00Z"
DATE = 10
PARTY_ID = 24
VERSION = 64

hub_meta = Table(
    "hub_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# Every party the hub knows: itself (role "server") and the terminals. Public keys only.
parties = Table(
    "parties",
    metadata,
    Column("id", String(PARTY_ID), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("key_id", String(16), nullable=False),
    Column("ed25519", String(64), nullable=False),
    Column("x25519", String(64), nullable=False),
    Column("valid_from", String(TIME), nullable=False),
    Column("valid_until", String(TIME)),
    Column("revoked_at", String(TIME)),
    Column("added_at", String(TIME), nullable=False),
)

# Every signed trust file the hub has issued (the newest is current).
trust_versions = Table(
    "trust_versions",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("issued_at", String(TIME), nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("signature", LargeBinary, nullable=False),
)

# The central resident register (from the 住民記録 system's CSV).
persons = Table(
    "persons",
    metadata,
    Column("uid", LargeBinary(16), primary_key=True),
    Column("atena_no", String(20), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("name_kana", Text, nullable=False),
    Column("kana_key", Text, nullable=False),
    Column("sex", String(1), nullable=False),
    Column("birth_date", String(DATE), nullable=False),
    Column("address", Text, nullable=False),
    Column("household_no", String(20), nullable=False),
    Column("relationship", Text, nullable=False),
    Column("status", String(12), nullable=False),  # active | moved_out | deceased
    Column("moved_in_date", String(DATE)),
    Column("moved_out_date", String(DATE)),
    Column("deceased_date", String(DATE)),
    Column("last_event", String(8)),  # 異動事由 of the last applied change
    Column("last_event_date", String(DATE)),
    Column("row_hash", LargeBinary(32), nullable=False),  # keyed hash of the imported row
    Column("version", String(VERSION), nullable=False),
    Column("origin", String(PARTY_ID), nullable=False),
    Column("voided_at", String(TIME)),
    Column("void_reason", Text),
    Column("change_seq", BigInteger, nullable=False, index=True),
)

# 個人番号: 12-byte nonce ‖ ChaCha20-Poly1305(number, AD = person uid) and HMAC blind index.
person_numbers = Table(
    "person_numbers",
    metadata,
    Column("person_uid", LargeBinary(16), ForeignKey("persons.uid"), primary_key=True),
    Column("uid", LargeBinary(16), nullable=False, unique=True),  # the person_number record's
    Column("number_ct", LargeBinary, nullable=False),
    Column("blind_index", LargeBinary(32), nullable=False, index=True),
    Column("version", String(VERSION), nullable=False),
    Column("change_seq", BigInteger, nullable=False, index=True),
    # NULL: from the 住民記録 system (authoritative). A terminal id: entered at that terminal's
    # counter for a person the 住民記録 gave no number, provisional until an import confirms or
    # replaces it (revision 0002).
    Column("provisional_origin", String(PARTY_ID)),
    # A provisional number's own 更新日・更新時刻・更新者 as the terminal sent them (so every
    # terminal holds the same record); NULL for the 住民記録's (derived from the version).
    Column("updated_date", String(DATE)),
    Column("updated_time", String(8)),
    Column("updated_by", String(32)),
)

# Every other synced record (vaccinations, issuances, …) as received, newest version wins.
records = Table(
    "records",
    metadata,
    Column("type", String(32), nullable=False),
    Column("uid", LargeBinary(16), nullable=False),
    Column("version", String(VERSION), nullable=False),
    Column("origin", String(PARTY_ID), nullable=False),
    Column("voided_at", String(TIME)),
    Column("void_reason", Text),
    Column("data", Text, nullable=False),  # the record body as JSON text
    Column("change_seq", BigInteger, nullable=False, index=True),
    PrimaryKeyConstraint("type", "uid"),
)

# Per terminal: the two package channels and the anchored audit head.
channels = Table(
    "channels",
    metadata,
    Column("terminal_id", String(PARTY_ID), ForeignKey("parties.id"), primary_key=True),
    Column("in_last_seq", BigInteger, nullable=False, default=0),  # applied from the terminal
    Column("out_last_seq", BigInteger, nullable=False, default=0),  # issued to the terminal
    Column("out_acked_seq", BigInteger, nullable=False, default=0),  # terminal's ack
    Column("acked_change_seq", BigInteger, nullable=False, default=0),  # register position acked
    Column("last_contact", String(TIME)),
    Column("audit_seq", BigInteger, nullable=False, default=0),
    Column("audit_hash", String(64)),
)

# Every package applied from a terminal (replay and rollback detection, spec §4).
applied_packages = Table(
    "applied_packages",
    metadata,
    Column("terminal_id", String(PARTY_ID), nullable=False),
    Column("sequence", BigInteger, nullable=False),
    Column("package_id", String(36), nullable=False, unique=True),
    Column("header_sha256", String(64), nullable=False),
    Column("applied_at", String(TIME), nullable=False),
    PrimaryKeyConstraint("terminal_id", "sequence"),
)

# Every package issued to a terminal and the register position it carried.
issued_packages = Table(
    "issued_packages",
    metadata,
    Column("terminal_id", String(PARTY_ID), nullable=False),
    Column("sequence", BigInteger, nullable=False),
    Column("package_id", String(36), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("change_seq_hi", BigInteger, nullable=False),
    Column("created_at", String(TIME), nullable=False),
    PrimaryKeyConstraint("terminal_id", "sequence"),
)

# The terminals' audit entries as anchored (spec §6), entry text exactly as received.
audit_entries = Table(
    "audit_entries",
    metadata,
    Column("terminal_id", String(PARTY_ID), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("entry", Text, nullable=False),
    PrimaryKeyConstraint("terminal_id", "seq"),
)

conflicts = Table(
    "conflicts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("type", String(32), nullable=False),
    Column("uid", LargeBinary(16), nullable=False),
    Column("winner_version", String(VERSION), nullable=False),
    Column("loser_version", String(VERSION), nullable=False),
    Column("winner_origin", String(PARTY_ID), nullable=False),
    Column("loser_origin", String(PARTY_ID), nullable=False),
    Column("loser_data", Text, nullable=False),
    Column("detected_at", String(TIME), nullable=False),
    Column("change_seq", BigInteger, nullable=False, index=True),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("terminal_id", String(PARTY_ID)),
    Column("package_id", String(36)),
    Column("file_name", Text, nullable=False),
    Column("code", String(40), nullable=False),
    Column("record_type", String(32)),
    Column("record_uid", LargeBinary(16)),
    Column("at", String(TIME), nullable=False),
)

security_events = Table(
    "security_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("terminal_id", String(PARTY_ID)),
    Column("code", String(40), nullable=False),
    Column("at", String(TIME), nullable=False),
)

import_runs = Table(
    "import_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(TIME), nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("rows", Integer, nullable=False),
    Column("inserted", Integer, nullable=False),
    Column("updated", Integer, nullable=False),
    Column("unchanged", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
)

# The hub's own audit trail of operator actions (revision 0002): one row per master import, with
# its counts; never personal data.
hub_audit = Table(
    "hub_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(TIME), nullable=False),
    Column("action", String(40), nullable=False),
    Column("detail", Text, nullable=False),  # JSON object
)

Index("ix_persons_kana_key", persons.c.kana_key)
