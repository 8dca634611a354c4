-- The front door's "decided today" tab finds one day's decided contacts: an index on
-- status and when each was decided, so the tab reads that day's rows rather than
-- every decided contact. Dates compare byte by byte, as the query compares them.
CREATE INDEX contact_state_decided ON contact_state (status, (decided_at COLLATE "C"));
