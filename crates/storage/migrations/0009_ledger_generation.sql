-- Bumped by every change that can move a figure of the ledger (obligations, records, waivers,
-- directives, tasks — every audited change but those known to leave obligations alone: accounts,
-- tokens, grants, settings, deliveries and the org model itself), so counted ledgers are kept
-- across a sign-in, a new person or a role change and dropped only when their figures may move.
CREATE TABLE ledger_generation (
    id BIGINT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO ledger_generation (id, value) VALUES (1, 1);
