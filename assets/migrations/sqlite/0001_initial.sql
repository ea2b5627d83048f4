-- warden schema, version 1 (SQLite).
--
-- Integers hold ids, counts, flags (0/1) and times (milliseconds since the Unix epoch, UTC).
-- Case-insensitive uniqueness uses *_key columns holding the lowercased value, computed by
-- warden (SQLite's lower() only folds ASCII). Scope columns (stage_id, app_id) are NULL for
-- "any"; unique indexes use COALESCE(..., 0) because NULLs are distinct in UNIQUE.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE tenants (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE stages (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    position INTEGER NOT NULL
);

CREATE TABLE apps (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT ''
);

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    tenant_id            INTEGER NOT NULL REFERENCES tenants(id),
    username             TEXT NOT NULL,
    username_key         TEXT NOT NULL,
    email                TEXT,
    email_key            TEXT,
    display_name         TEXT NOT NULL DEFAULT '',
    kind                 TEXT NOT NULL CHECK (kind IN ('member', 'end_user', 'api_client')),
    status               TEXT NOT NULL CHECK (status IN ('invited', 'active', 'deactivated')),
    external_id          TEXT,
    password_hash        TEXT,
    password_changed_at  INTEGER,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    failed_attempts      INTEGER NOT NULL DEFAULT 0,
    last_failure_at      INTEGER,
    locked_until         INTEGER,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    last_sign_in_at      INTEGER,
    version              INTEGER NOT NULL DEFAULT 1,
    UNIQUE (tenant_id, username_key),
    UNIQUE (tenant_id, email_key),
    UNIQUE (tenant_id, external_id)
);

-- OS accounts allowed to act as an operator without a password on a local store ("peer").
CREATE TABLE peer_operators (
    os_account TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE
);

CREATE TABLE permissions (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    section     TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    app_id      INTEGER REFERENCES apps(id),
    builtin     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX permissions_app ON permissions(app_id);

CREATE TABLE implications (
    permission_id INTEGER NOT NULL REFERENCES permissions(id) ON DELETE CASCADE,
    implied_id    INTEGER NOT NULL REFERENCES permissions(id) ON DELETE CASCADE,
    PRIMARY KEY (permission_id, implied_id),
    CHECK (permission_id <> implied_id)
);
CREATE INDEX implications_implied ON implications(implied_id);

CREATE TABLE roles (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL CHECK (kind IN ('organization', 'end_user')),
    app_id      INTEGER REFERENCES apps(id),
    builtin     INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    CHECK ((kind = 'end_user') = (app_id IS NOT NULL))
);
CREATE UNIQUE INDEX roles_name ON roles(COALESCE(app_id, 0), name_key);
CREATE INDEX roles_app ON roles(app_id);

CREATE TABLE role_grants (
    role_id       INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    permission_id INTEGER NOT NULL REFERENCES permissions(id) ON DELETE CASCADE,
    stage_id      INTEGER REFERENCES stages(id),
    app_id        INTEGER REFERENCES apps(id)
);
CREATE UNIQUE INDEX role_grants_unique
    ON role_grants(role_id, permission_id, COALESCE(stage_id, 0), COALESCE(app_id, 0));
CREATE INDEX role_grants_permission ON role_grants(permission_id);

CREATE TABLE role_includes (
    role_id     INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    included_id INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    PRIMARY KEY (role_id, included_id),
    CHECK (role_id <> included_id)
);
CREATE INDEX role_includes_included ON role_includes(included_id);

CREATE TABLE groups (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    stage_id    INTEGER NOT NULL REFERENCES stages(id),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    UNIQUE (tenant_id, stage_id, name_key)
);

CREATE TABLE group_members (
    group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members(user_id);

CREATE TABLE group_roles (
    group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    role_id  INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, role_id)
);
CREATE INDEX group_roles_role ON group_roles(role_id);

CREATE TABLE assignments (
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role_id  INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    stage_id INTEGER REFERENCES stages(id),
    app_id   INTEGER REFERENCES apps(id)
);
CREATE UNIQUE INDEX assignments_unique
    ON assignments(user_id, role_id, COALESCE(stage_id, 0), COALESCE(app_id, 0));
CREATE INDEX assignments_role ON assignments(role_id);

-- Append-only, hash-chained: hash = sha256(prev_hash, at, tenant, operator, action, summary,
-- detail). `warden audit verify` recomputes the chain.
CREATE TABLE audit (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    tenant    TEXT NOT NULL,
    operator  TEXT NOT NULL,
    action    TEXT NOT NULL,
    summary   TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
