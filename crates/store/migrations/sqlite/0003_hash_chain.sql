-- The hash chains (see the store's chain.rs): each journal and access-log row carries
-- the SHA-256 of the row before it and its own contents, and chain_head the last row's
-- number and hash. Rows written before this migration get their hashes when the store
-- next opens (SQLite cannot hash), which is the one update the triggers allow: setting
-- a missing hash, and nothing else.
ALTER TABLE journal ADD COLUMN hash BLOB;
ALTER TABLE access_log ADD COLUMN hash BLOB;

CREATE TABLE chain_head (
    chain  TEXT PRIMARY KEY CHECK (chain IN ('journal', 'access_log')),
    seq    INTEGER NOT NULL,
    hash   BLOB NOT NULL
) STRICT;
INSERT INTO chain_head (chain, seq, hash) VALUES
    ('journal', 0, zeroblob(32)),
    ('access_log', 0, zeroblob(32));

-- The head row changes with every write but is never removed.
CREATE TRIGGER chain_head_no_delete BEFORE DELETE ON chain_head
BEGIN SELECT RAISE(ABORT, 'the chain head cannot be removed'); END;

DROP TRIGGER journal_no_update;
CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
WHEN NOT (
    OLD.hash IS NULL AND NEW.hash IS NOT NULL
    AND NEW.seq IS OLD.seq AND NEW.id IS OLD.id AND NEW.subject IS OLD.subject
    AND NEW.version IS OLD.version AND NEW.kind IS OLD.kind
    AND NEW.occurred_at IS OLD.occurred_at AND NEW.recorded_at IS OLD.recorded_at
    AND NEW.recorded_by IS OLD.recorded_by AND NEW.body IS OLD.body
)
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;

DROP TRIGGER access_log_no_update;
CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
WHEN NOT (
    OLD.hash IS NULL AND NEW.hash IS NOT NULL
    AND NEW.seq IS OLD.seq AND NEW.at IS OLD.at AND NEW.actor IS OLD.actor
    AND NEW.subject IS OLD.subject AND NEW.action IS OLD.action
)
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
