-- Retention and erasure (DOMAIN.md §7, issue 11 item 15).
-- The policy in force: one JSON document (app/domain/retention.py), changed only by an
-- administrator through app/services/retention.py (audited). Default: DOMAIN.md §7.
CREATE TABLE retention_policy (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    policy        TEXT NOT NULL,
    updated_date  TEXT NOT NULL,
    updated_time  TEXT NOT NULL,
    updated_by    TEXT NOT NULL
);
INSERT INTO retention_policy (id, policy, updated_date, updated_time, updated_by)
    VALUES (1, '{"exit_years":5,"extended":[{"after_death_years":5,"from":"2026-02-01","series":["covid_special"]}],"issuance_years":5,"keep_records_of_residents":true,"vaccination_years":5,"version":1}',
            date('now', 'localtime'), time('now', 'localtime'), 'system');

-- Purges this terminal made (synced record type `purge`, schemas/records/purge.v1.schema.json):
-- the {type, uid} pairs removed, so the server removes them too. Ids only, nothing personal.
CREATE TABLE retention_purges (
    id            INTEGER PRIMARY KEY,
    uid           BLOB NOT NULL UNIQUE,
    version       TEXT NOT NULL,
    origin        TEXT NOT NULL,
    purged_on     TEXT NOT NULL,
    policy_sha256 TEXT NOT NULL,
    items         TEXT NOT NULL,                 -- JSON [{"type", "uid"}] (package types)
    updated_date  TEXT NOT NULL,
    updated_time  TEXT NOT NULL,
    updated_by    TEXT NOT NULL
);

-- Every purged record's uid (local or server-sent purge): a record that arrives later with one
-- of these uids (a package written before the purge) is dropped instead of coming back.
CREATE TABLE retention_tombstones (
    uid          BLOB PRIMARY KEY,
    record_type  TEXT NOT NULL,
    purged_at    TEXT NOT NULL
) WITHOUT ROWID;

-- Registers made before this release seeded their roles without the permission.
INSERT OR IGNORE INTO role_permissions (role_code, permission)
    SELECT code, 'retention.manage' FROM roles WHERE code = 'admin';

-- A purge deletes persons and issuances; the foreign-key checks look for rows still pointing at
-- them (guardians, results naming an issuance), and without these indexes every deleted row
-- meant a scan of the whole table. Partial: most rows point at nothing.
CREATE INDEX persons_guardian ON persons (guardian_id) WHERE guardian_id IS NOT NULL;
CREATE INDEX vaccinations_issuance ON vaccinations (issuance_id) WHERE issuance_id IS NOT NULL;
