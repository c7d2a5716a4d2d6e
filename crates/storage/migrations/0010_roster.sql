-- A real installation keeps its own organisation: people with a staff number (工号, the key of
-- roster imports and of sign-in through 统一身份认证) and their 企业微信/钉钉 user ids; posts
-- that close; and portfolios (分管领域) held by leaders over dated assignments instead of a
-- list on the post. The post's list stays as its standing portfolios, given to a new holder.
ALTER TABLE people ADD COLUMN staff_no TEXT;
ALTER TABLE people ADD COLUMN wecom_id TEXT;
ALTER TABLE people ADD COLUMN dingtalk_id TEXT;
ALTER TABLE people ADD COLUMN left_on TEXT;
CREATE UNIQUE INDEX people_staff_no ON people (staff_no);
ALTER TABLE posts ADD COLUMN closed_on TEXT;

CREATE TABLE portfolio_assignments (
    id TEXT PRIMARY KEY,
    holding_id TEXT NOT NULL REFERENCES holdings (id),
    portfolio TEXT NOT NULL,
    start_on TEXT NOT NULL,
    end_on TEXT,
    note TEXT,
    archived BIGINT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX portfolio_assignments_holding ON portfolio_assignments (holding_id, start_on);
CREATE INDEX portfolio_assignments_portfolio ON portfolio_assignments (portfolio);
