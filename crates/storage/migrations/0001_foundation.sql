-- One schema for SQLite and PostgreSQL: TEXT ids (UUIDv7), BIGINT integers and booleans (0/1),
-- dates as YYYY-MM-DD TEXT, instants as epoch milliseconds BIGINT, JSON as TEXT.

CREATE TABLE policies (
    id TEXT PRIMARY KEY,
    series TEXT NOT NULL,
    version BIGINT NOT NULL,
    document_number TEXT NOT NULL,
    title TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    effective_until TEXT,
    source TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    builtin BIGINT NOT NULL,
    loaded_at BIGINT NOT NULL,
    UNIQUE (series, version)
);

CREATE TABLE orgs (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_id TEXT REFERENCES orgs (id),
    established_on TEXT,
    closed_on TEXT,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX orgs_parent ON orgs (parent_id);

CREATE TABLE people (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    archived BIGINT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX people_org ON people (org_id);

CREATE TABLE posts (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    portfolios TEXT NOT NULL,
    archived BIGINT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX posts_org ON posts (org_id);

CREATE TABLE holdings (
    id TEXT PRIMARY KEY,
    post_id TEXT NOT NULL REFERENCES posts (id),
    person_id TEXT NOT NULL REFERENCES people (id),
    start_on TEXT NOT NULL,
    end_on TEXT,
    note TEXT,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX holdings_post ON holdings (post_id, start_on);
CREATE INDEX holdings_person ON holdings (person_id);

CREATE TABLE platforms (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    portfolio TEXT,
    news_function BIGINT NOT NULL,
    opened_on TEXT NOT NULL,
    closed_on TEXT,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX platforms_org ON platforms (org_id);

CREATE TABLE platform_operators (
    platform_id TEXT NOT NULL REFERENCES platforms (id),
    person_id TEXT NOT NULL REFERENCES people (id),
    PRIMARY KEY (platform_id, person_id)
);

CREATE TABLE obligations (
    id TEXT PRIMARY KEY,
    obligation_key TEXT NOT NULL UNIQUE,
    policy_id TEXT NOT NULL REFERENCES policies (id),
    duty_id TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    period TEXT NOT NULL,
    year BIGINT NOT NULL,
    due_on TEXT NOT NULL,
    citation TEXT NOT NULL,
    state TEXT NOT NULL,
    completed_on TEXT,
    completion_note TEXT,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX obligations_org_year ON obligations (org_id, year);
CREATE INDEX obligations_due ON obligations (due_on);

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    actor TEXT NOT NULL,
    origin TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    algorithm TEXT NOT NULL
);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);

-- The head of the audit chain. Every writing transaction updates this row first, which
-- serialises writers on both engines and lets `audit verify` notice entries cut off the end.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
