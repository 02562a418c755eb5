-- Sessions end after an idle time as well as at `expires_at`: record when each was last used.
-- Sessions from before this version count as used now.

ALTER TABLE sessions ADD COLUMN last_used_at INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET last_used_at = CAST(strftime('%s', 'now') AS INTEGER);
CREATE INDEX sessions_user ON sessions (user_name);
