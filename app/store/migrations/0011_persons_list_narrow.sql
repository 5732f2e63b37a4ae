-- Resident edits from the server at register scale (issue 9 "Speed"). SQLite rewrites the entry
-- of every index that holds a changed column: with the name, kana, postal code and address in
-- persons_list (migration 0003), each imported address change also rewrote a random page of that
-- wide index (at 1,000,000 persons an import of 100,000 random address edits dirtied about
-- 35,000 index pages on top of the persons table's own, and spent 2.2 of its 3.7 raw SQLite CPU
-- seconds on them). The display columns of a 未接種者一覧 are now read from the persons table by
-- row id, for the rows shown (app/store/lists.shown_rows): the index keeps the cohort columns
-- and the 宛名番号 only, under the same name (queries naming it still run).
DROP INDEX IF EXISTS persons_list;
CREATE INDEX persons_list ON persons
    (birth_date, moved_out, deceased, voided_at, sex, household_id, atena_no);
