-- The annual assessment (年度考核, Art.7): one round a year for a scope (the supervising office's
-- org and the colleges under it). `stage` is `draft` while the scheme is drawn up, then the step
-- of the procedure under way (`self-assessment`, `review`, `scoring`, `publication`); at
-- `publication` the results are published and nothing of the round changes any more.
-- `scheme_version` is the version of the scheme in force (0 before the first is published),
-- `newest_version` the latest one (a draft being edited, or the one in force).
CREATE TABLE assessment_rounds (
    id TEXT PRIMARY KEY,
    policy_id TEXT NOT NULL REFERENCES policies (id),
    scope_org_id TEXT NOT NULL REFERENCES orgs (id),
    year BIGINT NOT NULL,
    stage TEXT NOT NULL,
    scheme_version BIGINT NOT NULL,
    newest_version BIGINT NOT NULL,
    published_on TEXT,
    document_number TEXT,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (scope_org_id, year)
);

-- The versions of a round's scheme (content, method, procedure) as JSON: each a draft until it
-- is published, then in force until the next one is published (superseded). A published version
-- never changes; a change is a new version.
CREATE TABLE assessment_schemes (
    round_id TEXT NOT NULL REFERENCES assessment_rounds (id),
    version BIGINT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    published_on TEXT,
    published_by TEXT,
    PRIMARY KEY (round_id, version)
);

-- What each college writes in a round (self-assessment, duty report) and the reviewer's opinion,
-- each with its day and author; the row is made on the first of them.
CREATE TABLE assessment_entries (
    round_id TEXT NOT NULL REFERENCES assessment_rounds (id),
    org_id TEXT NOT NULL REFERENCES orgs (id),
    self_assessment TEXT,
    self_submitted_on TEXT,
    self_submitted_by TEXT,
    review TEXT,
    reviewed_on TEXT,
    reviewed_by TEXT,
    duty_report TEXT,
    duty_report_submitted_on TEXT,
    duty_report_submitted_by TEXT,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (round_id, org_id)
);

-- Reviewers' scores of manual indicators and adjustments of computed ones, each with its reason,
-- append-only: the latest score counts, adjustments add up (in the order made).
CREATE TABLE assessment_marks (
    id TEXT PRIMARY KEY,
    round_id TEXT NOT NULL REFERENCES assessment_rounds (id),
    org_id TEXT NOT NULL REFERENCES orgs (id),
    scheme_version BIGINT NOT NULL,
    indicator_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    points BIGINT NOT NULL,
    reason TEXT NOT NULL,
    marked_by TEXT NOT NULL,
    marked_on TEXT NOT NULL,
    at_ms BIGINT NOT NULL
);
CREATE INDEX assessment_marks_org ON assessment_marks (round_id, org_id, at_ms);

-- The published results, frozen: each college's total, rank and scores (JSON) as published.
CREATE TABLE assessment_results (
    round_id TEXT NOT NULL REFERENCES assessment_rounds (id),
    org_id TEXT NOT NULL REFERENCES orgs (id),
    total BIGINT NOT NULL,
    rank BIGINT NOT NULL,
    score TEXT NOT NULL,
    PRIMARY KEY (round_id, org_id)
);
CREATE INDEX assessment_results_rank ON assessment_results (round_id, rank, org_id);
