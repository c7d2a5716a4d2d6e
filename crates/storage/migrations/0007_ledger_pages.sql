-- The ledger export reads each org's obligations of a year in due-date order, page by page
-- (keyset on due_on, id). This index answers those pages without a sort; it also serves every
-- lookup the (org_id, year) index did, which it replaces.

CREATE INDEX obligations_org_year_due ON obligations (org_id, year, due_on, id);
DROP INDEX obligations_org_year;
