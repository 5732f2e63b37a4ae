-- 未接種者一覧 at register scale (issue 12 item 20): every judgement a list makes is kept per
-- (person, series) with the range of list dates over which it provably holds, so that a later
-- list reads the cohort joined with these rows and reads doses only for persons without a usable
-- row (app/services/_list_kept.py says why each row is sound).
-- Kept rows are invalidated by the triggers below, not by a digest of the doses: whatever a
-- judgement reads of a person (every dose row of the person — the series', those sharing its
-- products, the series it depends on, other live doses —, the birth date and sex) deletes every
-- row of the person when it changes, whichever code path writes it. The rules (catalog text and
-- engine code, ``_list_complete``-style key) are a small id into list_rules: another catalog or
-- another code makes another id, and rows of another id are never used.
-- Purely derived data, never shown, exported or synced.
DROP TRIGGER IF EXISTS list_complete_person_deleted;
DROP TABLE IF EXISTS list_complete;
CREATE TABLE list_rules (
    id   INTEGER PRIMARY KEY,
    key  BLOB NOT NULL UNIQUE  -- sha-256 of the engine's code, the catalog text and the series
);
CREATE TABLE list_kept (
    person_id    INTEGER NOT NULL,
    series_id    TEXT NOT NULL,
    rules        INTEGER NOT NULL,  -- list_rules.id
    valid_from   INTEGER NOT NULL,  -- list dates (proleptic Gregorian ordinal), inclusive
    valid_until  INTEGER NOT NULL,
    judged       TEXT,              -- NULL: complete; else the SeriesStatus (``_list_kept.encode``)
    PRIMARY KEY (person_id, series_id)
) WITHOUT ROWID;
CREATE TRIGGER list_kept_person_deleted AFTER DELETE ON persons BEGIN
    DELETE FROM list_kept WHERE person_id = OLD.id;
END;
-- A list's judgement reads the birth date and the sex of the person (the living flags and the
-- household only choose the cohort, read fresh by every list): other updates leave the rows.
CREATE TRIGGER list_kept_person_judged AFTER UPDATE OF birth_date, sex ON persons
WHEN OLD.birth_date IS NOT NEW.birth_date OR OLD.sex IS NOT NEW.sex BEGIN
    DELETE FROM list_kept WHERE person_id = OLD.id;
    DELETE FROM list_kept WHERE person_id = NEW.id;
END;
CREATE TRIGGER list_kept_person_id AFTER UPDATE OF id ON persons
WHEN OLD.id IS NOT NEW.id BEGIN
    DELETE FROM list_kept WHERE person_id = OLD.id;
    DELETE FROM list_kept WHERE person_id = NEW.id;
END;
CREATE TRIGGER list_kept_dose_added AFTER INSERT ON vaccinations BEGIN
    DELETE FROM list_kept WHERE person_id = NEW.person_id;
END;
CREATE TRIGGER list_kept_dose_deleted AFTER DELETE ON vaccinations BEGIN
    DELETE FROM list_kept WHERE person_id = OLD.person_id;
END;
-- (the columns a judgement reads of a dose row; the row id orders same-day doses and never changes)
CREATE TRIGGER list_kept_dose_changed AFTER UPDATE OF
    person_id, series_id, product_id, outcome, category, vaccinated_on, voided_at ON vaccinations
WHEN OLD.person_id IS NOT NEW.person_id OR OLD.series_id IS NOT NEW.series_id
    OR OLD.product_id IS NOT NEW.product_id OR OLD.outcome IS NOT NEW.outcome
    OR OLD.category IS NOT NEW.category OR OLD.vaccinated_on IS NOT NEW.vaccinated_on
    OR OLD.voided_at IS NOT NEW.voided_at BEGIN
    DELETE FROM list_kept WHERE person_id = OLD.person_id;
    DELETE FROM list_kept WHERE person_id = NEW.person_id;
END;
