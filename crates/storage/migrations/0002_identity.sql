-- Accounts, explicit role grants, sessions, API tokens and settings (PRODUCT.md §5).

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    person_id TEXT REFERENCES people (id),
    admin_role TEXT,
    password_hash TEXT NOT NULL,
    must_change_password BIGINT NOT NULL,
    totp_secret TEXT,
    totp_enabled BIGINT NOT NULL,
    totp_last_step BIGINT,
    failed_logins BIGINT NOT NULL,
    locked_until BIGINT,
    disabled BIGINT NOT NULL,
    lang TEXT,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE grants (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    granted_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX grants_user ON grants (user_id);

-- Sessions live in the database so several `zeren serve` instances share them. The id is the
-- SHA-256 of the cookie value: a stolen database does not yield usable cookies.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    csrf TEXT NOT NULL,
    second_factor_pending BIGINT NOT NULL,
    origin TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    ended_at BIGINT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Bumped by every change to the org model, policies, accounts or grants, so each server
-- instance knows when its in-memory snapshot is stale.
CREATE TABLE model_generation (
    id BIGINT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO model_generation (id, value) VALUES (1, 1);
