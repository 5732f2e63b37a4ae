-- PLACEHOLDER so that migration numbers stay 1..N on the termsync branch.
-- Migration 0003 belongs to the office-settings branch: when merging, take THEIR file (this
-- placeholder must not reach main) and regenerate tests/fixtures/registers/v3 and v4 there.
SELECT 1;
