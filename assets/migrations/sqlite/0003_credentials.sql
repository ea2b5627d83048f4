-- warden schema, version 3 (SQLite): credentials.
--
-- consecutive_failures counts checked failures since the last success (the hard limit);
-- failed_attempts (version 1) counts failures in the current lockout window.
-- password_history keeps replaced hashes so a user cannot reuse recent passwords.
-- sign_ins is the lockout timeline: every attempt and its outcome (never the password).
-- api_tokens hold SHA-256 digests of API client secrets, shown once at creation.

ALTER TABLE users ADD COLUMN consecutive_failures INTEGER NOT NULL DEFAULT 0;

CREATE TABLE password_history (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    hash        TEXT NOT NULL,
    replaced_at INTEGER NOT NULL
);
CREATE INDEX password_history_user ON password_history(user_id, id);

CREATE TABLE sign_ins (
    id      INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    at      INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    via     TEXT NOT NULL
);
CREATE INDEX sign_ins_user ON sign_ins(user_id, id);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL DEFAULT '',
    secret_hash  TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);
