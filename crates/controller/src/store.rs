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
use secret_backends_api::{Access, BackendStatus, BackendType, Config};

use crate::error::{Error, Result};

/// The schema, one script per version. Append only: a released script never changes.
const MIGRATIONS: &[&str] = &[include_str!("../migrations/0001_initial.sql")];

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

const BACKEND_COLUMNS: &str =
    "id, name, backend_type, config, token_rotate_secs, revision, status, message, checked_at";

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
           (id, name, backend_type, config, token_rotate_secs, revision, status, message, checked_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
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
            now
        ],
    )?;
    Ok(())
}

pub fn backend_delete(c: &Connection, id: &str) -> Result<bool> {
    Ok(c.execute("DELETE FROM secret_backends WHERE id = ?1", params![id])? > 0)
}

/// Records a health check. Does not bump the revision: a status is not an edit.
pub fn backend_set_status(
    c: &Connection,
    id: &str,
    status: BackendStatus,
    message: Option<&str>,
    checked_at: i64,
) -> Result<bool> {
    Ok(c.execute(
        "UPDATE secret_backends SET status = ?2, message = ?3, checked_at = ?4 WHERE id = ?1",
        params![id, status.as_str(), message, checked_at],
    )? > 0)
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
