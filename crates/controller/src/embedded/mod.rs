//! The embedded controller: the Juju rules of `docs/rules.md` over the SQLite [`Store`], with real
//! pings of external backends and real storage of secret content. It is the [`Controller`] the
//! service runs with today.
//!
//! Each part of the [`Controller`] interface is implemented in the file of the same name:
//! - `backends/`: add, get, list, update, remove, reveal, test, check, rotate the token; the
//!   rules of a change as pure functions in `plan.rs`, checks and rotation in `rotation.rs`.
//! - `models/`: models, their backend setting, their secrets, and where content lives; the
//!   rules of a change as pure functions in `plan.rs`.
//! - `users.rs`: login, sessions, users and their per-model access; `sessions.rs`: how long a
//!   session lasts and when its use is recorded.
//! - `events.rs`: the change feed; `audit.rs`: the audit trail.
//! - `background.rs`: health checks, token rotation and draining, off the request path.
//! - `drivers/`: one driver per backend type (check, token rotation, secret content).
//!
//! Its private parts: `store/` (SQLite, one file per table, the bottom layer), `auth.rs` (password hashing, session tokens),
//! `snapshot.rs` (one consistent read of the store and the answers built from it).

mod audit;
pub mod auth;
mod backends;
mod background;
pub mod drivers;
mod events;
mod models;
mod sessions;
mod snapshot;
pub mod store;
mod users;

use std::sync::Arc;

use async_trait::async_trait;
use secret_backends_api::{
    Access, Capabilities, ControllerInfo, ControllerKind, ErrorCode, Event, EventKind,
    ValidationError,
};
use tokio::sync::{Mutex, Notify, broadcast};

pub use background::Background;
pub use sessions::SessionLimits;

pub use self::store::clock::{now, rfc3339};
use self::store::{Store, UserRow};
use crate::controller::{Caller, Controller, check_version};
use crate::error::{Error, Result};

pub struct EmbeddedController {
    store: Store,
    controller_uuid: String,
    events: broadcast::Sender<Event>,
    /// Wakes the drainer after a model changes backend.
    drain_wake: Notify,
    /// One drain at a time.
    drain_lock: Mutex<()>,
    /// One secret write at a time (revision numbers are read, then written).
    secret_lock: Mutex<()>,
    /// How long sessions last.
    sessions: SessionLimits,
    /// What the health checks found, in memory (`backends/health.rs`).
    health: backends::HealthBook,
    /// The whole list's answers until the next change (`backends/listed.rs`).
    listed: backends::Listed,
}

impl EmbeddedController {
    /// Opens the controller over a store. On first start (no users) it creates the superuser
    /// `admin` with `admin_password`, or a generated one; a generated password is returned so the
    /// caller can print it once. Sessions last as long as [`SessionLimits::default`] says.
    pub async fn open(
        store: Store,
        admin_password: Option<String>,
    ) -> Result<(Arc<Self>, Option<String>)> {
        Self::open_with(store, admin_password, SessionLimits::default()).await
    }

    /// [`EmbeddedController::open`], with sessions that last as long as `sessions` says.
    pub async fn open_with(
        store: Store,
        admin_password: Option<String>,
        sessions: SessionLimits,
    ) -> Result<(Arc<Self>, Option<String>)> {
        let (uuid, generated) = store
            .call(move |c| {
                let tx = c.transaction()?;
                let uuid = store::controller_uuid(&tx)?;
                let mut generated = None;
                if store::user_count(&tx)? == 0 {
                    let password = match admin_password {
                        Some(p) if !p.is_empty() => p,
                        _ => {
                            let p = auth::generate_password()?;
                            generated = Some(p.clone());
                            p
                        }
                    };
                    let admin = UserRow {
                        name: users::CONTROLLER_SUPERUSER.to_owned(),
                        password_hash: auth::hash_password(&password)?,
                        access: Access::Superuser,
                    };
                    store::user_insert(&tx, &admin, now())?;
                }
                tx.commit()?;
                Ok((uuid, generated))
            })
            .await?;
        let (events, _) = broadcast::channel(1024);
        Ok((
            Arc::new(EmbeddedController {
                store,
                controller_uuid: uuid,
                events,
                drain_wake: Notify::new(),
                drain_lock: Mutex::new(()),
                secret_lock: Mutex::new(()),
                sessions,
                health: Default::default(),
                listed: Default::default(),
            }),
            generated,
        ))
    }

    /// Tells every open change feed about a change.
    fn emit(&self, kind: EventKind, name: &str) {
        self.listed.changed();
        // No subscriber is not an error.
        let _ = self.events.send(Event {
            kind,
            name: name.to_owned(),
        });
    }

    /// Tells every open change feed about the same change to several resources.
    fn emit_each(&self, kind: EventKind, names: &[String]) {
        for name in names {
            self.emit(kind, name);
        }
    }
}

fn require_superuser(caller: &Caller) -> Result<()> {
    if caller.is_superuser() {
        Ok(())
    } else {
        Err(Error::permission_denied())
    }
}

/// Refuses a second resource under a name (or id) that is taken, blaming the request `field`.
fn already_exists(field: &str, message: String) -> Error {
    ValidationError::field(field, message)
        .with_code(ErrorCode::AlreadyExists)
        .into()
}

/// The refusal in a rule's outcome (tests of the pure rules).
#[cfg(test)]
fn refusal<T: std::fmt::Debug>(outcome: Result<T>) -> ValidationError {
    match outcome {
        Err(Error::Refused(refusal)) => refusal,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[async_trait]
impl Controller for EmbeddedController {
    async fn ready(&self) -> Result<()> {
        self.store.ping().await
    }

    fn info(&self) -> ControllerInfo {
        ControllerInfo {
            kind: ControllerKind::Embedded,
            capabilities: Capabilities::all(),
        }
    }
}
