-- VETIS schema v7: sign-in throttling instead of account locks (a counter per account at an
-- address, per address and per account, with back-off; keys hold hashes, never raw names), and API
-- tokens that expire. `app_user.failed_logins` and `locked_until` are no longer used.
CREATE TABLE sign_in_throttle (
    throttle_key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_at BIGINT NOT NULL,
    blocked_until BIGINT NOT NULL
);
CREATE INDEX sign_in_throttle_last ON sign_in_throttle (last_at);
ALTER TABLE api_token ADD COLUMN expires_at TEXT;
