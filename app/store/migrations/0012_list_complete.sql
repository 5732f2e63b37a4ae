-- 未接種者一覧 at register scale (issue 12 item 20): the engine's "complete" judgements of a
-- series without a season, kept per person between lists. For such a series the engine's
-- "complete" depends on the birth date, sex, the doses it is given and the rules only — never on
-- the list date (app/services/_list_complete.py says why) — so a person judged complete once is
-- left out of every later list while all of these stay the same, without a judgement.
-- Purely derived data, never shown, exported or synced: ``basis`` is a keyed digest of what the
-- judgement read (the rules and the engine's code, the birth date, sex and the dose facts of
-- the list's series); any change to one of them makes it differ, and the person is judged by the
-- engine again. Rows go with their person (retention deletes persons): by a trigger, not a
-- foreign key (a list keeping ~10⁴ rows would probe the persons table for each).
CREATE TABLE list_complete (
    series_id  TEXT NOT NULL,
    person_id  INTEGER NOT NULL,
    basis      BLOB NOT NULL,
    PRIMARY KEY (person_id, series_id)  -- (by person first: a person's rows go with it cheaply)
) WITHOUT ROWID;
CREATE TRIGGER list_complete_person_deleted AFTER DELETE ON persons BEGIN
    DELETE FROM list_complete WHERE person_id = OLD.id;
END;
