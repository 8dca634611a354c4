-- A team's page weighs each worker's cases from this index alone (team, worker and open
-- work are all in it), instead of reading each of the team's children's rows, which hold
-- the child's whole state. It begins with the team, so it also finds a team's children
-- as the index it replaces did.
CREATE INDEX IF NOT EXISTS child_state_team_work ON child_state (team, worker, open_work);
DROP INDEX IF EXISTS child_state_team;
