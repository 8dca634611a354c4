-- The day from which a child owes nothing until something new is recorded
-- (hearth_domain::due::settled_since), so that a due list reads only the journeys of
-- children who may owe something. Rows written before this column existed stay NULL,
-- which means "may owe", so they are always read (the list is the same, only slower)
-- until `hearth rebuild` fills them in.
ALTER TABLE child_state ADD COLUMN settled_since TEXT;
CREATE INDEX child_state_settled_since ON child_state (settled_since);
