-- A website's upkeep (Art.4(6)): its content-responsibility arrangements (who approves
-- publication; the three reviewers of 三审三校, in order) and its maintenance log. An
-- arrangement is replaced by a new version (the old one kept in the audit); log entries are
-- never deleted.
CREATE TABLE website_content (
    platform_id TEXT PRIMARY KEY REFERENCES platforms (id),
    approver_id TEXT NOT NULL REFERENCES people (id),
    reviewers TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE website_log (
    id TEXT PRIMARY KEY,
    platform_id TEXT NOT NULL REFERENCES platforms (id),
    log_day TEXT NOT NULL,
    kind TEXT NOT NULL,
    note TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX website_log_platform ON website_log (platform_id, log_day);
