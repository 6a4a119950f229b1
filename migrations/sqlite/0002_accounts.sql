-- VETIS schema v2 (sqlite): accounts, sessions and API tokens for the web platform.
-- Passwords are argon2id PHC strings; session ids and tokens are stored only as SHA-256 hashes.

CREATE TABLE app_user (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    school_code TEXT,
    district_code TEXT,
    password_hash TEXT NOT NULL,
    must_change INTEGER NOT NULL,
    disabled INTEGER NOT NULL,
    failed_logins INTEGER NOT NULL,
    locked_until TEXT,
    created_at TEXT NOT NULL,
    password_changed_at TEXT NOT NULL
);

CREATE TABLE password_history (
    user_id INTEGER NOT NULL,
    password_hash TEXT NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE INDEX password_history_user ON password_history (user_id);

CREATE TABLE app_session (
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL,
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen TEXT NOT NULL
);

CREATE TABLE api_token (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked INTEGER NOT NULL
);
