-- The front door's "decided today" tab finds one day's decided contacts: an index on
-- status and when each was decided, so the tab reads that day's rows rather than
-- every decided contact (8 s on a generated Kent without it). Led by status so that
-- SQLite, which keeps no statistics here, prefers it to the queue's (status,
-- received_at) when the day is given.
CREATE INDEX contact_state_decided ON contact_state (status, decided_at);
