-- Calendar feed secrets are no longer kept: only their SHA-256 (token_hash), like API tokens.
-- The address is shown once, when it is made; a person who lost it makes a new one. Live
-- addresses keep working, since they are looked up by their hash.

ALTER TABLE calendar_tokens DROP COLUMN token;
