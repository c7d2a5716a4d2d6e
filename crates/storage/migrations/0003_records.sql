-- Evidence records (会议记录、分析研判报告、培训记录、教育活动、落实情况报告), the versions every
-- amendment keeps, the links from obligations to the records that discharge them, attachments
-- (content-addressed files: the table holds what the file is, the data dir holds the bytes),
-- directives from higher levels (上级部署) and their supervised tasks (督办) with reports.
-- Types follow the two-engine rules: ids and dates TEXT, instants and flags BIGINT, JSON as TEXT.

CREATE TABLE records (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    record_date TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    topics TEXT NOT NULL,
    platforms TEXT NOT NULL,
    attendees TEXT NOT NULL,
    covers TEXT,
    event_id TEXT,
    version BIGINT NOT NULL,
    archived BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX records_org_date ON records (org_id, record_date);
CREATE INDEX records_kind_date ON records (kind, record_date);
CREATE INDEX records_event ON records (event_id);

-- Every version of every record, the first included: an amendment adds a row, never rewrites one.
CREATE TABLE record_versions (
    record_id TEXT NOT NULL REFERENCES records (id),
    version BIGINT NOT NULL,
    data TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at BIGINT NOT NULL,
    PRIMARY KEY (record_id, version)
);

CREATE TABLE obligation_evidence (
    obligation_id TEXT NOT NULL REFERENCES obligations (id),
    record_id TEXT NOT NULL REFERENCES records (id),
    linked_at BIGINT NOT NULL,
    linked_by TEXT NOT NULL,
    PRIMARY KEY (obligation_id, record_id)
);
CREATE INDEX obligation_evidence_record ON obligation_evidence (record_id);

CREATE TABLE attachments (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    mime TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE record_attachments (
    record_id TEXT NOT NULL REFERENCES records (id),
    sha256 TEXT NOT NULL REFERENCES attachments (sha256),
    filename TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    added_by TEXT NOT NULL,
    PRIMARY KEY (record_id, sha256)
);
CREATE INDEX record_attachments_sha ON record_attachments (sha256);

-- A directive is also the event its on-event duty (directive-implementation) hangs on: the
-- obligation's subject id is the directive id.
CREATE TABLE directives (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    issuer TEXT NOT NULL,
    document_number TEXT NOT NULL,
    received_on TEXT NOT NULL,
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    version BIGINT NOT NULL,
    archived BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX directives_org ON directives (org_id, received_on);

CREATE TABLE tasks (
    id TEXT PRIMARY KEY,
    directive_id TEXT NOT NULL REFERENCES directives (id),
    title TEXT NOT NULL,
    owner_id TEXT NOT NULL REFERENCES people (id),
    deadline TEXT NOT NULL,
    status TEXT NOT NULL,
    completed_on TEXT,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX tasks_directive ON tasks (directive_id);

CREATE TABLE task_reports (
    id TEXT PRIMARY KEY,
    task_id TEXT NOT NULL REFERENCES tasks (id),
    kind TEXT NOT NULL,
    report_date TEXT NOT NULL,
    content TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX task_reports_task ON task_reports (task_id, report_date);
