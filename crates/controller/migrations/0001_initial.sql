-- The first schema. Times are Unix seconds (UTC).

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    name          TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,           -- argon2id PHC string
    access        TEXT NOT NULL CHECK (access IN ('superuser', 'login')),
    created_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,           -- SHA-256 of the bearer token; the token itself is never stored
    user_name  TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL
);

CREATE TABLE secret_backends (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL UNIQUE,
    backend_type      TEXT NOT NULL CHECK (backend_type IN ('vault', 'kubernetes')),
    config            TEXT NOT NULL,       -- JSON object, sensitive keys included
    token_rotate_secs INTEGER,
    revision          INTEGER NOT NULL,    -- bumped on every edit; the ETag
    status            TEXT NOT NULL CHECK (status IN ('active', 'error')),
    message           TEXT,
    checked_at        INTEGER,
    created_at        INTEGER NOT NULL
);
