-- A user who is a practitioner is linked to their worker in the organisation document,
-- so that their caseload and their team are theirs; partners, analysts and the like
-- have none.
ALTER TABLE users ADD COLUMN worker TEXT;
-- The allocation queue reads the children with open work and no worker, by index
-- rather than walking every child.
CREATE INDEX IF NOT EXISTS child_state_unallocated ON child_state (child_id)
    WHERE worker IS NULL AND open_work <> '[]';
