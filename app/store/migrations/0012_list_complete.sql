-- 未接種者一覧 at register scale (issue 12 item 20): the engine's "complete" judgements of a
-- series without a season, kept per person between lists. For such a series the engine's
-- "complete" depends on the birth date, sex, the doses it is given and the rules only — never on
-- the list date (app/services/_list_complete.py says why) — so a person judged complete once is
-- left out of every later list while all of these stay the same, without a judgement.
-- Purely derived data, never shown, exported or synced: ``basis`` is a keyed digest of what the
-- judgement read (the rules and the engine's code, the birth date, sex and the dose facts of
-- the list's series); any change to one of them makes it differ, and the person is judged by the
-- engine again. Rows go with their person (retention deletes persons).
CREATE TABLE list_complete (
    series_id  TEXT NOT NULL,
    person_id  INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    basis      BLOB NOT NULL,
    PRIMARY KEY (series_id, person_id)
) WITHOUT ROWID;
CREATE INDEX list_complete_person ON list_complete (person_id);
