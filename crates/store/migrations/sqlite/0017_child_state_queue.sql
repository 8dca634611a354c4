-- A team's allocation queue is one indexed read: each child waiting for a worker (open
-- work, none allocated) keeps whom they wait with, as `hearth_domain::caseload::queued`
-- says: the team a contact's decision routed them to, or else the worker who last held
-- them (whose team the organisation in force gives when the queue is read, so a new
-- organisation version needs nothing rewritten here). Both are NULL for everyone else.
ALTER TABLE child_state ADD COLUMN queue_team TEXT;
ALTER TABLE child_state ADD COLUMN queue_worker TEXT;
-- Children waiting before this migration were never routed on their own journeys, so
-- they wait with their last worker, as the fold says.
UPDATE child_state SET queue_worker = json_extract(state, '$.last_worker')
    WHERE worker IS NULL AND open_work <> '[]'
      AND json_extract(state, '$.unallocated_since') IS NOT NULL;
CREATE INDEX IF NOT EXISTS child_state_queue_team ON child_state (queue_team)
    WHERE queue_team IS NOT NULL;
CREATE INDEX IF NOT EXISTS child_state_queue_worker ON child_state (queue_worker)
    WHERE queue_worker IS NOT NULL;
-- The queue no longer walks every unallocated child.
DROP INDEX IF EXISTS child_state_unallocated;
