//! The embedded store: one SQLite database in the data directory, created on first start, its
//! schema migrated by the numbered scripts in `migrations/` (tracked in `PRAGMA user_version`).
//!
//! Durability: WAL journal with `synchronous = FULL`, so a change is on disk before the service
//! answers; a kill -9 at any moment loses nothing that was acknowledged. SQLite is blocking, so
//! every call runs on the blocking pool through [`Store::call`], one connection behind a mutex
//! (writes are serialised anyway; reads are cheap at this scale).
//!
//! The bottom layer: it knows rows, not rules, and imports nothing from the controller above it.
//! One file per table (or group of tables), each with its row type, mapped once by `from_row`;
//! enums are stored as their wire words through [`Word`], which refuses a word it does not know.
//! Every audited change commits through [`Store::write`], which writes its audit record in the
//! same transaction.

mod audit;
mod backends;
pub mod clock;
mod models;
mod secrets;
mod users;
mod word;

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, Params, Row, Transaction, params};

pub use self::audit::*;
pub use self::backends::*;
pub use self::models::*;
pub use self::secrets::*;
pub use self::users::*;
pub use self::word::{UnknownWord, Word};
use crate::error::{Error, Result};

/// The schema, one script per version. Append only: a released script never changes.
const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/0001_initial.sql"),
    include_str!("../../../migrations/0002_models_secrets_rotation_audit.sql"),
    include_str!("../../../migrations/0003_session_last_use.sql"),
];

/// A store failure is internal: the log gets the cause, a response never does.
impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::internal(format!("store: {e}"))
    }
}

#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
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

    /// Runs `f` with the connection on the blocking pool: reads, and the bookkeeping that is not
    /// an audited change (sessions, health status, moving content while draining).
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

    /// Makes one audited change: `f` changes what it must in a transaction and returns its
    /// answer with the change's audit record, which is written in the same transaction before
    /// it commits. An error from `f` rolls everything back, the record included.
    pub async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<(T, AuditRecord)> + Send + 'static,
    {
        self.call(move |c| {
            let tx = c.transaction()?;
            let (answer, record) = f(&tx)?;
            audit_insert(&tx, &record, clock::now())?;
            tx.commit()?;
            Ok(answer)
        })
        .await
    }

    /// Records an audited action that changes nothing else (a reveal).
    pub async fn audit(&self, record: AuditRecord) -> Result<()> {
        self.write(move |_| Ok(((), record))).await
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

/// A row type: the columns it reads and how it reads them, written once per type.
trait FromRow: Sized {
    /// The columns [`FromRow::from_row`] reads, in its order.
    const COLUMNS: &'static str;

    fn from_row(r: &Row<'_>) -> rusqlite::Result<Self>;
}

/// Every row of `SELECT <the row type's columns> <rest>`.
fn all<T: FromRow>(c: &Connection, rest: &str, params: impl Params) -> Result<Vec<T>> {
    rows(
        c,
        &format!("SELECT {} {rest}", T::COLUMNS),
        params,
        T::from_row,
    )
}

/// Every row of a query, each read by `map` (for answers that are not a row type).
fn rows<T>(
    c: &Connection,
    sql: &str,
    params: impl Params,
    map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let mut stmt = c.prepare_cached(sql)?;
    let rows = stmt.query_map(params, map)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The row of `SELECT <the row type's columns> <rest>`, if there is one.
fn one<T: FromRow>(c: &Connection, rest: &str, params: impl Params) -> Result<Option<T>> {
    let sql = format!("SELECT {} {rest}", T::COLUMNS);
    Ok(c.query_row(&sql, params, T::from_row).optional()?)
}

/// A JSON column, read back into `T`; unreadable JSON is an error like any unreadable column.
fn json_column<T: serde::de::DeserializeOwned>(r: &Row<'_>, index: usize) -> rusqlite::Result<T> {
    let text: String = r.get(index)?;
    serde_json::from_str(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// A value as a JSON column.
fn json_text<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(Error::internal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use secret_backends_api::{AuditAction, BackendStatus, BackendType};

    fn vault_row() -> BackendRow {
        BackendRow {
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
        }
    }

    /// A fresh store in a directory that lives as long as the returned guard.
    fn open_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        (dir, store)
    }

    fn record(action: AuditAction) -> AuditRecord {
        AuditRecord::new("admin", action).backend("myvault")
    }

    #[tokio::test]
    async fn schema_is_created_once_and_data_survives_reopen() {
        let (dir, store) = open_store();
        let uuid = store.call(|c| controller_uuid(c)).await.unwrap();
        store
            .call(|c| backend_insert(c, &vault_row(), 1))
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

    #[tokio::test]
    async fn a_write_commits_its_change_with_its_audit_record_or_neither() {
        let (_dir, store) = open_store();
        store
            .write(|tx| {
                backend_insert(tx, &vault_row(), 1)?;
                Ok(((), record(AuditAction::AddBackend)))
            })
            .await
            .unwrap();
        let refused = store
            .write(|tx| {
                backend_delete(tx, "id-1")?;
                Err::<((), AuditRecord), _>(Error::internal("refused after the delete"))
            })
            .await;
        assert!(refused.is_err());
        let (backend, trail) = store
            .call(|c| Ok((backend_get(c, "myvault")?, audit_list(c, None, 10)?)))
            .await
            .unwrap();
        assert!(backend.is_some(), "the refused write was rolled back");
        assert_eq!(trail.len(), 1);
        assert_eq!(trail[0].record, record(AuditAction::AddBackend));
    }

    #[tokio::test]
    async fn an_unknown_word_in_a_row_fails_the_read() {
        // The schema's CHECK constraints keep most words right; the audit action has none.
        let (_dir, store) = open_store();
        store
            .call(|c| {
                c.execute(
                    "INSERT INTO audit (at, user, action, keys) VALUES (1, 'admin', 'delete', '[]')",
                    [],
                )?;
                Ok(())
            })
            .await
            .unwrap();
        let read = store.call(|c| audit_list(c, None, 10)).await;
        assert!(read.is_err(), "{read:?}");
    }
}
