-- The due list's cache: per child, the clocks their whole journey leaves
-- (hearth_domain::obligations::DueClocks, as JSON), so that a due list need not read
-- and parse the journey of every child who may owe something. Derived, never the
-- record: a row is used only while `version` is the child's version and `fingerprint`
-- names the rules and calendar in use; any other row is worked out again from the
-- journey and replaced. `hearth rebuild` empties it. `last_date` is the date of the
-- child's last event: the clocks say nothing about a day before it.
CREATE TABLE due_clocks (
    child_id    TEXT PRIMARY KEY,
    version     BIGINT NOT NULL,
    fingerprint TEXT NOT NULL,
    last_date   TEXT NOT NULL,
    clocks      TEXT NOT NULL
);
