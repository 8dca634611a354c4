-- Why a user says they opened a record outside their team and locality
-- ("why-if-asked" in DESIGN.md). NULL when they were not asked. Chained with the row
-- as a fifth field only when present, so rows written before keep their hashes.
ALTER TABLE access_log ADD COLUMN reason TEXT;
