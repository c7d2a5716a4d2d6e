-- Reads of the incident ledger in proportion to what they show, not to every incident kept.
--
-- Each incident keeps its clocks as worked out at its last change (`clocks`: JSON of the clock
-- states), under which terms of the rules (`clock_terms`: a fingerprint of each level with its
-- clocks' lengths), and from when it shows late — a clock run out, met since or not — unless
-- handled (`late_from`). Only a running clock moves with time, and only once, so the kept
-- clocks stand at any later moment. A change of the incident or its timeline clears them; they
-- are worked out again by the next look of the clocks (a reader works them out from the
-- timeline meanwhile). Clocks kept under other terms are stale in the same way.
ALTER TABLE incidents ADD COLUMN clocks TEXT;
ALTER TABLE incidents ADD COLUMN clock_terms TEXT;
ALTER TABLE incidents ADD COLUMN late_from TEXT;
-- The open incidents late or overdue by now, and those whose clocks are to be worked out again.
CREATE INDEX incidents_late ON incidents (state, late_from);
CREATE INDEX incidents_unsettled ON incidents (clock_terms, state);

-- How many incidents each org has, per year they came to notice, by month noticed, severity,
-- platform (empty: the unit itself), state and — of the closed ones — hours taken to close
-- (the bucket's bound, empty: over the last bound). Kept by every change of an incident, so
-- that the statistics read a few rows per org rather than every incident.
CREATE TABLE incident_tallies (
    year BIGINT NOT NULL,
    dim TEXT NOT NULL,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    key TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (year, dim, org_id, key)
);
