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
