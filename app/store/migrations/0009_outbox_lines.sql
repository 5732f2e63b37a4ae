-- The package line of a changed record, written when the change is queued (issue 9 "Speed"): an
-- export then reads the waiting lines in one ordered pass over this table instead of reading
-- 100,000 changed rows at random from an 8,000,000-row table (about 160,000 encrypted pages).
--
-- One line per record (the latest queued change of that record); ``outbox_id`` names the outbox
-- entry it was written with, and the export uses a line only when that entry is the record's
-- latest waiting change and ``shape_key`` is the key of the line SQL the export would use today
-- (a changed table or line shape makes old lines unusable: the export then reads the row).
-- Personal numbers never get a line (they are decrypted in Python, with the number key).
--
-- A stored line is never stale: every write to a record's row after its line was written deletes
-- the line (triggers below, whichever code path writes: an import, a conflict resolution,
-- retention, a repair), so the export reads that row again. Changes that affect other records'
-- lines (a referenced record's uid or product id, a referenced record deleted, this terminal's
-- party id) delete every line; a record's own uid changing deletes the line of the old uid (the
-- ``_ref`` triggers, or ``_uid`` for lots and vaccinations, which nothing references by uid).
-- The row's own trigger names only NEW.uid: ``IN (OLD.uid, NEW.uid)`` cost an import that
-- updates 100,000 rows four times as much. Lines of packaged changes go a few at a time with
-- later changes (app/store/outbox_lines.py).
--
-- Row id = the outbox entry's id: lines are appended in queue order and the export reads a record
-- type's lines in that order (``outbox_lines_type``: record type, then row id), each page once.
-- (A WITHOUT ROWID table would put most lines of ~1 KB on an overflow page each.) The unique index
-- finds a record's line for the triggers and replaces it when the record is queued again.
CREATE TABLE outbox_lines (
    outbox_id    INTEGER PRIMARY KEY,
    record_type  TEXT NOT NULL,
    record_uid   BLOB NOT NULL,
    shape_key    INTEGER NOT NULL,
    line         BLOB NOT NULL
);
CREATE UNIQUE INDEX outbox_lines_record ON outbox_lines (record_type, record_uid);
CREATE INDEX outbox_lines_type ON outbox_lines (record_type);

CREATE TRIGGER outbox_lines_households_update AFTER UPDATE ON households BEGIN
    DELETE FROM outbox_lines WHERE record_type = 'household' AND record_uid = NEW.uid;
END;
CREATE TRIGGER outbox_lines_households_delete AFTER DELETE ON households BEGIN
    DELETE FROM outbox_lines;
END;
CREATE TRIGGER outbox_lines_households_ref AFTER UPDATE OF id, uid ON households
WHEN OLD.id IS NOT NEW.id OR OLD.uid IS NOT NEW.uid BEGIN
    DELETE FROM outbox_lines;
END;

CREATE TRIGGER outbox_lines_persons_update AFTER UPDATE ON persons BEGIN
    DELETE FROM outbox_lines WHERE record_type = 'person' AND record_uid = NEW.uid;
END;
CREATE TRIGGER outbox_lines_persons_delete AFTER DELETE ON persons BEGIN
    DELETE FROM outbox_lines;
END;
CREATE TRIGGER outbox_lines_persons_ref AFTER UPDATE OF id, uid ON persons
WHEN OLD.id IS NOT NEW.id OR OLD.uid IS NOT NEW.uid BEGIN
    DELETE FROM outbox_lines;
END;

CREATE TRIGGER outbox_lines_institutions_update AFTER UPDATE ON institutions BEGIN
    DELETE FROM outbox_lines WHERE record_type = 'institution' AND record_uid = NEW.uid;
END;
CREATE TRIGGER outbox_lines_institutions_delete AFTER DELETE ON institutions BEGIN
    DELETE FROM outbox_lines;
END;
CREATE TRIGGER outbox_lines_institutions_ref AFTER UPDATE OF id, uid ON institutions
WHEN OLD.id IS NOT NEW.id OR OLD.uid IS NOT NEW.uid BEGIN
    DELETE FROM outbox_lines;
END;

CREATE TRIGGER outbox_lines_vaccines_update AFTER UPDATE ON vaccines BEGIN
    DELETE FROM outbox_lines WHERE record_type = 'vaccine' AND record_uid = NEW.uid;
END;
CREATE TRIGGER outbox_lines_vaccines_delete AFTER DELETE ON vaccines BEGIN
    DELETE FROM outbox_lines;
END;
CREATE TRIGGER outbox_lines_vaccines_ref AFTER UPDATE OF id, uid, product_id ON vaccines
WHEN OLD.id IS NOT NEW.id OR OLD.uid IS NOT NEW.uid OR OLD.product_id IS NOT NEW.product_id
BEGIN
    DELETE FROM outbox_lines;
END;

CREATE TRIGGER outbox_lines_lots_update AFTER UPDATE ON lots BEGIN
    DELETE FROM outbox_lines WHERE record_type = 'lot' AND record_uid = NEW.uid;
END;
CREATE TRIGGER outbox_lines_lots_uid AFTER UPDATE OF uid ON lots
WHEN OLD.uid IS NOT NEW.uid BEGIN
    DELETE FROM outbox_lines WHERE record_type = 'lot' AND record_uid = OLD.uid;
END;
CREATE TRIGGER outbox_lines_lots_delete AFTER DELETE ON lots BEGIN
    DELETE FROM outbox_lines WHERE record_type = 'lot' AND record_uid = OLD.uid;
END;

CREATE TRIGGER outbox_lines_issuances_update AFTER UPDATE ON issuances BEGIN
    DELETE FROM outbox_lines WHERE record_type = 'issuance' AND record_uid = NEW.uid;
END;
CREATE TRIGGER outbox_lines_issuances_delete AFTER DELETE ON issuances BEGIN
    DELETE FROM outbox_lines;
END;
CREATE TRIGGER outbox_lines_issuances_ref AFTER UPDATE OF id, uid ON issuances
WHEN OLD.id IS NOT NEW.id OR OLD.uid IS NOT NEW.uid BEGIN
    DELETE FROM outbox_lines;
END;

CREATE TRIGGER outbox_lines_vaccinations_update AFTER UPDATE ON vaccinations BEGIN
    DELETE FROM outbox_lines WHERE record_type = 'vaccination' AND record_uid = NEW.uid;
END;
CREATE TRIGGER outbox_lines_vaccinations_uid AFTER UPDATE OF uid ON vaccinations
WHEN OLD.uid IS NOT NEW.uid BEGIN
    DELETE FROM outbox_lines WHERE record_type = 'vaccination' AND record_uid = OLD.uid;
END;
CREATE TRIGGER outbox_lines_vaccinations_delete AFTER DELETE ON vaccinations BEGIN
    DELETE FROM outbox_lines WHERE record_type = 'vaccination' AND record_uid = OLD.uid;
END;

-- Lines carry this terminal's party id (a stored origin or version that is not a party id is
-- sent with it).
CREATE TRIGGER outbox_lines_identity_insert AFTER INSERT ON sync_identity BEGIN
    DELETE FROM outbox_lines;
END;
CREATE TRIGGER outbox_lines_identity_update AFTER UPDATE ON sync_identity BEGIN
    DELETE FROM outbox_lines;
END;
CREATE TRIGGER outbox_lines_identity_delete AFTER DELETE ON sync_identity BEGIN
    DELETE FROM outbox_lines;
END;
