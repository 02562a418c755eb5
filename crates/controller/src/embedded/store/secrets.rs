//! Secrets and their revisions: which backend holds each revision's content, and the content
//! itself when the controller keeps it.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{FromRow, all, rows};
use crate::error::Result;

/// A revision of a secret and where its content is.
#[derive(Debug, Clone)]
pub struct RevisionRow {
    pub secret_uri: String,
    pub model_uuid: String,
    pub label: String,
    pub revision: u64,
    pub backend_id: String,
    /// Only for content the controller keeps itself.
    pub content: Option<String>,
}

impl FromRow for RevisionRow {
    const COLUMNS: &'static str =
        "r.secret_uri, s.model_uuid, s.label, r.revision, r.backend_id, r.content";

    fn from_row(r: &Row<'_>) -> rusqlite::Result<RevisionRow> {
        Ok(RevisionRow {
            secret_uri: r.get(0)?,
            model_uuid: r.get(1)?,
            label: r.get(2)?,
            revision: r.get(3)?,
            backend_id: r.get(4)?,
            content: r.get(5)?,
        })
    }
}

/// A model's secret with `label`: its URI and latest revision number.
pub fn secret_by_label(
    c: &Connection,
    model_uuid: &str,
    label: &str,
) -> Result<Option<(String, u64)>> {
    Ok(c.query_row(
        "SELECT s.uri, COALESCE(MAX(r.revision), 0) FROM secrets s
         LEFT JOIN secret_revisions r ON r.secret_uri = s.uri
         WHERE s.model_uuid = ?1 AND s.label = ?2 GROUP BY s.uri",
        params![model_uuid, label],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?)
}

pub fn secret_insert(
    c: &Connection,
    uri: &str,
    model_uuid: &str,
    label: &str,
    now: i64,
) -> Result<()> {
    c.execute(
        "INSERT INTO secrets (uri, model_uuid, label, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![uri, model_uuid, label, now],
    )?;
    Ok(())
}

pub fn revision_insert(c: &Connection, r: &RevisionRow, now: i64) -> Result<()> {
    c.execute(
        "INSERT INTO secret_revisions (secret_uri, revision, backend_id, content, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![r.secret_uri, r.revision, r.backend_id, r.content, now],
    )?;
    Ok(())
}

/// Moves a revision's content record to another backend.
pub fn revision_move(
    c: &Connection,
    uri: &str,
    revision: u64,
    backend_id: &str,
    content: Option<&str>,
) -> Result<()> {
    c.execute(
        "UPDATE secret_revisions SET backend_id = ?3, content = ?4
         WHERE secret_uri = ?1 AND revision = ?2",
        params![uri, revision, backend_id, content],
    )?;
    Ok(())
}

/// Every revision of a model's secrets.
pub fn model_revisions(c: &Connection, model_uuid: &str) -> Result<Vec<RevisionRow>> {
    all(
        c,
        "FROM secret_revisions r JOIN secrets s ON s.uri = r.secret_uri
         WHERE s.model_uuid = ?1 ORDER BY s.label, r.revision",
        params![model_uuid],
    )
}

/// Every revision of every secret, by model.
pub fn revisions_all(c: &Connection) -> Result<Vec<RevisionRow>> {
    all(
        c,
        "FROM secret_revisions r JOIN secrets s ON s.uri = r.secret_uri
         ORDER BY s.model_uuid, r.secret_uri, r.revision",
        [],
    )
}

/// Distinct secrets with content in each backend (by backend id).
pub fn secret_counts(c: &Connection) -> Result<HashMap<String, u64>> {
    Ok(rows(
        c,
        "SELECT backend_id, COUNT(DISTINCT secret_uri) FROM secret_revisions GROUP BY backend_id",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?
    .into_iter()
    .collect())
}

/// Forgets every revision whose content is in `backend_id` (a forced removal), and the secrets
/// left with no revision.
pub fn revisions_forget_backend(c: &Connection, backend_id: &str) -> Result<()> {
    c.execute(
        "DELETE FROM secret_revisions WHERE backend_id = ?1",
        params![backend_id],
    )?;
    c.execute(
        "DELETE FROM secrets
         WHERE NOT EXISTS (SELECT 1 FROM secret_revisions r WHERE r.secret_uri = secrets.uri)",
        [],
    )?;
    Ok(())
}
