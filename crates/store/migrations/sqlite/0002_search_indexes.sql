-- Searching children by name, id, NHS number or date of birth uses an index for each,
-- so a search reads a handful of rows rather than every child. Names compare without
-- case, as a person typing a name expects, and list in that order.
DROP INDEX child_state_name;
CREATE INDEX child_state_family_name
    ON child_state (family_name COLLATE NOCASE, given_name COLLATE NOCASE, child_id);
CREATE INDEX child_state_given_name ON child_state (given_name COLLATE NOCASE);
CREATE INDEX child_state_date_of_birth ON child_state (date_of_birth);
