//! Users and their sessions.

use async_trait::async_trait;
use secret_backends_api::{AddUserRequest, LoginRequest, LoginResponse, User, WhoAmI};

use super::Caller;
use crate::error::Result;

/// Users, their sessions and their access.
#[async_trait]
pub trait Users: Send + Sync + 'static {
    /// Exchanges a user name and password for a session token; `unauthorized` for either wrong
    /// (without telling which).
    async fn login(&self, request: LoginRequest) -> Result<LoginResponse>;

    /// The caller a session token belongs to, or `unauthorized`.
    async fn authenticate(&self, token: &str) -> Result<Caller>;

    /// Ends the session of a token.
    async fn logout(&self, token: &str) -> Result<()>;

    /// The caller with their access to each model.
    async fn whoami(&self, caller: &Caller) -> Result<WhoAmI>;

    /// Every user. Superuser only.
    async fn users_list(&self, caller: &Caller) -> Result<Vec<User>>;

    /// Adds a user. Superuser only.
    async fn user_add(&self, caller: &Caller, request: AddUserRequest) -> Result<User>;
}
