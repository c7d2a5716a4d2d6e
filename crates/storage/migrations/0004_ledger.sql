-- The duties ledger: waivers of obligations and the state of the obligation sync, with the
-- indexes the obligation lists and the dashboard roll-ups read through.

-- A waiver (免于履行) of one obligation: asked for with a reason by someone who keeps the org's
-- records, decided by the first responsible person of the org (Art.3). Approved waivers put the
-- obligation in state 'waived'; rejected ones leave it open. Never deleted.
CREATE TABLE obligation_waivers (
    id TEXT PRIMARY KEY,
    obligation_id TEXT NOT NULL REFERENCES obligations (id),
    reason TEXT NOT NULL,
    state TEXT NOT NULL,
    requested_by TEXT NOT NULL REFERENCES users (id),
    requested_at BIGINT NOT NULL,
    decided_by TEXT REFERENCES users (id),
    decided_at BIGINT,
    decision_note TEXT,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX obligation_waivers_obligation ON obligation_waivers (obligation_id, requested_at);

-- The model generation the obligations of a year were last generated from, so the background
-- sync of every instance skips a year that is already in step.
CREATE TABLE obligation_sync (
    year BIGINT PRIMARY KEY,
    generation BIGINT NOT NULL,
    synced_at BIGINT NOT NULL,
    added BIGINT NOT NULL
);

-- Roll-ups group a year's obligations by org, duty and status (state and due date).
CREATE INDEX obligations_year_org ON obligations (year, org_id, duty_id, state, due_on, completed_on);
-- Lists of a whole year in due order stop after one page.
CREATE INDEX obligations_year_due ON obligations (year, due_on, obligation_key);
