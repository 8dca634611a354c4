-- The same tables as the SQLite schema, column for column. Event bodies, dates and
-- times are kept as the ISO text the domain writes, so a journal exports byte for byte
-- the same from either backend.

-- The journal: every event of every journey, append-only. `seq` is the order events
-- were written; `version` is the event's position on its subject's journey (1, 2, ...).
-- UNIQUE (subject, version) is what makes optimistic concurrency hold across processes:
-- of two writers based on the same version, the second to commit is refused.
-- `hash` chains each row to the one before (see the store's chain.rs); `chain_head`
-- below holds the last row's number and hash, and writers lock it to take turns, so
-- `seq` numbers rows in the order they commit.
CREATE TABLE journal (
    seq          BIGINT PRIMARY KEY,
    id           TEXT NOT NULL,
    subject      TEXT NOT NULL,
    version      BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    occurred_at  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    body         TEXT NOT NULL,
    hash         BYTEA NOT NULL,
    CONSTRAINT journal_id_key UNIQUE (id),
    CONSTRAINT journal_subject_version_key UNIQUE (subject, version)
);

-- Corrections are new events; nothing in the journal is ever changed or removed.
CREATE FUNCTION hearth_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER journal_no_change BEFORE UPDATE OR DELETE ON journal
    FOR EACH ROW EXECUTE FUNCTION hearth_refuse_change('the journal is append-only');
CREATE TRIGGER journal_no_truncate BEFORE TRUNCATE ON journal
    FOR EACH STATEMENT EXECUTE FUNCTION hearth_refuse_change('the journal is append-only');

-- Projections: the fold of each journey, written in the same transaction as its events.
CREATE TABLE child_state (
    child_id               TEXT PRIMARY KEY,
    version                BIGINT NOT NULL,
    given_name             TEXT NOT NULL,
    family_name            TEXT NOT NULL,
    date_of_birth          TEXT,
    expected_date_of_birth TEXT,
    nhs_number             TEXT,
    postcode               TEXT,
    open_work              TEXT NOT NULL,
    worker                 TEXT,
    team                   TEXT,
    state                  TEXT NOT NULL
);
-- Searching by name ignores case and lists in that order, as SQLite's NOCASE does;
-- the "C" collation makes the prefix match use the index whatever the server's locale.
CREATE INDEX child_state_family_name
    ON child_state ((lower(family_name) COLLATE "C"), (lower(given_name) COLLATE "C"), (child_id COLLATE "C"));
CREATE INDEX child_state_given_name ON child_state ((lower(given_name) COLLATE "C"));
CREATE INDEX child_state_nhs ON child_state (nhs_number);
CREATE INDEX child_state_date_of_birth ON child_state (date_of_birth);

CREATE TABLE family_state (
    family_id  TEXT PRIMARY KEY,
    version    BIGINT NOT NULL,
    state      TEXT NOT NULL
);

-- The authority's organisation (areas, localities, teams, workers) as one document.
CREATE TABLE organisation (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    body  TEXT NOT NULL
);

-- Who looked at which record, and when. Append-only like the journal.
CREATE TABLE access_log (
    seq      BIGINT PRIMARY KEY,
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL,
    subject  TEXT NOT NULL,
    action   TEXT NOT NULL,
    hash     BYTEA NOT NULL
);
CREATE INDEX access_log_subject ON access_log (subject);
CREATE TRIGGER access_log_no_change BEFORE UPDATE OR DELETE ON access_log
    FOR EACH ROW EXECUTE FUNCTION hearth_refuse_change('the access log is append-only');
CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
    FOR EACH STATEMENT EXECUTE FUNCTION hearth_refuse_change('the access log is append-only');

-- The head of each hash chain: the last row's number and hash.
CREATE TABLE chain_head (
    chain  TEXT PRIMARY KEY CHECK (chain IN ('journal', 'access_log')),
    seq    BIGINT NOT NULL,
    hash   BYTEA NOT NULL
);
INSERT INTO chain_head (chain, seq, hash) VALUES
    ('journal', 0, '\x0000000000000000000000000000000000000000000000000000000000000000'),
    ('access_log', 0, '\x0000000000000000000000000000000000000000000000000000000000000000');
CREATE TRIGGER chain_head_no_delete BEFORE DELETE OR TRUNCATE ON chain_head
    FOR EACH STATEMENT EXECUTE FUNCTION hearth_refuse_change('the chain head cannot be removed');
