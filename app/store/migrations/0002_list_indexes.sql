-- 未接種者一覧 at register scale: the per-person dose counts read only this index
-- (series, person, and the columns the count filters on), never the 8M-row table.
DROP INDEX vaccinations_series;
CREATE INDEX vaccinations_series ON vaccinations
    (series_id, person_id, outcome, voided_at, category, vaccinated_on);
