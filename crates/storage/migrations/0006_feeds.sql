-- Calendar feed tokens: one live secret per account. Unlike API tokens, the secret is kept: it only
-- reads one person's calendar, and the person must be able to see their feed address again
-- (home page, /api/v1/me). Lookups go by its SHA-256.
-- Rotating revokes the old one (revoked_at) and adds a new row, so the history stays.
-- The search index (search_… tables, views and triggers) is derived data and is created in code
-- per engine (SQLite FTS5 trigram, PostgreSQL pg_trgm): see repo/feeds.rs `ensure_search_index`.

CREATE TABLE calendar_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX calendar_tokens_user ON calendar_tokens (user_id);
