//! The audit trail: who did what and when. Values are never recorded, only the names of keys.

use rusqlite::{Connection, Row, params};
use secret_backends_api::AuditAction;

use super::{FromRow, Word, all, json_column, json_text};
use crate::error::Result;

/// One audit record to write; [`Store::write`](super::Store::write) writes it with the change
/// it describes.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    pub user: String,
    pub action: AuditAction,
    pub backend: Option<String>,
    pub model: Option<String>,
    pub keys: Vec<String>,
    pub detail: Option<String>,
}

impl AuditRecord {
    /// A record of `action` by `user`, about nothing in particular yet.
    pub fn new(user: &str, action: AuditAction) -> Self {
        AuditRecord {
            user: user.to_owned(),
            action,
            backend: None,
            model: None,
            keys: Vec::new(),
            detail: None,
        }
    }

    /// The backend concerned.
    pub fn backend(mut self, name: &str) -> Self {
        self.backend = Some(name.to_owned());
        self
    }

    /// The model concerned.
    pub fn model(mut self, name: &str) -> Self {
        self.model = Some(name.to_owned());
        self
    }

    /// The config keys concerned (names only).
    pub fn keys(mut self, keys: Vec<String>) -> Self {
        self.keys = keys;
        self
    }

    /// What else a reader needs to know, if anything.
    pub fn detail(mut self, detail: Option<String>) -> Self {
        self.detail = detail;
        self
    }
}

/// A recorded entry, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRow {
    pub id: u64,
    /// Unix seconds.
    pub at: i64,
    pub record: AuditRecord,
}

impl FromRow for AuditRow {
    const COLUMNS: &'static str = "id, at, user, action, backend, model, keys, detail";

    fn from_row(r: &Row<'_>) -> rusqlite::Result<AuditRow> {
        Ok(AuditRow {
            id: r.get(0)?,
            at: r.get(1)?,
            record: AuditRecord {
                user: r.get(2)?,
                action: r.get::<_, Word<AuditAction>>(3)?.0,
                backend: r.get(4)?,
                model: r.get(5)?,
                keys: json_column(r, 6)?,
                detail: r.get(7)?,
            },
        })
    }
}

/// Writes a record; changes write theirs through [`Store::write`](super::Store::write).
pub(super) fn audit_insert(c: &Connection, record: &AuditRecord, now: i64) -> Result<()> {
    c.execute(
        "INSERT INTO audit (at, user, action, backend, model, keys, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            now,
            record.user,
            Word(record.action),
            record.backend,
            record.model,
            json_text(&record.keys)?,
            record.detail
        ],
    )?;
    Ok(())
}

/// The newest entries first; only those of `backend` when given.
pub fn audit_list(c: &Connection, backend: Option<&str>, limit: u32) -> Result<Vec<AuditRow>> {
    all(
        c,
        "FROM audit WHERE ?1 IS NULL OR backend = ?1 ORDER BY id DESC LIMIT ?2",
        params![backend, limit],
    )
}
