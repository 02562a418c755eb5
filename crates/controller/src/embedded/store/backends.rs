//! User secret backends (the built-in ones are not rows).

use rusqlite::{Connection, OptionalExtension, Row, params};
use secret_backends_api::{BackendStatus, BackendType, Config};

use super::{Word, all, json_column, json_text, one};
use crate::error::Result;

/// A stored user backend.
#[derive(Debug, Clone, PartialEq)]
pub struct BackendRow {
    pub id: String,
    pub name: String,
    pub backend_type: BackendType,
    pub config: Config,
    pub token_rotate_secs: Option<u64>,
    pub revision: u64,
    pub status: BackendStatus,
    pub message: Option<String>,
    /// Unix seconds of the last check.
    pub checked_at: Option<i64>,
    pub next_rotation_at: Option<i64>,
    pub last_rotation_at: Option<i64>,
    pub last_rotation_error: Option<String>,
}

/// The columns [`BackendRow::from_row`] reads, in its order.
const BACKEND_COLUMNS: &str = "id, name, backend_type, config, token_rotate_secs, revision, \
     status, message, checked_at, next_rotation_at, last_rotation_at, last_rotation_error";

impl BackendRow {
    fn from_row(r: &Row<'_>) -> rusqlite::Result<BackendRow> {
        Ok(BackendRow {
            id: r.get(0)?,
            name: r.get(1)?,
            backend_type: r.get::<_, Word<BackendType>>(2)?.0,
            config: json_column(r, 3)?,
            token_rotate_secs: r.get(4)?,
            revision: r.get(5)?,
            status: r.get::<_, Word<BackendStatus>>(6)?.0,
            message: r.get(7)?,
            checked_at: r.get(8)?,
            next_rotation_at: r.get(9)?,
            last_rotation_at: r.get(10)?,
            last_rotation_error: r.get(11)?,
        })
    }
}

pub fn backend_list(c: &Connection) -> Result<Vec<BackendRow>> {
    all(
        c,
        &format!("SELECT {BACKEND_COLUMNS} FROM secret_backends ORDER BY name"),
        [],
        BackendRow::from_row,
    )
}

pub fn backend_get(c: &Connection, name: &str) -> Result<Option<BackendRow>> {
    one(
        c,
        &format!("SELECT {BACKEND_COLUMNS} FROM secret_backends WHERE name = ?1"),
        params![name],
        BackendRow::from_row,
    )
}

pub fn backend_get_by_id(c: &Connection, id: &str) -> Result<Option<BackendRow>> {
    one(
        c,
        &format!("SELECT {BACKEND_COLUMNS} FROM secret_backends WHERE id = ?1"),
        params![id],
        BackendRow::from_row,
    )
}

pub fn backend_id_exists(c: &Connection, id: &str) -> Result<bool> {
    Ok(c.query_row(
        "SELECT EXISTS(SELECT 1 FROM secret_backends WHERE id = ?1)",
        params![id],
        |r| r.get(0),
    )?)
}

/// Backends whose token rotation is due at `now`.
pub fn backends_due_for_rotation(c: &Connection, now: i64) -> Result<Vec<BackendRow>> {
    all(
        c,
        &format!(
            "SELECT {BACKEND_COLUMNS} FROM secret_backends
             WHERE token_rotate_secs IS NOT NULL AND next_rotation_at IS NOT NULL
               AND next_rotation_at <= ?1"
        ),
        params![now],
        BackendRow::from_row,
    )
}

pub fn backend_insert(c: &Connection, b: &BackendRow, now: i64) -> Result<()> {
    c.execute(
        "INSERT INTO secret_backends
           (id, name, backend_type, config, token_rotate_secs, revision, status, message, checked_at,
            next_rotation_at, last_rotation_at, last_rotation_error, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            b.id,
            b.name,
            Word(b.backend_type),
            json_text(&b.config)?,
            b.token_rotate_secs,
            b.revision,
            Word(b.status),
            b.message,
            b.checked_at,
            b.next_rotation_at,
            b.last_rotation_at,
            b.last_rotation_error,
            now
        ],
    )?;
    Ok(())
}

/// Writes every field of a stored backend (found by id).
pub fn backend_update(c: &Connection, b: &BackendRow) -> Result<()> {
    c.execute(
        "UPDATE secret_backends SET name = ?2, config = ?3, token_rotate_secs = ?4, revision = ?5,
           status = ?6, message = ?7, checked_at = ?8, next_rotation_at = ?9, last_rotation_at = ?10,
           last_rotation_error = ?11
         WHERE id = ?1",
        params![
            b.id,
            b.name,
            json_text(&b.config)?,
            b.token_rotate_secs,
            b.revision,
            Word(b.status),
            b.message,
            b.checked_at,
            b.next_rotation_at,
            b.last_rotation_at,
            b.last_rotation_error,
        ],
    )?;
    Ok(())
}

pub fn backend_delete(c: &Connection, id: &str) -> Result<bool> {
    Ok(c.execute("DELETE FROM secret_backends WHERE id = ?1", params![id])? > 0)
}

/// Records a health check. Does not bump the revision: a status is not an edit. Returns whether
/// the status or message changed.
pub fn backend_set_status(
    c: &Connection,
    id: &str,
    status: BackendStatus,
    message: Option<&str>,
    checked_at: i64,
) -> Result<bool> {
    let before: Option<(Word<BackendStatus>, Option<String>)> = c
        .query_row(
            "SELECT status, message FROM secret_backends WHERE id = ?1",
            params![id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    c.execute(
        "UPDATE secret_backends SET status = ?2, message = ?3, checked_at = ?4 WHERE id = ?1",
        params![id, Word(status), message, checked_at],
    )?;
    Ok(before.is_some_and(|(s, m)| s.0 != status || m.as_deref() != message))
}
