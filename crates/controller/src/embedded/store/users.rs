//! Users, their sessions and their per-model access.

use rusqlite::{Connection, Row, params};
use secret_backends_api::{Access, ModelAccess};

use super::{FromRow, Word, all, one, rows};
use crate::error::Result;

/// A stored user.
#[derive(Debug, Clone)]
pub struct UserRow {
    pub name: String,
    pub password_hash: String,
    pub access: Access,
}

/// The columns of a [`UserRow`], in its order; a macro so that [`SessionRow`] can extend them.
macro_rules! user_columns {
    () => {
        "u.name, u.password_hash, u.access"
    };
}

impl FromRow for UserRow {
    const COLUMNS: &'static str = user_columns!();

    fn from_row(r: &Row<'_>) -> rusqlite::Result<UserRow> {
        Ok(UserRow {
            name: r.get(0)?,
            password_hash: r.get(1)?,
            access: r.get::<_, Word<Access>>(2)?.0,
        })
    }
}

pub fn user_count(c: &Connection) -> Result<u64> {
    Ok(c.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?)
}

pub fn user_insert(c: &Connection, user: &UserRow, now: i64) -> Result<()> {
    c.execute(
        "INSERT INTO users (name, password_hash, access, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![user.name, user.password_hash, Word(user.access), now],
    )?;
    Ok(())
}

pub fn user_get(c: &Connection, name: &str) -> Result<Option<UserRow>> {
    one(c, "FROM users u WHERE u.name = ?1", params![name])
}

pub fn user_list(c: &Connection) -> Result<Vec<UserRow>> {
    all(c, "FROM users u ORDER BY u.name", [])
}

/// A live session: its user, and when it was last used (Unix seconds).
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub user: UserRow,
    pub last_used_at: i64,
}

impl FromRow for SessionRow {
    // The user's columns first, as `UserRow::from_row` reads them; then the session's.
    const COLUMNS: &'static str = concat!(user_columns!(), ", s.last_used_at");

    fn from_row(r: &Row<'_>) -> rusqlite::Result<SessionRow> {
        Ok(SessionRow {
            user: UserRow::from_row(r)?,
            last_used_at: r.get(3)?,
        })
    }
}

/// A new session of `user`, used `now`, ending at `expires_at` at the latest.
pub fn session_insert(
    c: &Connection,
    token_hash: &str,
    user: &str,
    now: i64,
    expires_at: i64,
) -> Result<()> {
    c.execute(
        "INSERT INTO sessions (token_hash, user_name, expires_at, last_used_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![token_hash, user, expires_at, now],
    )?;
    Ok(())
}

/// The session of a token if it lives: not past `expires_at` at `now`, and used after
/// `idle_since`.
pub fn session_get(
    c: &Connection,
    token_hash: &str,
    now: i64,
    idle_since: i64,
) -> Result<Option<SessionRow>> {
    one(
        c,
        "FROM sessions s JOIN users u ON u.name = s.user_name
         WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND s.last_used_at > ?3",
        params![token_hash, now, idle_since],
    )
}

/// Records that a session was used `now`.
pub fn session_touch(c: &Connection, token_hash: &str, now: i64) -> Result<()> {
    c.execute(
        "UPDATE sessions SET last_used_at = ?2 WHERE token_hash = ?1",
        params![token_hash, now],
    )?;
    Ok(())
}

pub fn session_delete(c: &Connection, token_hash: &str) -> Result<()> {
    c.execute(
        "DELETE FROM sessions WHERE token_hash = ?1",
        params![token_hash],
    )?;
    Ok(())
}

/// Ends every session of `user` but the one of `keep` (a token hash), if given.
pub fn sessions_delete_of_user(c: &Connection, user: &str, keep: Option<&str>) -> Result<usize> {
    Ok(c.execute(
        "DELETE FROM sessions WHERE user_name = ?1 AND token_hash IS NOT ?2",
        params![user, keep],
    )?)
}

/// Forgets the sessions that ended: past `expires_at` at `now`, or unused since `idle_since`.
pub fn sessions_expire(c: &Connection, now: i64, idle_since: i64) -> Result<()> {
    c.execute(
        "DELETE FROM sessions WHERE expires_at <= ?1 OR last_used_at <= ?2",
        params![now, idle_since],
    )?;
    Ok(())
}

pub fn user_delete(c: &Connection, name: &str) -> Result<bool> {
    Ok(c.execute("DELETE FROM users WHERE name = ?1", params![name])? > 0)
}

pub fn user_password_set(c: &Connection, name: &str, password_hash: &str) -> Result<bool> {
    Ok(c.execute(
        "UPDATE users SET password_hash = ?2 WHERE name = ?1",
        params![name, password_hash],
    )? > 0)
}

/// A user's access to each model they may see, by model name.
pub fn user_model_access(c: &Connection, user: &str) -> Result<Vec<(String, ModelAccess)>> {
    rows(
        c,
        "SELECT m.name, a.access FROM user_model_access a JOIN models m ON m.uuid = a.model_uuid
         WHERE a.user_name = ?1 ORDER BY m.name",
        params![user],
        |r| Ok((r.get(0)?, r.get::<_, Word<ModelAccess>>(1)?.0)),
    )
}

pub fn user_model_access_set(
    c: &Connection,
    user: &str,
    model_uuid: &str,
    access: ModelAccess,
) -> Result<()> {
    c.execute(
        "INSERT INTO user_model_access (user_name, model_uuid, access) VALUES (?1, ?2, ?3)
         ON CONFLICT (user_name, model_uuid) DO UPDATE SET access = excluded.access",
        params![user, model_uuid, Word(access)],
    )?;
    Ok(())
}
