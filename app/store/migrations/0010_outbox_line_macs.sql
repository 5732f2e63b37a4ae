-- A stored package line is trusted by the export (sent without parsing and schema-checking it
-- again) only when it carries a MAC made when the queue path checked it (issue 9 "Speed",
-- app/store/outbox_lines.py). The MAC is a keyed BLAKE2b bound to the record type, the record's
-- uid, the outbox entry, the line key and the line's bytes; the key is 32 random bytes kept in
-- this encrypted register (written by the first checked line, never read outside
-- app/store/outbox_lines.py). A line without a MAC (written before this migration, or one that
-- did not pass the check) or with a MAC that does not match is never sent as it is: the export
-- reads the record's row and checks its line in full.
ALTER TABLE outbox_lines ADD COLUMN mac BLOB;

CREATE TABLE outbox_line_key (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    key  BLOB NOT NULL CHECK (length(key) = 32)
);
