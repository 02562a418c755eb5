//! User secret backends (the built-in ones are not rows).

use rusqlite::types::ToSql;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};
use secret_backends_api::{BackendStatus, BackendType, Config};

use super::{FromRow, Word, all, json_column, json_text, one};
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

impl FromRow for BackendRow {
    const COLUMNS: &'static str = "id, name, backend_type, config, token_rotate_secs, revision, \
     status, message, checked_at, next_rotation_at, last_rotation_at, last_rotation_error";

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
    all(c, "FROM secret_backends ORDER BY name", [])
}

pub fn backend_get(c: &Connection, name: &str) -> Result<Option<BackendRow>> {
    one(c, "FROM secret_backends WHERE name = ?1", params![name])
}

pub fn backend_get_by_id(c: &Connection, id: &str) -> Result<Option<BackendRow>> {
    one(c, "FROM secret_backends WHERE id = ?1", params![id])
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
        "FROM secret_backends
         WHERE token_rotate_secs IS NOT NULL AND next_rotation_at IS NOT NULL
           AND next_rotation_at <= ?1",
        params![now],
    )
}

pub fn backend_insert(c: &Connection, b: &BackendRow, now: i64) -> Result<()> {
    let mut values = backend_values(b)?;
    values.push(Box::new(now));
    c.execute(
        &format!(
            "INSERT INTO secret_backends ({}, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            BackendRow::COLUMNS
        ),
        params_from_iter(values),
    )?;
    Ok(())
}

/// Writes every field of a stored backend (found by id; its type never changes).
pub fn backend_update(c: &Connection, b: &BackendRow) -> Result<()> {
    c.execute(
        "UPDATE secret_backends SET name = ?2, backend_type = ?3, config = ?4,
           token_rotate_secs = ?5, revision = ?6, status = ?7, message = ?8, checked_at = ?9,
           next_rotation_at = ?10, last_rotation_at = ?11, last_rotation_error = ?12
         WHERE id = ?1",
        params_from_iter(backend_values(b)?),
    )?;
    Ok(())
}

/// A row's values in the order of its columns, bound as `?1` to `?12`.
fn backend_values(b: &BackendRow) -> Result<Vec<Box<dyn ToSql + '_>>> {
    Ok(vec![
        Box::new(&b.id),
        Box::new(&b.name),
        Box::new(Word(b.backend_type)),
        Box::new(json_text(&b.config)?),
        Box::new(b.token_rotate_secs),
        Box::new(b.revision),
        Box::new(Word(b.status)),
        Box::new(&b.message),
        Box::new(b.checked_at),
        Box::new(b.next_rotation_at),
        Box::new(b.last_rotation_at),
        Box::new(&b.last_rotation_error),
    ])
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
