-- The people who sign in, and the bearer tokens partner systems use. A password is kept
-- only as its argon2id hash (PHC string); a token only as the SHA-256 of the token.
CREATE TABLE users (
    name           TEXT PRIMARY KEY,
    role           TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    created_at     TEXT NOT NULL
) STRICT;

CREATE TABLE api_tokens (
    token_hash  TEXT PRIMARY KEY,
    label       TEXT NOT NULL UNIQUE,
    user_name   TEXT NOT NULL REFERENCES users (name),
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
) STRICT;
