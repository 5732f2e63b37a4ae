-- 未接種者一覧 decided from narrow data (issue 12 item 20, second step). Who is on the list, with
-- which status, is decided from ids, birth date, sex and dose facts only: this index holds the
-- cohort columns (no name or address), so deciding a list never reads the wide persons_list
-- index or the persons table; the names and addresses of the rows are fetched page by page as
-- they are shown, printed or exported.
CREATE INDEX persons_cohort ON persons
    (birth_date, moved_out, deceased, voided_at, sex, household_id);
-- The dose facts the engine judges (date and product) join the count columns, so reading a
-- series' history for many persons stays inside the index (no vaccinations table page). Same
-- name and leading columns as before: every query that used it still does.
DROP INDEX vaccinations_series;
CREATE INDEX vaccinations_series ON vaccinations
    (series_id, person_id, outcome, voided_at, category, vaccinated_on, product_id);
-- Seasonal series (インフルエンザ, 新型コロナ: one dose per 年度) count only this season's doses:
-- this index reads them as one date range instead of every season's (flu65 at 1M persons:
-- 107k of 1.9M rows).
CREATE INDEX vaccinations_season ON vaccinations
    (series_id, vaccinated_on, person_id, category, product_id)
    WHERE outcome = 'given' AND voided_at IS NULL;
