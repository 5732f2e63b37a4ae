-- Sync in the terminal (PACKAGE-FORMAT.md): this terminal's party and keys, the trust store,
-- channel state per peer, record quarantine (refused packages are files with reports in the
-- register's quarantine folder: a refusal writes nothing but its audit entry), the conflict queue, the media ledger.
-- Private keys live only here, inside the encrypted register.

CREATE TABLE sync_identity (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    party_id          TEXT NOT NULL,
    key_id            TEXT NOT NULL,
    ed25519_private   BLOB NOT NULL,
    x25519_private    BLOB NOT NULL,
    ed25519_public    BLOB NOT NULL,
    x25519_public     BLOB NOT NULL,
    created_at        TEXT NOT NULL
);

-- The trust file in force (spec §5) exactly as signed, and its parties for lookups.
CREATE TABLE sync_trust (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    version       INTEGER NOT NULL,
    issued_at     TEXT NOT NULL,
    trust_json    BLOB NOT NULL,
    trust_sig     BLOB NOT NULL,
    installed_at  TEXT NOT NULL,
    source        TEXT NOT NULL                 -- 'demo' or 'package:<package_id>'
);

CREATE TABLE sync_trust_parties (
    party_id     TEXT NOT NULL,
    key_id       TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('server', 'terminal')),
    ed25519      BLOB NOT NULL,
    x25519       BLOB NOT NULL,
    valid_from   TEXT NOT NULL,
    valid_until  TEXT,
    revoked_at   TEXT,
    PRIMARY KEY (party_id, key_id)
) WITHOUT ROWID;

-- One row per peer party (for a terminal: the server).
CREATE TABLE sync_channels (
    peer_id           TEXT PRIMARY KEY,
    last_sent_seq     INTEGER NOT NULL DEFAULT 0,   -- our last sequence to the peer
    acked_seq         INTEGER NOT NULL DEFAULT 0,   -- our last sequence the peer applied (its ack)
    last_applied_seq  INTEGER NOT NULL DEFAULT 0,   -- the peer's last sequence we applied
    audit_ack_seq     INTEGER NOT NULL DEFAULT 0,   -- audit head the peer acknowledged (§6)
    audit_ack_hash    TEXT,
    last_export_at    TEXT,
    last_import_at    TEXT
) WITHOUT ROWID;

-- Packages this terminal wrote (a copy of each file is kept for re-export until acknowledged).
CREATE TABLE sync_sent (
    peer_id          TEXT NOT NULL,
    sequence         INTEGER NOT NULL,
    package_id       TEXT NOT NULL UNIQUE,
    header_sha256    TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    records          INTEGER NOT NULL,
    audit_from_seq   INTEGER NOT NULL,
    audit_head_seq   INTEGER NOT NULL,
    audit_head_hash  TEXT NOT NULL,
    file_name        TEXT NOT NULL,
    PRIMARY KEY (peer_id, sequence)
) WITHOUT ROWID;

-- Packages applied from a peer: the sequence check and "already imported" (spec §4).
CREATE TABLE sync_applied (
    peer_id        TEXT NOT NULL,
    sequence       INTEGER NOT NULL,
    package_id     TEXT NOT NULL UNIQUE,
    header_sha256  TEXT NOT NULL,
    kind           TEXT NOT NULL,
    applied_at     TEXT NOT NULL,
    records        INTEGER NOT NULL,
    quarantined    INTEGER NOT NULL DEFAULT 0,
    conflicts      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (peer_id, sequence)
) WITHOUT ROWID;

-- Single records of an applied package that broke a business rule.
CREATE TABLE sync_record_quarantine (
    id           INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    package_id   TEXT NOT NULL,
    record_type  TEXT NOT NULL,
    record_uid   BLOB NOT NULL,
    version      TEXT NOT NULL,
    code         TEXT NOT NULL,
    reason       TEXT NOT NULL,
    envelope     TEXT NOT NULL,               -- personal numbers are sealed before they land here
    resolved_at  TEXT
);

-- A local unacknowledged change and a different incoming version: both kept for a person.
CREATE TABLE sync_conflicts (
    id                INTEGER PRIMARY KEY,
    created_at        TEXT NOT NULL,
    record_type       TEXT NOT NULL,
    record_uid        BLOB NOT NULL,
    package_id        TEXT NOT NULL,
    local_version     TEXT NOT NULL,
    local_data        TEXT NOT NULL,
    incoming_version  TEXT NOT NULL,
    incoming_origin   TEXT NOT NULL,
    incoming_data     TEXT NOT NULL,
    status            TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    resolution        TEXT,                    -- local / incoming / merged
    resolved_at       TEXT,
    resolved_by       INTEGER
);
CREATE INDEX sync_conflicts_open ON sync_conflicts (status, record_type);

-- 媒体管理簿: every transfer on removable media, and its erasure.
CREATE TABLE media_ledger (
    id             INTEGER PRIMARY KEY,
    at             TEXT NOT NULL,
    direction      TEXT NOT NULL CHECK (direction IN ('export', 'import')),
    package_id     TEXT,
    sequence       INTEGER,
    file_name      TEXT NOT NULL,
    file_path      TEXT NOT NULL,
    volume_label   TEXT,
    volume_serial  TEXT,
    carried_by     INTEGER NOT NULL,
    approved_by    TEXT NOT NULL,
    erased_at      TEXT,
    erased_by      INTEGER
);

CREATE INDEX outbox_uid ON outbox (record_type, record_uid);
