-- The front door's funnel finds the journeys holding a contact received in a period
-- (issue 13): this index holds only those events, so it stays small and the funnel
-- reads a month's contacts rather than scanning the whole journal.
CREATE INDEX journal_contact_received ON journal (occurred_at) WHERE kind = 'contact_received';
