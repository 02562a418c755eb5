//! Users and their sessions.

use async_trait::async_trait;
use secret_backends_api::{AddUserRequest, LoginRequest, LoginResponse, SetPasswordRequest, User};

use super::Caller;
use crate::error::Result;

/// Users, their sessions and their access.
#[async_trait]
pub trait Users: Send + Sync + 'static {
    /// Exchanges a user name and password for a new session and its token (always in the
    /// answer: the HTTP layer moves it into a cookie when asked to); `unauthorized` for either
    /// wrong (without telling which). The answer's `expires` is when the session ends at the
    /// latest; it ends sooner when unused for the implementation's idle time.
    async fn login(&self, request: LoginRequest) -> Result<LoginResponse>;

    /// The caller a live session token belongs to, or `unauthorized`; counts as a use of the
    /// session (for its idle time).
    async fn authenticate(&self, token: &str) -> Result<Caller>;

    /// Ends the session of a token.
    async fn logout(&self, token: &str) -> Result<()>;

    /// The caller with their access to each model.
    async fn whoami(&self, caller: &Caller) -> Result<User>;

    /// Every user. Superuser only.
    async fn users_list(&self, caller: &Caller) -> Result<Vec<User>>;

    /// Adds a user. Superuser only.
    async fn user_add(&self, caller: &Caller, request: AddUserRequest) -> Result<User>;

    /// Changes the password of user `name`: the superuser's for anyone, a user's for themself
    /// (`permission-denied` otherwise). The rules of a new user's password apply. Ends every
    /// session of that user except the caller's own current one.
    async fn user_set_password(
        &self,
        caller: &Caller,
        name: &str,
        request: SetPasswordRequest,
    ) -> Result<()>;

    /// Removes user `name` and ends their sessions. Superuser only; the controller's superuser
    /// cannot be removed (`not-valid`); `not-found` for an unknown name.
    async fn user_remove(&self, caller: &Caller, name: &str) -> Result<()>;
}
