-- Every child (from child_state) and every adult named in a family (from family_state),
-- with the details the front door matches contacts on (issue 13). `seq` is the journal
-- place of the write that last wrote the row, so a copy kept in memory catches up by
-- reading the rows past the place it had reached. Filled from the projections the first
-- time a store opens after this migration.
CREATE TABLE person_index (
    person                 TEXT PRIMARY KEY,
    family_id              TEXT,
    given_name             TEXT NOT NULL,
    family_name            TEXT NOT NULL,
    date_of_birth          TEXT,
    expected_date_of_birth TEXT,
    nhs_number             TEXT,
    postcode               TEXT,
    sex                    TEXT,
    merged_into            TEXT,
    seq                    BIGINT NOT NULL
);

CREATE INDEX person_index_seq ON person_index (seq);
CREATE INDEX person_index_family ON person_index (family_id);
