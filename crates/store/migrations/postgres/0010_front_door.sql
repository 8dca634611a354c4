-- Each contact's folded state (issue 13, the front door), kept in the same transaction
-- as its journey, with the columns its queues are read by. `received_at` and
-- `decided_at` are as the journal writes them (YYYY-MM-DD, with THH:MM when the time is
-- known), so they sort in time order as text (byte order: the queue sorts them with
-- COLLATE "C", as the index does).
CREATE TABLE contact_state (
    contact_id    TEXT PRIMARY KEY,
    version       BIGINT NOT NULL,
    status        TEXT NOT NULL,
    received_at   TEXT,
    urgency       TEXT,
    source        TEXT,
    submitted_by  TEXT,
    locality      TEXT,
    routed_team   TEXT,
    decided_at    TEXT,
    outcome       TEXT,
    state         TEXT NOT NULL
);

CREATE INDEX contact_state_queue ON contact_state (status, (received_at COLLATE "C"));
CREATE INDEX contact_state_submitted_by ON contact_state (submitted_by, (received_at COLLATE "C"));
CREATE INDEX contact_state_routed_team ON contact_state (routed_team);
