//! The one interface between the HTTP layer and whatever holds the secret backends.
//!
//! Handlers speak only to a `dyn Controller`. Today it is the [`crate::embedded`] controller (the
//! Juju rules over the SQLite store); a bridge to a real Juju controller can implement the same
//! trait later and serve the same API without touching a handler. Every method takes the caller,
//! so permission rules live behind this line, with the other rules.

use async_trait::async_trait;
use secret_backends_api::{
    Access, AddBackendRequest, AddModelRequest, AddSecretRequest, AddUserRequest, AuditEntry,
    BackendCheck, BackendCheckRequest, BackendTypes, Event, EventTicket, LoginRequest,
    LoginResponse, Model, SecretBackend, SecretInfo, SetModelBackendRequest, UpdateBackendRequest,
    User, WhoAmI,
};
use tokio::sync::broadcast;

use crate::error::Result;

/// Who is asking: the user behind a bearer token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub name: String,
    pub access: Access,
}

impl Caller {
    pub fn is_superuser(&self) -> bool {
        self.access == Access::Superuser
    }
}

/// A single resource with the entity tag of its current version (for `ETag`/`If-Match`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versioned<T> {
    pub value: T,
    pub etag: String,
}

/// Options of a list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListOptions {
    /// Only these names (an unknown name is simply no row).
    pub names: Option<Vec<String>>,
    /// Include sensitive values (superuser only).
    pub reveal: bool,
}

#[async_trait]
pub trait Controller: Send + Sync + 'static {
    /// Exchanges a user name and password for a bearer token.
    async fn login(&self, request: LoginRequest) -> Result<LoginResponse>;

    /// The caller a bearer token belongs to, or `unauthorized`.
    async fn authenticate(&self, token: &str) -> Result<Caller>;

    /// Ends the session of a token.
    async fn logout(&self, token: &str) -> Result<()>;

    async fn whoami(&self, caller: &Caller) -> Result<WhoAmI>;

    /// Whether the controller can serve requests (store open).
    async fn ready(&self) -> Result<()>;

    /// The backend types and their config schemas.
    fn backend_types(&self) -> BackendTypes {
        BackendTypes::from_schema()
    }

    /// Every backend, built-ins included, answered from the last known health (never waits on a
    /// ping).
    async fn backends_list(
        &self,
        caller: &Caller,
        options: ListOptions,
    ) -> Result<Vec<SecretBackend>>;

    async fn backend_get(
        &self,
        caller: &Caller,
        name: &str,
        reveal: bool,
    ) -> Result<Versioned<SecretBackend>>;

    /// Validates, pings and stores a new backend.
    async fn backend_add(
        &self,
        caller: &Caller,
        request: AddBackendRequest,
    ) -> Result<Versioned<SecretBackend>>;

    /// Removes a user backend. `if_match` is the entity tag the client last saw, if it sent one.
    async fn backend_remove(
        &self,
        caller: &Caller,
        name: &str,
        force: bool,
        if_match: Option<&str>,
    ) -> Result<()>;

    /// The ping of a config as named steps, before anything is saved.
    async fn backend_check(
        &self,
        caller: &Caller,
        request: BackendCheckRequest,
    ) -> Result<BackendCheck>;

    /// Changes a backend with the merge semantics of `domain.md` section 4.
    async fn backend_update(
        &self,
        caller: &Caller,
        name: &str,
        request: UpdateBackendRequest,
        if_match: Option<&str>,
    ) -> Result<Versioned<SecretBackend>>;

    /// Checks a backend now and records the result.
    async fn backend_check_now(
        &self,
        caller: &Caller,
        name: &str,
    ) -> Result<Versioned<SecretBackend>>;

    /// Mints a fresh token for a backend now.
    async fn backend_rotate_token(
        &self,
        caller: &Caller,
        name: &str,
    ) -> Result<Versioned<SecretBackend>>;

    async fn models_list(&self, caller: &Caller) -> Result<Vec<Model>>;

    async fn model_get(&self, caller: &Caller, name: &str) -> Result<Versioned<Model>>;

    async fn model_add(
        &self,
        caller: &Caller,
        request: AddModelRequest,
    ) -> Result<Versioned<Model>>;

    /// Sets which backend a model writes new secret revisions to.
    async fn model_set_backend(
        &self,
        caller: &Caller,
        name: &str,
        request: SetModelBackendRequest,
        if_match: Option<&str>,
    ) -> Result<Versioned<Model>>;

    async fn secrets_list(&self, caller: &Caller, model: &str) -> Result<Vec<SecretInfo>>;

    /// Stores a secret's content (a new secret, or a new revision of the one with that label) in
    /// the model's current backend.
    async fn secret_add(
        &self,
        caller: &Caller,
        model: &str,
        request: AddSecretRequest,
    ) -> Result<SecretInfo>;

    async fn users_list(&self, caller: &Caller) -> Result<Vec<User>>;

    async fn user_add(&self, caller: &Caller, request: AddUserRequest) -> Result<User>;

    /// A single-use ticket, valid for 30 seconds, to open the change feed.
    async fn events_ticket(&self, caller: &Caller) -> Result<EventTicket>;

    /// Spends a ticket and subscribes to the change feed.
    async fn events_subscribe(&self, ticket: &str) -> Result<broadcast::Receiver<Event>>;

    /// Audit entries, newest first.
    async fn audit_list(
        &self,
        caller: &Caller,
        backend: Option<String>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>>;
}
