-- Platforms' lifecycle and registration (Art.4(4), Art.4(6)): planned → registered → active ⇄
-- suspended, closed from any state; the state and the day it began are kept on the platform,
-- every step (day, reason, who) in platform_steps. A website is registered by its ICP 备案号, an
-- account by its id, the day it was registered and the registering body. Platforms kept so far
-- were running (or closed, when they have a closing day).
ALTER TABLE platforms ADD COLUMN state TEXT NOT NULL DEFAULT 'active';
ALTER TABLE platforms ADD COLUMN state_since TEXT;
ALTER TABLE platforms ADD COLUMN icp TEXT;
ALTER TABLE platforms ADD COLUMN account_id TEXT;
ALTER TABLE platforms ADD COLUMN registered_on TEXT;
ALTER TABLE platforms ADD COLUMN registering_body TEXT;
UPDATE platforms SET state = 'closed' WHERE closed_on IS NOT NULL;
UPDATE platforms SET state_since = COALESCE(closed_on, opened_on);

CREATE TABLE platform_steps (
    id TEXT PRIMARY KEY,
    platform_id TEXT NOT NULL REFERENCES platforms (id),
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    on_date TEXT NOT NULL,
    reason TEXT NOT NULL,
    made_by TEXT NOT NULL,
    made_at BIGINT NOT NULL
);
CREATE INDEX platform_steps_platform ON platform_steps (platform_id, on_date);
