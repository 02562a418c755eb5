-- Models, their secrets, per-model access, token rotation and the audit trail.

ALTER TABLE secret_backends ADD COLUMN next_rotation_at INTEGER;
ALTER TABLE secret_backends ADD COLUMN last_rotation_at INTEGER;
ALTER TABLE secret_backends ADD COLUMN last_rotation_error TEXT;

CREATE TABLE models (
    uuid           TEXT PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    model_type     TEXT NOT NULL CHECK (model_type IN ('iaas', 'caas')),
    secret_backend TEXT NOT NULL DEFAULT 'auto',  -- the setting: 'auto', 'internal' or a user backend's name
    revision       INTEGER NOT NULL DEFAULT 1,
    created_at     INTEGER NOT NULL
);

CREATE TABLE user_model_access (
    user_name  TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    model_uuid TEXT NOT NULL REFERENCES models (uuid) ON DELETE CASCADE,
    access     TEXT NOT NULL CHECK (access IN ('read', 'write', 'admin')),
    PRIMARY KEY (user_name, model_uuid)
);

CREATE TABLE secrets (
    uri        TEXT PRIMARY KEY,                  -- secret:<id>
    model_uuid TEXT NOT NULL REFERENCES models (uuid) ON DELETE CASCADE,
    label      TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (model_uuid, label)
);

-- One row per revision; `backend_id` says where its content is. The content itself is here only
-- for the controller's own backends (internal, <model>-local); a vault holds its own.
CREATE TABLE secret_revisions (
    secret_uri TEXT NOT NULL REFERENCES secrets (uri) ON DELETE CASCADE,
    revision   INTEGER NOT NULL,
    backend_id TEXT NOT NULL,
    content    TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (secret_uri, revision)
);
CREATE INDEX secret_revisions_backend ON secret_revisions (backend_id);

CREATE TABLE audit (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      INTEGER NOT NULL,
    user    TEXT NOT NULL,
    action  TEXT NOT NULL,
    backend TEXT,
    model   TEXT,
    keys    TEXT NOT NULL DEFAULT '[]',           -- JSON list of key names, never values
    detail  TEXT
);
CREATE INDEX audit_backend ON audit (backend);
