-- The office (窓口) that individual notices name as the sender and the inquiry line: its name,
-- address and phone. One row; notices refuse to print until it is set.
CREATE TABLE office_settings (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    name         TEXT NOT NULL CHECK (length(trim(name)) > 0),
    address      TEXT NOT NULL CHECK (length(trim(address)) > 0),
    phone        TEXT NOT NULL CHECK (length(trim(phone)) > 0),
    updated_date TEXT NOT NULL,
    updated_time TEXT NOT NULL,
    updated_by   TEXT NOT NULL
);
-- Registers made before this release seeded their roles without the new permission that
-- guards these settings (resources/security/roles.json gives it to システム管理者).
INSERT OR IGNORE INTO role_permissions (role_code, permission)
    SELECT code, 'settings.manage' FROM roles WHERE code = 'admin';

-- 未接種者一覧 at register scale (issue 12 item 20; in this migration because it is the one
-- schema step of this release). The cohort of a series is a birth-date range: this index holds
-- every column the list shows, so a list reads one contiguous index range instead of decrypting
-- the whole persons table (where people of one age are spread over every page). The area codes
-- come from a two-column index instead of the households' address pages.
CREATE INDEX persons_list ON persons
    (birth_date, moved_out, deceased, voided_at, sex, household_id,
     atena_no, name, name_kana, postal_code, address);
CREATE INDEX households_area ON households (id, area_code);
