//! Models and their `secret-backend` setting.

use rusqlite::{Connection, Row, params};
use secret_backends_api::ModelType;

use super::{FromRow, Word, all, one};
use crate::error::Result;

/// A stored model.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelRow {
    pub uuid: String,
    pub name: String,
    pub model_type: ModelType,
    /// The setting: `auto`, `internal` or a user backend's name.
    pub secret_backend: String,
    pub revision: u64,
}

impl FromRow for ModelRow {
    const COLUMNS: &'static str = "uuid, name, model_type, secret_backend, revision";

    fn from_row(r: &Row<'_>) -> rusqlite::Result<ModelRow> {
        Ok(ModelRow {
            uuid: r.get(0)?,
            name: r.get(1)?,
            model_type: r.get::<_, Word<ModelType>>(2)?.0,
            secret_backend: r.get(3)?,
            revision: r.get(4)?,
        })
    }
}

pub fn model_list(c: &Connection) -> Result<Vec<ModelRow>> {
    all(c, "FROM models ORDER BY name", [])
}

pub fn model_get(c: &Connection, name: &str) -> Result<Option<ModelRow>> {
    one(c, "FROM models WHERE name = ?1", params![name])
}

/// Models whose setting names `backend`.
pub fn models_naming_backend(c: &Connection, backend: &str) -> Result<Vec<ModelRow>> {
    all(
        c,
        "FROM models WHERE secret_backend = ?1 ORDER BY name",
        params![backend],
    )
}

pub fn model_insert(c: &Connection, m: &ModelRow, now: i64) -> Result<()> {
    c.execute(
        "INSERT INTO models (uuid, name, model_type, secret_backend, revision, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            m.uuid,
            m.name,
            Word(m.model_type),
            m.secret_backend,
            m.revision,
            now
        ],
    )?;
    Ok(())
}

/// Sets a model's backend setting and bumps its revision.
pub fn model_set_backend(c: &Connection, uuid: &str, setting: &str) -> Result<()> {
    c.execute(
        "UPDATE models SET secret_backend = ?2, revision = revision + 1 WHERE uuid = ?1",
        params![uuid, setting],
    )?;
    Ok(())
}

/// Renames a backend in every model setting that names it.
pub fn models_rename_backend(c: &Connection, from: &str, to: &str) -> Result<()> {
    c.execute(
        "UPDATE models SET secret_backend = ?2, revision = revision + 1 WHERE secret_backend = ?1",
        params![from, to],
    )?;
    Ok(())
}
