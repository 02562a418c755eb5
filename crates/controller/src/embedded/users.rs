//! Who may do what: login and sessions, users with per-model access.

use std::time::Duration;

use async_trait::async_trait;
use secret_backends_api::{
    Access, AddUserRequest, AuditAction, ErrorCode, LoginRequest, LoginResponse, User, UserRef,
    WhoAmI, validate,
};

use super::auth;
use super::models::model_not_found;
use super::store::{self, AuditRecord, UserRow};
use super::{EmbeddedController, already_exists, now, require_superuser, rfc3339};
use crate::controller::{Caller, Users};
use crate::error::{Error, Result};

/// How long a bearer token works.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 3600);

#[async_trait]
impl Users for EmbeddedController {
    async fn login(&self, request: LoginRequest) -> Result<LoginResponse> {
        let LoginRequest { username, password } = request;
        let user = self
            .store
            .call(move |c| store::user_get(c, &username))
            .await?;
        // Verify even for an unknown user, so that timing does not tell which names exist.
        static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let dummy =
            DUMMY_HASH.get_or_init(|| auth::hash_password("no such user").unwrap_or_default());
        let hash = user
            .as_ref()
            .map_or_else(|| dummy.clone(), |u| u.password_hash.clone());
        // argon2 is deliberately slow: keep it off the async workers.
        let password_ok =
            tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash))
                .await
                .map_err(Error::internal)?;
        let Some(user) = user.filter(|_| password_ok) else {
            return Err(Error::refused(
                ErrorCode::Unauthorized,
                "invalid entity name or password",
            ));
        };
        let token = auth::new_token()?;
        let expires_at = now() + SESSION_LIFETIME.as_secs() as i64;
        let hash = auth::token_hash(&token);
        let name = user.name.clone();
        self.store
            .call(move |c| {
                store::sessions_expire(c, now())?;
                store::session_insert(c, &hash, &name, expires_at)
            })
            .await?;
        Ok(LoginResponse {
            token,
            user: UserRef {
                name: user.name,
                access: user.access,
            },
            expires: rfc3339(expires_at),
        })
    }

    async fn authenticate(&self, token: &str) -> Result<Caller> {
        let hash = auth::token_hash(token);
        let user = self
            .store
            .call(move |c| store::session_user(c, &hash, now()))
            .await?
            .ok_or_else(Error::unauthorized)?;
        Ok(Caller {
            name: user.name,
            access: user.access,
        })
    }

    async fn logout(&self, token: &str) -> Result<()> {
        let hash = auth::token_hash(token);
        self.store
            .call(move |c| store::session_delete(c, &hash))
            .await
    }

    async fn whoami(&self, caller: &Caller) -> Result<WhoAmI> {
        let name = caller.name.clone();
        let models = self
            .store
            .call(move |c| store::user_model_access(c, &name))
            .await?;
        Ok(WhoAmI {
            name: caller.name.clone(),
            access: caller.access,
            models: models.into_iter().collect(),
        })
    }

    async fn users_list(&self, caller: &Caller) -> Result<Vec<User>> {
        require_superuser(caller)?;
        self.store
            .call(|c| {
                store::user_list(c)?
                    .into_iter()
                    .map(|u| {
                        Ok(User {
                            models: store::user_model_access(c, &u.name)?.into_iter().collect(),
                            name: u.name,
                            access: u.access,
                        })
                    })
                    .collect()
            })
            .await
    }

    async fn user_add(&self, caller: &Caller, request: AddUserRequest) -> Result<User> {
        require_superuser(caller)?;
        validate::user_name(&request.name)?;
        validate::password(&request.password)?;
        let password = request.password.clone();
        let hash = tokio::task::spawn_blocking(move || auth::hash_password(&password))
            .await
            .map_err(Error::internal)??;
        let user = caller.name.clone();
        let AddUserRequest {
            name,
            access,
            models,
            ..
        } = request;
        let answer = User {
            name: name.clone(),
            access,
            models: models.clone(),
        };
        self.store
            .write(move |tx| {
                let taken = store::user_get(tx, &name)?.is_some();
                let record = plan_user_add(&user, &name, access, taken)?;
                let row = UserRow {
                    name: name.clone(),
                    password_hash: hash,
                    access,
                };
                store::user_insert(tx, &row, now())?;
                for (model, model_access) in &models {
                    let row = store::model_get(tx, model)?.ok_or_else(|| model_not_found(model))?;
                    store::user_model_access_set(tx, &name, &row.uuid, *model_access)?;
                }
                Ok(((), record))
            })
            .await?;
        Ok(answer)
    }
}

/// The rule of adding a user that needs the store's answer (`taken`: the name is in use), and
/// the audit record of the addition.
fn plan_user_add(user: &str, name: &str, access: Access, taken: bool) -> Result<AuditRecord> {
    if taken {
        return Err(already_exists(
            "name",
            format!("user {name:?} already exists"),
        ));
    }
    Ok(AuditRecord::new(user, AuditAction::AddUser)
        .detail(Some(format!("{name} ({access:?})").to_lowercase())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embedded::refusal;

    #[test]
    fn a_new_user_is_recorded_with_name_and_access() {
        let record = plan_user_add("admin", "Bob", Access::Login, false).unwrap();
        assert_eq!(record.action, AuditAction::AddUser);
        assert_eq!(record.user, "admin");
        assert_eq!(record.detail.as_deref(), Some("bob (login)"));
    }

    #[test]
    fn a_taken_name_is_refused_as_already_existing() {
        let refusal = refusal(plan_user_add("admin", "bob", Access::Login, true));
        assert_eq!(refusal.code, ErrorCode::AlreadyExists);
        assert_eq!(refusal.field.as_deref(), Some("name"));
    }
}
