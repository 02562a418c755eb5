//! Secret backends: what a controller keeps about each, and the checks it runs.

use async_trait::async_trait;
use bytes::Bytes;
use secret_backends_api::{
    AddBackendRequest, BackendCheck, BackendCheckRequest, BackendList, BackendTypes,
    RemovedBackend, SecretBackend, UpdateBackendRequest,
};

use super::{Caller, Change, Versioned};
use crate::error::{Error, Result};

/// Options of a list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListOptions {
    /// Only these names (an unknown name is simply no row).
    pub names: Option<Vec<String>>,
    /// Include sensitive values (superuser only).
    pub reveal: bool,
}

/// Secret backends, built-ins (`internal`, `<model>-local`) included. Built-ins can be read and
/// checked but not changed (`not-valid`).
#[async_trait]
pub trait Backends: Send + Sync + 'static {
    /// The backend types and their config schemas (anyone logged in).
    fn backend_types(&self) -> BackendTypes {
        BackendTypes::from_schema()
    }

    /// Every backend, answered from the last known health: it never waits on a backend.
    /// `reveal` is for superusers only and is audited; without it sensitive values are left out.
    async fn backends_list(
        &self,
        caller: &Caller,
        options: ListOptions,
    ) -> Result<Vec<SecretBackend>>;

    /// [`Self::backends_list`] as the API sends it: a [`BackendList`] in JSON. A controller that
    /// keeps its whole list between changes keeps it serialized too, so that listing costs no
    /// serialization per request (the embedded controller does).
    async fn backends_list_json(&self, caller: &Caller, options: ListOptions) -> Result<Bytes> {
        list_json(self.backends_list(caller, options).await?)
    }

    /// One backend (`not-found` if there is no such name); `reveal` as in [`Self::backends_list`].
    async fn backend_get(
        &self,
        caller: &Caller,
        name: &str,
        reveal: bool,
    ) -> Result<Versioned<SecretBackend>>;

    /// Validates, checks (`unreachable` when the backend does not answer) and stores a new
    /// backend. Superuser only.
    async fn backend_add(
        &self,
        caller: &Caller,
        request: AddBackendRequest,
    ) -> Result<Versioned<SecretBackend>>;

    /// Changes a backend: the config is merged key by key (an empty value resets a key), then
    /// validated and checked unless `force`; only while it is at the change's `expected`
    /// version. Superuser only.
    async fn backend_update(
        &self,
        caller: &Caller,
        change: Change<'_, UpdateBackendRequest>,
    ) -> Result<Versioned<SecretBackend>>;

    /// Removes a backend: `in-use` while it holds secret content, unless `force`: then its
    /// content first moves to the backend each model falls back to (its models go back to
    /// `auto`), and what cannot be moved (the backend does not answer) is left behind, named in
    /// the answer and the audit record. Only while it is at the change's `expected` version.
    /// Superuser only.
    async fn backend_remove(
        &self,
        caller: &Caller,
        change: Change<'_, Removal>,
    ) -> Result<RemovedBackend>;

    /// Checks an unsaved config, step by step; stores nothing. Superuser only.
    async fn backend_test(
        &self,
        caller: &Caller,
        request: BackendCheckRequest,
    ) -> Result<BackendCheck>;

    /// Checks a stored backend now and records the outcome (anyone logged in: it reveals nothing
    /// and changes only the status).
    async fn backend_check(&self, caller: &Caller, name: &str) -> Result<Versioned<SecretBackend>>;

    /// Mints a fresh token for a backend that has a token rotate interval, now. Superuser only.
    async fn backend_rotate_token(
        &self,
        caller: &Caller,
        name: &str,
    ) -> Result<Versioned<SecretBackend>>;
}

/// How a backend is removed: with `force`, even while it holds secret content.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Removal {
    pub force: bool,
}

/// A list as the API sends it: `{"backends": [...]}` in JSON.
pub fn list_json(backends: Vec<SecretBackend>) -> Result<Bytes> {
    serde_json::to_vec(&BackendList { backends })
        .map(Bytes::from)
        .map_err(|e| Error::internal(format!("serializing the list: {e}")))
}
