-- The event ledger and the indicators view at a university's size (20 000 events a year,
-- 3 000 platforms).
-- Events newest first, of every org or in one state, walked in order rather than sorted:
CREATE INDEX online_events_start ON online_events (starts_at, id);
CREATE INDEX online_events_state_start ON online_events (state, starts_at, id);
-- The events that began without standing approval (a few in a hundred), counted from the index
-- alone and paged without reading the approved ones:
CREATE INDEX online_events_unapproved ON online_events (starts_at, id, org_id, held) WHERE state <> 'approved';
-- Overdue platform duties, counted from the index alone (open obligations only):
CREATE INDEX obligations_open_due ON obligations (due_on, id, duty_id, platform_id, org_id) WHERE state = 'open';
-- The last day each website's maintenance was logged, kept as entries are added, so that the
-- indicators view reads one row a website rather than the whole log:
CREATE TABLE website_last_log (
    platform_id TEXT PRIMARY KEY REFERENCES platforms (id),
    log_day TEXT NOT NULL
);
INSERT INTO website_last_log (platform_id, log_day)
    SELECT platform_id, MAX(log_day) FROM website_log GROUP BY platform_id;
