-- The outbox names the changed record's row as well as its uid, so that an export reads the
-- waiting rows by row id (ascending) instead of looking every uid up in the table's uid index
-- first (at 1,000,000 persons that look-up alone read and decrypted about 55,000 index pages for
-- 100,000 changes). NULL for entries queued before this step; the export finds those by uid.
-- Row ids of synced records never change (INTEGER PRIMARY KEY, never deleted), and the export
-- still checks each row's uid.
ALTER TABLE outbox ADD COLUMN record_id INTEGER;

-- The uid of a person by row id from a narrow index: an export names each record's person by
-- uid, and at 1,000,000 persons 100,000 changes otherwise read and decrypted about 60,000 pages
-- of the persons table for those 16 bytes (the index holds them on about 8,000 pages).
CREATE INDEX persons_id_uid ON persons (id, uid);
