-- A number that goes up each time an organisation document is stored, so that a
-- server holding the document in memory notices a new one (stored by another process,
-- `hearth org apply` say) by reading one small row, not the document.
ALTER TABLE organisation ADD COLUMN revision BIGINT NOT NULL DEFAULT 1;
