-- Incidents (舆情事件, Art.4(4), Art.3) recorded by a person: graded on the pack's scale, handled
-- against its clocks, every action and change on a timeline, closed with a review that may open
-- rectification tasks. An incident is also the event the pack's incident duty hangs on (the
-- obligation's subject id is the incident id), due by its closure-report clock.
CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    platform_id TEXT REFERENCES platforms (id),
    title TEXT NOT NULL,
    noticed_at TEXT NOT NULL,
    noticed_day TEXT NOT NULL,
    channel TEXT NOT NULL,
    source TEXT NOT NULL,
    facts TEXT NOT NULL,
    severity TEXT NOT NULL,
    handler_id TEXT NOT NULL REFERENCES people (id),
    state TEXT NOT NULL,
    paused BIGINT NOT NULL,
    entries BIGINT NOT NULL,
    closure_due TEXT,
    closed_at TEXT,
    handled TEXT,
    prevention TEXT,
    late TEXT,
    personal_done BIGINT,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- The ledger newest first, of every org, of one org, in one state, of one severity or about one
-- platform, walked in order rather than sorted (the id breaks ties):
CREATE INDEX incidents_day ON incidents (noticed_at, id);
CREATE INDEX incidents_org_day ON incidents (org_id, noticed_at, id);
CREATE INDEX incidents_state ON incidents (state, noticed_at, id);
CREATE INDEX incidents_severity ON incidents (severity, noticed_at, id);
CREATE INDEX incidents_platform ON incidents (platform_id, noticed_at, id);
-- Closed incidents whose clocks ran out (`late`: the clocks, comma-separated) or that closed
-- without the first responsible person's handling their level asked for (a few in a hundred):
-- the indicators, read from the index alone.
CREATE INDEX incidents_indicators ON incidents (noticed_at, id, org_id, severity, late, personal_done)
    WHERE state = 'closed' AND (late IS NOT NULL OR personal_done = 0);

-- The timeline: what people recorded (response, assessment, action, the first responsible
-- person's instruction and sign-off, notes) and what Zeren recorded when it happened (the
-- incident recorded, a change of severity or handler, a pause and its end, the closure).
-- Append-only; `seq` orders an incident's entries as they were added.
CREATE TABLE incident_timeline (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    happened_at TEXT NOT NULL,
    person_id TEXT REFERENCES people (id),
    as_first_responsible BIGINT NOT NULL,
    detail TEXT NOT NULL,
    severity_from TEXT,
    severity_to TEXT,
    handler_from TEXT,
    handler_to TEXT,
    reason TEXT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX incident_timeline_seq ON incident_timeline (incident_id, seq);

-- Rectification tasks a closure review opens: each the event the pack's rectification duty
-- hangs on, like those of a platform's annual review.
CREATE TABLE incident_tasks (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    org_id TEXT NOT NULL REFERENCES orgs (id),
    platform_id TEXT REFERENCES platforms (id),
    title TEXT NOT NULL,
    owner_id TEXT NOT NULL REFERENCES people (id),
    opened_on TEXT NOT NULL,
    deadline TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX incident_tasks_incident ON incident_tasks (incident_id);
CREATE INDEX incident_tasks_opened ON incident_tasks (opened_on);

-- Major policies and projects (重大政策、项目) and their public-opinion risk assessments
-- (舆情风险评估, Art.4(4)). A project marked major is the event the pack's risk-assessment
-- duty hangs on; it is launched only with an approved assessment, or by the first responsible
-- person with a reason (`override_by`, `override_reason`).
CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    portfolio TEXT,
    major BIGINT NOT NULL,
    launch_on TEXT NOT NULL,
    state TEXT NOT NULL,
    launched_on TEXT,
    override_by TEXT REFERENCES people (id),
    override_reason TEXT,
    cancel_reason TEXT,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX projects_org_day ON projects (org_id, launch_on, id);
CREATE INDEX projects_day ON projects (launch_on, id);
CREATE INDEX projects_override ON projects (override_by, launched_on);

CREATE TABLE risk_assessments (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id),
    planned TEXT NOT NULL,
    affected TEXT NOT NULL,
    risks TEXT NOT NULL,
    level TEXT NOT NULL,
    measures TEXT NOT NULL,
    assessors TEXT NOT NULL,
    assessed_on TEXT NOT NULL,
    state TEXT NOT NULL,
    decided_by TEXT REFERENCES people (id),
    decided_on TEXT,
    decision_note TEXT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX risk_assessments_project ON risk_assessments (project_id);

-- Moves with every change of an incident, its timeline, a project or an assessment (and with
-- nothing else): what the indicators found of them is kept until it moves.
CREATE TABLE incident_generation (
    id BIGINT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO incident_generation (id, value) VALUES (1, 1);
