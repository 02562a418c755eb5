//! The embedded controller: the Juju rules of `domain.md` over the SQLite [`Store`], with real
//! pings of external backends and real storage of secret content. It is the [`Controller`] the
//! service runs with today.
//!
//! - `backends.rs`: add, show, list, update, remove, reveal, check, rotate.
//! - `models.rs`: models, their backend setting, their secrets, and where content lives.
//! - `people.rs`: login, users, per-model access, the change feed and the audit trail.
//! - `background.rs`: health checks, token rotation and draining, off the request path.
//! - `drivers/`: one driver per backend type (check, token rotation, secret content).

mod backends;
mod background;
pub mod drivers;
mod models;
mod people;
mod snapshot;

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use secret_backends_api::{
    Access, AddBackendRequest, AddModelRequest, AddSecretRequest, AddUserRequest, AuditEntry,
    BackendCheck, BackendCheckRequest, ErrorCode, Event, EventKind, EventTicket, LoginRequest,
    LoginResponse, Model, SecretBackend, SecretInfo, SetModelBackendRequest, UpdateBackendRequest,
    User, WhoAmI,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::sync::{Mutex, Notify, broadcast};

pub use background::Background;

use crate::auth;
use crate::controller::{Caller, Controller, ListOptions, Versioned};
use crate::error::{Error, Result};
use crate::store::{self, AuditRecord, Store, UserRow};

pub struct EmbeddedController {
    store: Store,
    controller_uuid: String,
    events: broadcast::Sender<Event>,
    /// Event-feed tickets: ticket → (user, expiry). Single use, 30 seconds.
    tickets: std::sync::Mutex<HashMap<String, (String, i64)>>,
    /// Wakes the drainer after a model changes backend.
    drain_wake: Notify,
    /// One drain at a time.
    drain_lock: Mutex<()>,
    /// One secret write at a time (revision numbers are read, then written).
    secret_lock: Mutex<()>,
}

impl EmbeddedController {
    /// Opens the controller over a store. On first start (no users) it creates the superuser
    /// `admin` with `admin_password`, or a generated one; a generated password is returned so the
    /// caller can print it once.
    pub async fn open(
        store: Store,
        admin_password: Option<String>,
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
                        name: "admin".to_owned(),
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
                tickets: Default::default(),
                drain_wake: Notify::new(),
                drain_lock: Mutex::new(()),
                secret_lock: Mutex::new(()),
            }),
            generated,
        ))
    }

    /// Tells every open change feed about a change.
    fn emit(&self, kind: EventKind, name: &str) {
        // No subscriber is not an error.
        let _ = self.events.send(Event {
            kind,
            name: name.to_owned(),
        });
    }

    /// Writes an audit record in its own transaction.
    async fn audit(&self, record: AuditRecord<'_>) -> Result<()> {
        let owned = OwnedAudit::from(record);
        self.store
            .call(move |c| store::audit_insert(c, &owned.as_record(), now()))
            .await
    }
}

/// An [`AuditRecord`] that can cross into the store's thread.
struct OwnedAudit {
    user: String,
    action: String,
    backend: Option<String>,
    model: Option<String>,
    keys: Vec<String>,
    detail: Option<String>,
}

impl From<AuditRecord<'_>> for OwnedAudit {
    fn from(r: AuditRecord<'_>) -> Self {
        OwnedAudit {
            user: r.user.to_owned(),
            action: r.action.to_owned(),
            backend: r.backend.map(str::to_owned),
            model: r.model.map(str::to_owned),
            keys: r.keys,
            detail: r.detail,
        }
    }
}

impl OwnedAudit {
    fn as_record(&self) -> AuditRecord<'_> {
        AuditRecord {
            user: &self.user,
            action: &self.action,
            backend: self.backend.as_deref(),
            model: self.model.as_deref(),
            keys: self.keys.clone(),
            detail: self.detail.clone(),
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

/// Refuses a stale `If-Match` (`*` matches anything).
fn check_if_match(if_match: Option<&str>, current: &str, what: &str) -> Result<()> {
    match if_match {
        Some(expected) if expected != "*" && expected != current => Err(Error::refused(
            ErrorCode::Conflict,
            format!("{what} was changed by someone else; reload it and try again"),
        )),
        _ => Ok(()),
    }
}

/// Unix seconds now.
pub fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// Unix seconds as RFC 3339 UTC.
pub fn rfc3339(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

#[async_trait]
impl Controller for EmbeddedController {
    async fn login(&self, request: LoginRequest) -> Result<LoginResponse> {
        self.login_user(request).await
    }

    async fn authenticate(&self, token: &str) -> Result<Caller> {
        self.caller_of(token).await
    }

    async fn logout(&self, token: &str) -> Result<()> {
        self.end_session(token).await
    }

    async fn whoami(&self, caller: &Caller) -> Result<WhoAmI> {
        self.who_is(caller).await
    }

    async fn ready(&self) -> Result<()> {
        self.store.ping().await
    }

    async fn backends_list(
        &self,
        caller: &Caller,
        options: ListOptions,
    ) -> Result<Vec<SecretBackend>> {
        self.list_backends(caller, options).await
    }

    async fn backend_get(
        &self,
        caller: &Caller,
        name: &str,
        reveal: bool,
    ) -> Result<Versioned<SecretBackend>> {
        self.show_backend(caller, name, reveal).await
    }

    async fn backend_add(
        &self,
        caller: &Caller,
        request: AddBackendRequest,
    ) -> Result<Versioned<SecretBackend>> {
        self.add_backend(caller, request).await
    }

    async fn backend_remove(
        &self,
        caller: &Caller,
        name: &str,
        force: bool,
        if_match: Option<&str>,
    ) -> Result<()> {
        self.remove_backend(caller, name, force, if_match).await
    }

    async fn backend_check(
        &self,
        caller: &Caller,
        request: BackendCheckRequest,
    ) -> Result<BackendCheck> {
        self.test_connection(caller, request).await
    }

    async fn backend_update(
        &self,
        caller: &Caller,
        name: &str,
        request: UpdateBackendRequest,
        if_match: Option<&str>,
    ) -> Result<Versioned<SecretBackend>> {
        self.update_backend(caller, name, request, if_match).await
    }

    async fn backend_check_now(
        &self,
        caller: &Caller,
        name: &str,
    ) -> Result<Versioned<SecretBackend>> {
        self.check_backend_now(caller, name).await
    }

    async fn backend_rotate_token(
        &self,
        caller: &Caller,
        name: &str,
    ) -> Result<Versioned<SecretBackend>> {
        self.rotate_now(caller, name).await
    }

    async fn models_list(&self, caller: &Caller) -> Result<Vec<Model>> {
        self.list_models(caller).await
    }

    async fn model_get(&self, caller: &Caller, name: &str) -> Result<Versioned<Model>> {
        self.show_model(caller, name).await
    }

    async fn model_add(
        &self,
        caller: &Caller,
        request: AddModelRequest,
    ) -> Result<Versioned<Model>> {
        self.add_model(caller, request).await
    }

    async fn model_set_backend(
        &self,
        caller: &Caller,
        name: &str,
        request: SetModelBackendRequest,
        if_match: Option<&str>,
    ) -> Result<Versioned<Model>> {
        self.set_model_backend(caller, name, request, if_match)
            .await
    }

    async fn secrets_list(&self, caller: &Caller, model: &str) -> Result<Vec<SecretInfo>> {
        self.list_secrets(caller, model).await
    }

    async fn secret_add(
        &self,
        caller: &Caller,
        model: &str,
        request: AddSecretRequest,
    ) -> Result<SecretInfo> {
        self.add_secret(caller, model, request).await
    }

    async fn users_list(&self, caller: &Caller) -> Result<Vec<User>> {
        self.list_users(caller).await
    }

    async fn user_add(&self, caller: &Caller, request: AddUserRequest) -> Result<User> {
        self.add_user(caller, request).await
    }

    async fn events_ticket(&self, caller: &Caller) -> Result<EventTicket> {
        self.new_ticket(caller)
    }

    async fn events_subscribe(&self, ticket: &str) -> Result<broadcast::Receiver<Event>> {
        self.spend_ticket(ticket)
    }

    async fn audit_list(
        &self,
        caller: &Caller,
        backend: Option<String>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>> {
        self.read_audit(caller, backend, limit).await
    }
}
