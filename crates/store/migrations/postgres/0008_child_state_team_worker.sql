-- A team's or a worker's due list finds their children by index, rather than walking
-- every child the authority has who may owe something.
CREATE INDEX IF NOT EXISTS child_state_team ON child_state (team);
CREATE INDEX IF NOT EXISTS child_state_worker ON child_state (worker);
