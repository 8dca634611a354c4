-- Case notes being written (issue 14, item 2), saved as their author types, so that a
-- long note is not lost when a session ends or a connection drops. One draft per
-- author, child and kind of note, holding the form's fields as a JSON list of name and
-- value pairs; deleted when the note is recorded. A draft is its author's alone: no
-- page, API or log shows it to anyone else, and its text is never logged.
CREATE TABLE drafts (
    author    TEXT NOT NULL,
    child_id  TEXT NOT NULL,
    kind      TEXT NOT NULL,
    fields    TEXT NOT NULL,
    saved_at  TEXT NOT NULL,
    PRIMARY KEY (author, child_id, kind)
);
