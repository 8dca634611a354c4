-- Records only the users named may see: an adoption, a staff member's relative. A
-- child with rows here is hidden from everyone else, in search, lists and the record.
CREATE TABLE restricted_records (
    child_id   TEXT NOT NULL,
    user_name  TEXT NOT NULL REFERENCES users (name),
    PRIMARY KEY (child_id, user_name)
);
