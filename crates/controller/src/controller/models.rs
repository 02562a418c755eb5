//! Models: which backend each writes its secrets to, and the secrets themselves.

use async_trait::async_trait;
use secret_backends_api::{
    AddModelRequest, AddSecretRequest, Model, SecretInfo, SetModelBackendRequest,
};

use super::{Caller, Change, Versioned};
use crate::error::Result;

/// Models and their secrets. Reading a model's secrets needs read access to the model, adding one
/// write access; superusers have admin access to every model.
#[async_trait]
pub trait Models: Send + Sync + 'static {
    /// Every model (anyone logged in).
    async fn models_list(&self, caller: &Caller) -> Result<Vec<Model>>;

    /// One model (`not-found` if there is no such name).
    async fn model_get(&self, caller: &Caller, name: &str) -> Result<Versioned<Model>>;

    /// Adds a model. Superuser only.
    async fn model_add(
        &self,
        caller: &Caller,
        request: AddModelRequest,
    ) -> Result<Versioned<Model>>;

    /// Sets which backend a model writes new secret revisions to; existing revisions move there
    /// in the background; only while the model is at the change's `expected` version.
    /// Superuser only.
    async fn model_set_backend(
        &self,
        caller: &Caller,
        change: Change<'_, SetModelBackendRequest>,
    ) -> Result<Versioned<Model>>;

    /// A model's secrets, latest revisions, without content.
    async fn secrets_list(&self, caller: &Caller, model: &str) -> Result<Vec<SecretInfo>>;

    /// Stores a secret's content (a new secret, or a new revision of the one with that label) in
    /// the model's current backend.
    async fn secret_add(
        &self,
        caller: &Caller,
        model: &str,
        request: AddSecretRequest,
    ) -> Result<SecretInfo>;
}
