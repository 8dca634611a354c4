-- The organisation document in dated versions, each with the first day it is in force
-- (YYYY-MM-DD). Storing a version never changes or removes another. The one document
-- kept before becomes the first version, in force from 2000-01-01, the first day whose
-- working days Hearth counts.
CREATE TABLE organisation_versions (
    revision        BIGSERIAL PRIMARY KEY,
    effective_from  TEXT NOT NULL,
    body            TEXT NOT NULL
);

INSERT INTO organisation_versions (effective_from, body)
SELECT '2000-01-01', body FROM organisation;

DROP TABLE organisation;
