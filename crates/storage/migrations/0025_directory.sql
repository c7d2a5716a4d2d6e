-- Signing in through the university's directories (统一身份认证 CAS, LDAP, OIDC) and from the
-- 企业微信/钉钉 workbench. A session remembers how it began, and for CAS a digest of its ticket:
-- the portal's single logout names the ticket, and that ends the session.
ALTER TABLE sessions ADD COLUMN method TEXT;
ALTER TABLE sessions ADD COLUMN sso_ref TEXT;
CREATE INDEX sessions_sso_ref ON sessions (sso_ref);

-- A sign-in begun here and finished at the portal or provider: the digest of its `state`, the
-- digest of the cookie that binds it to the browser that began it, the OIDC nonce and PKCE
-- verifier, and where to go after. Used once (`used_at`), and only within minutes. A CAS
-- ticket seen once is kept here too (method `cas-ticket`), so it is never taken twice.
CREATE TABLE sign_in_attempts (
    id TEXT PRIMARY KEY,
    method TEXT NOT NULL,
    binding TEXT NOT NULL,
    nonce TEXT,
    verifier TEXT,
    next TEXT NOT NULL,
    origin TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX sign_in_attempts_created ON sign_in_attempts (created_at);
