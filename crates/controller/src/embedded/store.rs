//! The embedded store: one SQLite database in the data directory, created on first start, its
//! schema migrated by the numbered scripts in `migrations/` (tracked in `PRAGMA user_version`).
//!
//! Durability: WAL journal with `synchronous = FULL`, so a change is on disk before the service
//! answers; a kill -9 at any moment loses nothing that was acknowledged. SQLite is blocking, so
//! every call runs on the blocking pool through [`Store::call`], one connection behind a mutex
//! (writes are serialised anyway; reads are cheap at this scale).

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, params};
use secret_backends_api::{
    Access, AuditEntry, BackendStatus, BackendType, Config, ModelAccess, ModelType,
};

use crate::error::{Error, Result};

/// The schema, one script per version. Append only: a released script never changes.
const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/0001_initial.sql"),
    include_str!("../../migrations/0002_models_secrets_rotation_audit.sql"),
];

#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

/// A stored user.
#[derive(Debug, Clone)]
pub struct UserRow {
    pub name: String,
    pub password_hash: String,
    pub access: Access,
}

/// A stored user backend (the built-in ones are not rows).
#[derive(Debug, Clone)]
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

impl Store {
    /// Opens (creating if needed) `<data_dir>/controller.db` and brings its schema up to date.
    pub fn open(data_dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            Error::internal(format!(
                "cannot create data dir {}: {e}",
                data_dir.display()
            ))
        })?;
        let conn = Connection::open(data_dir.join("controller.db"))?;
        Self::init(conn)
    }

    fn init(mut conn: Connection) -> Result<Store> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let version: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let tx = conn.transaction()?;
        for (i, script) in MIGRATIONS.iter().enumerate().skip(version) {
            tx.execute_batch(script)?;
            tx.pragma_update(None, "user_version", i + 1)?;
        }
        tx.commit()?;
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `f` with the connection on the blocking pool.
    pub async fn call<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .map_err(|_| Error::internal("store connection poisoned"))?;
            f(&mut guard)
        })
        .await
        .map_err(|e| Error::internal(format!("store task: {e}")))?
    }

    /// Whether the store answers (for `/readyz`).
    pub async fn ping(&self) -> Result<()> {
        self.call(|c| {
            c.query_row("SELECT 1", [], |_| Ok(()))?;
            Ok(())
        })
        .await
    }
}

// ---------------------------------------------------------------------------------------------
// Queries. Plain functions on a connection, so that a caller can run several in one transaction.

/// The controller's UUID, made on first start; it is also the id of the `internal` backend.
pub fn controller_uuid(c: &Connection) -> Result<String> {
    if let Some(uuid) = c
        .query_row(
            "SELECT value FROM meta WHERE key = 'controller-uuid'",
            [],
            |r| r.get(0),
        )
        .optional()?
    {
        return Ok(uuid);
    }
    let uuid = uuid::Uuid::new_v4().to_string();
    c.execute(
        "INSERT INTO meta (key, value) VALUES ('controller-uuid', ?1)",
        params![uuid],
    )?;
    Ok(uuid)
}

pub fn user_count(c: &Connection) -> Result<u64> {
    Ok(c.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?)
}

pub fn user_insert(c: &Connection, user: &UserRow, now: i64) -> Result<()> {
    c.execute(
        "INSERT INTO users (name, password_hash, access, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![user.name, user.password_hash, access_str(user.access), now],
    )?;
    Ok(())
}

pub fn user_get(c: &Connection, name: &str) -> Result<Option<UserRow>> {
    Ok(c.query_row(
        "SELECT name, password_hash, access FROM users WHERE name = ?1",
        params![name],
        |r| {
            Ok(UserRow {
                name: r.get(0)?,
                password_hash: r.get(1)?,
                access: parse_access(&r.get::<_, String>(2)?),
            })
        },
    )
    .optional()?)
}

pub fn session_insert(c: &Connection, token_hash: &str, user: &str, expires_at: i64) -> Result<()> {
    c.execute(
        "INSERT INTO sessions (token_hash, user_name, expires_at) VALUES (?1, ?2, ?3)",
        params![token_hash, user, expires_at],
    )?;
    Ok(())
}

/// The user a live session belongs to.
pub fn session_user(c: &Connection, token_hash: &str, now: i64) -> Result<Option<UserRow>> {
    Ok(c.query_row(
        "SELECT u.name, u.password_hash, u.access FROM sessions s JOIN users u ON u.name = s.user_name
         WHERE s.token_hash = ?1 AND s.expires_at > ?2",
        params![token_hash, now],
        |r| {
            Ok(UserRow {
                name: r.get(0)?,
                password_hash: r.get(1)?,
                access: parse_access(&r.get::<_, String>(2)?),
            })
        },
    )
    .optional()?)
}

pub fn session_delete(c: &Connection, token_hash: &str) -> Result<()> {
    c.execute(
        "DELETE FROM sessions WHERE token_hash = ?1",
        params![token_hash],
    )?;
    Ok(())
}

pub fn sessions_expire(c: &Connection, now: i64) -> Result<()> {
    c.execute("DELETE FROM sessions WHERE expires_at <= ?1", params![now])?;
    Ok(())
}

const BACKEND_COLUMNS: &str = "id, name, backend_type, config, token_rotate_secs, revision, \
     status, message, checked_at, next_rotation_at, last_rotation_at, last_rotation_error";

fn backend_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<BackendRow> {
    let type_name: String = r.get(2)?;
    let config_json: String = r.get(3)?;
    let status: String = r.get(6)?;
    Ok(BackendRow {
        id: r.get(0)?,
        name: r.get(1)?,
        backend_type: BackendType::parse(&type_name).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, Box::new(e))
        })?,
        config: serde_json::from_str(&config_json).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, Box::new(e))
        })?,
        token_rotate_secs: r.get(4)?,
        revision: r.get(5)?,
        status: if status == "active" {
            BackendStatus::Active
        } else {
            BackendStatus::Error
        },
        message: r.get(7)?,
        checked_at: r.get(8)?,
        next_rotation_at: r.get(9)?,
        last_rotation_at: r.get(10)?,
        last_rotation_error: r.get(11)?,
    })
}

pub fn backend_list(c: &Connection) -> Result<Vec<BackendRow>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {BACKEND_COLUMNS} FROM secret_backends ORDER BY name"
    ))?;
    let rows = stmt.query_map([], backend_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn backend_get(c: &Connection, name: &str) -> Result<Option<BackendRow>> {
    Ok(c.query_row(
        &format!("SELECT {BACKEND_COLUMNS} FROM secret_backends WHERE name = ?1"),
        params![name],
        backend_from_row,
    )
    .optional()?)
}

pub fn backend_id_exists(c: &Connection, id: &str) -> Result<bool> {
    Ok(c.query_row(
        "SELECT EXISTS(SELECT 1 FROM secret_backends WHERE id = ?1)",
        params![id],
        |r| r.get(0),
    )?)
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
            b.backend_type.as_str(),
            serde_json::to_string(&b.config).map_err(Error::internal)?,
            b.token_rotate_secs,
            b.revision,
            b.status.as_str(),
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
            serde_json::to_string(&b.config).map_err(Error::internal)?,
            b.token_rotate_secs,
            b.revision,
            b.status.as_str(),
            b.message,
            b.checked_at,
            b.next_rotation_at,
            b.last_rotation_at,
            b.last_rotation_error,
        ],
    )?;
    Ok(())
}

pub fn backend_get_by_id(c: &Connection, id: &str) -> Result<Option<BackendRow>> {
    Ok(c.query_row(
        &format!("SELECT {BACKEND_COLUMNS} FROM secret_backends WHERE id = ?1"),
        params![id],
        backend_from_row,
    )
    .optional()?)
}

/// Backends whose token rotation is due at `now`.
pub fn backends_due_for_rotation(c: &Connection, now: i64) -> Result<Vec<BackendRow>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {BACKEND_COLUMNS} FROM secret_backends
         WHERE token_rotate_secs IS NOT NULL AND next_rotation_at IS NOT NULL AND next_rotation_at <= ?1"
    ))?;
    let rows = stmt.query_map(params![now], backend_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
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
    let before: Option<(String, Option<String>)> = c
        .query_row(
            "SELECT status, message FROM secret_backends WHERE id = ?1",
            params![id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    c.execute(
        "UPDATE secret_backends SET status = ?2, message = ?3, checked_at = ?4 WHERE id = ?1",
        params![id, status.as_str(), message, checked_at],
    )?;
    Ok(before.is_some_and(|(s, m)| s != status.as_str() || m.as_deref() != message))
}

// ---------------------------------------------------------------------------------------------
// Models, access and secrets

/// A stored model.
#[derive(Debug, Clone)]
pub struct ModelRow {
    pub uuid: String,
    pub name: String,
    pub model_type: ModelType,
    /// The setting: `auto`, `internal` or a user backend's name.
    pub secret_backend: String,
    pub revision: u64,
}

const MODEL_COLUMNS: &str = "uuid, name, model_type, secret_backend, revision";

fn model_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ModelRow> {
    let model_type: String = r.get(2)?;
    Ok(ModelRow {
        uuid: r.get(0)?,
        name: r.get(1)?,
        model_type: if model_type == "caas" {
            ModelType::Caas
        } else {
            ModelType::Iaas
        },
        secret_backend: r.get(3)?,
        revision: r.get(4)?,
    })
}

pub fn model_list(c: &Connection) -> Result<Vec<ModelRow>> {
    let mut stmt =
        c.prepare_cached(&format!("SELECT {MODEL_COLUMNS} FROM models ORDER BY name"))?;
    let rows = stmt.query_map([], model_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn model_get(c: &Connection, name: &str) -> Result<Option<ModelRow>> {
    Ok(c.query_row(
        &format!("SELECT {MODEL_COLUMNS} FROM models WHERE name = ?1"),
        params![name],
        model_from_row,
    )
    .optional()?)
}

pub fn model_insert(c: &Connection, m: &ModelRow, now: i64) -> Result<()> {
    c.execute(
        "INSERT INTO models (uuid, name, model_type, secret_backend, revision, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            m.uuid,
            m.name,
            m.model_type.as_str(),
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

/// Models whose setting names `backend`.
pub fn models_naming_backend(c: &Connection, backend: &str) -> Result<Vec<ModelRow>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {MODEL_COLUMNS} FROM models WHERE secret_backend = ?1 ORDER BY name"
    ))?;
    let rows = stmt.query_map(params![backend], model_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Renames a backend in every model setting that names it.
pub fn models_rename_backend(c: &Connection, from: &str, to: &str) -> Result<()> {
    c.execute(
        "UPDATE models SET secret_backend = ?2, revision = revision + 1 WHERE secret_backend = ?1",
        params![from, to],
    )?;
    Ok(())
}

pub fn user_model_access(c: &Connection, user: &str) -> Result<Vec<(String, ModelAccess)>> {
    let mut stmt = c.prepare_cached(
        "SELECT m.name, a.access FROM user_model_access a JOIN models m ON m.uuid = a.model_uuid
         WHERE a.user_name = ?1 ORDER BY m.name",
    )?;
    let rows = stmt.query_map(params![user], |r| {
        let access: String = r.get(1)?;
        Ok((r.get::<_, String>(0)?, parse_model_access(&access)))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
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
        params![user, model_uuid, model_access_str(access)],
    )?;
    Ok(())
}

pub fn user_list(c: &Connection) -> Result<Vec<UserRow>> {
    let mut stmt =
        c.prepare_cached("SELECT name, password_hash, access FROM users ORDER BY name")?;
    let rows = stmt.query_map([], |r| {
        Ok(UserRow {
            name: r.get(0)?,
            password_hash: r.get(1)?,
            access: parse_access(&r.get::<_, String>(2)?),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

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
        "UPDATE secret_revisions SET backend_id = ?3, content = ?4 WHERE secret_uri = ?1 AND revision = ?2",
        params![uri, revision, backend_id, content],
    )?;
    Ok(())
}

const REVISION_COLUMNS: &str =
    "r.secret_uri, s.model_uuid, s.label, r.revision, r.backend_id, r.content";

fn revision_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RevisionRow> {
    Ok(RevisionRow {
        secret_uri: r.get(0)?,
        model_uuid: r.get(1)?,
        label: r.get(2)?,
        revision: r.get(3)?,
        backend_id: r.get(4)?,
        content: r.get(5)?,
    })
}

/// Every revision of a model's secrets.
pub fn model_revisions(c: &Connection, model_uuid: &str) -> Result<Vec<RevisionRow>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {REVISION_COLUMNS} FROM secret_revisions r JOIN secrets s ON s.uri = r.secret_uri
         WHERE s.model_uuid = ?1 ORDER BY s.label, r.revision"
    ))?;
    let rows = stmt.query_map(params![model_uuid], revision_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Revisions whose content is not in their model's current backend (`effective` maps a model
/// uuid to its current backend id).
pub fn revisions_all(c: &Connection) -> Result<Vec<RevisionRow>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {REVISION_COLUMNS} FROM secret_revisions r JOIN secrets s ON s.uri = r.secret_uri
         ORDER BY s.model_uuid, r.secret_uri, r.revision"
    ))?;
    let rows = stmt.query_map([], revision_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Distinct secrets with content in each backend (by backend id).
pub fn secret_counts(c: &Connection) -> Result<std::collections::HashMap<String, u64>> {
    let mut stmt = c.prepare_cached(
        "SELECT backend_id, COUNT(DISTINCT secret_uri) FROM secret_revisions GROUP BY backend_id",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u64>(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Forgets every revision whose content is in `backend_id` (a forced removal), and the secrets
/// left with no revision.
pub fn revisions_forget_backend(c: &Connection, backend_id: &str) -> Result<()> {
    c.execute(
        "DELETE FROM secret_revisions WHERE backend_id = ?1",
        params![backend_id],
    )?;
    c.execute(
        "DELETE FROM secrets WHERE NOT EXISTS (SELECT 1 FROM secret_revisions r WHERE r.secret_uri = secrets.uri)",
        [],
    )?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Audit

/// One audit record to write.
#[derive(Debug, Clone, Default)]
pub struct AuditRecord<'a> {
    pub user: &'a str,
    pub action: &'a str,
    pub backend: Option<&'a str>,
    pub model: Option<&'a str>,
    pub keys: Vec<String>,
    pub detail: Option<String>,
}

pub fn audit_insert(c: &Connection, record: &AuditRecord<'_>, now: i64) -> Result<()> {
    c.execute(
        "INSERT INTO audit (at, user, action, backend, model, keys, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            now,
            record.user,
            record.action,
            record.backend,
            record.model,
            serde_json::to_string(&record.keys).map_err(Error::internal)?,
            record.detail
        ],
    )?;
    Ok(())
}

/// The newest entries first; only those of `backend` when given.
pub fn audit_list(c: &Connection, backend: Option<&str>, limit: u32) -> Result<Vec<AuditEntry>> {
    let mut stmt = c.prepare_cached(
        "SELECT id, at, user, action, backend, model, keys, detail FROM audit
         WHERE ?1 IS NULL OR backend = ?1 ORDER BY id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![backend, limit], |r| {
        let keys: String = r.get(6)?;
        Ok(AuditEntry {
            id: r.get(0)?,
            at: crate::embedded::rfc3339(r.get(1)?),
            user: r.get(2)?,
            action: r.get(3)?,
            backend: r.get(4)?,
            model: r.get(5)?,
            keys: serde_json::from_str(&keys).unwrap_or_default(),
            detail: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn model_access_str(access: ModelAccess) -> &'static str {
    match access {
        ModelAccess::Read => "read",
        ModelAccess::Write => "write",
        ModelAccess::Admin => "admin",
    }
}

fn parse_model_access(text: &str) -> ModelAccess {
    match text {
        "admin" => ModelAccess::Admin,
        "write" => ModelAccess::Write,
        _ => ModelAccess::Read,
    }
}

fn access_str(access: Access) -> &'static str {
    match access {
        Access::Superuser => "superuser",
        Access::Login => "login",
    }
}

fn parse_access(text: &str) -> Access {
    if text == "superuser" {
        Access::Superuser
    } else {
        Access::Login
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn schema_is_created_once_and_data_survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let uuid = store.call(|c| controller_uuid(c)).await.unwrap();
        store
            .call(|c| {
                let row = BackendRow {
                    id: "id-1".into(),
                    name: "myvault".into(),
                    backend_type: BackendType::Vault,
                    config: [("endpoint".to_owned(), "http://x".into())].into(),
                    token_rotate_secs: Some(3600),
                    revision: 1,
                    status: BackendStatus::Active,
                    message: None,
                    checked_at: Some(1),
                    next_rotation_at: None,
                    last_rotation_at: None,
                    last_rotation_error: None,
                };
                backend_insert(c, &row, 1)
            })
            .await
            .unwrap();
        drop(store);
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.call(|c| controller_uuid(c)).await.unwrap(), uuid);
        let b = store
            .call(|c| backend_get(c, "myvault"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(b.token_rotate_secs, Some(3600));
        assert_eq!(b.config["endpoint"], "http://x");
        let mode: String = store
            .call(|c| Ok(c.pragma_query_value(None, "journal_mode", |r| r.get(0))?))
            .await
            .unwrap();
        assert_eq!(mode, "wal");
    }
}
