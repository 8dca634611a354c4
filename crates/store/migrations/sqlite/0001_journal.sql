-- The journal: every event of every journey, append-only. `seq` is the order events
-- were written; `version` is the event's position on its subject's journey (1, 2, ...).
CREATE TABLE journal (
    seq          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    subject      TEXT NOT NULL,
    version      INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    occurred_at  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    body         TEXT NOT NULL,
    UNIQUE (subject, version)
) STRICT;

-- Corrections are new events; nothing in the journal is ever changed or removed.
CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;

-- Projections: the fold of each journey, written in the same transaction as its events.
CREATE TABLE child_state (
    child_id              TEXT PRIMARY KEY,
    version               INTEGER NOT NULL,
    given_name            TEXT NOT NULL,
    family_name           TEXT NOT NULL,
    date_of_birth         TEXT,
    expected_date_of_birth TEXT,
    nhs_number            TEXT,
    postcode              TEXT,
    open_work             TEXT NOT NULL,
    worker                TEXT,
    team                  TEXT,
    state                 TEXT NOT NULL
) STRICT;
CREATE INDEX child_state_name ON child_state (family_name, given_name);
CREATE INDEX child_state_nhs ON child_state (nhs_number);

CREATE TABLE family_state (
    family_id  TEXT PRIMARY KEY,
    version    INTEGER NOT NULL,
    state      TEXT NOT NULL
) STRICT;

-- The authority's organisation (areas, localities, teams, workers) as one document.
CREATE TABLE organisation (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    body  TEXT NOT NULL
) STRICT;

-- Who looked at which record, and when. Append-only like the journal.
CREATE TABLE access_log (
    seq      INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL,
    subject  TEXT NOT NULL,
    action   TEXT NOT NULL
) STRICT;
CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
