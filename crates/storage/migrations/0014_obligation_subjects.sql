-- The obligations about one subject (a platform, a person): read on a platform's page and
-- reconciled in the transaction that changed the platform, by an index rather than the year.
CREATE INDEX obligations_subject ON obligations (subject_kind, subject_id, year);
