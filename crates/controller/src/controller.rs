//! The one interface between the HTTP layer and whatever holds the secret backends.
//!
//! Handlers speak only to a `dyn Controller`. Today it is the [`crate::embedded`] controller (the
//! Juju rules over the SQLite store); a bridge to a real Juju controller can implement the same
//! trait later and serve the same API without touching a handler. Every method takes the caller,
//! so permission rules live behind this line, with the other rules.

use async_trait::async_trait;
use secret_backends_api::{
    Access, AddBackendRequest, BackendCheck, BackendCheckRequest, BackendTypes, LoginRequest,
    LoginResponse, SecretBackend, WhoAmI,
};

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
}
