-- Signed-in sessions and sign-in lockouts. A session is known by the SHA-256 of the
-- random id in its cookie, so reading this table does not let anyone take a session
-- over. Sessions are ended, not deleted, so an auditor can see who was signed in when.
CREATE TABLE sessions (
    id_hash       TEXT PRIMARY KEY,
    user_name     TEXT NOT NULL REFERENCES users (name),
    csrf_token    TEXT NOT NULL,
    started_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    ended_at      TEXT
);

-- Failed sign-ins in a row, per user, and until when the user is locked out.
CREATE TABLE sign_in_lockouts (
    user_name     TEXT PRIMARY KEY REFERENCES users (name),
    failures      BIGINT NOT NULL,
    locked_until  TEXT
);
