//! Who may do what: login and sessions, users with per-model access.

use async_trait::async_trait;
use secret_backends_api::{
    Access, AddUserRequest, AuditAction, ErrorCode, LoginRequest, LoginResponse,
    SetPasswordRequest, User, UserRef, validate,
};

use rusqlite::Transaction;

use super::auth;
use super::models::model_not_found;
use super::store::{self, AuditRecord, UserRow};
use super::{EmbeddedController, already_exists, now, require_superuser, rfc3339};
use crate::controller::{Caller, SessionId, Users};
use crate::error::{Error, Result};

/// The controller's superuser, made on first start; it cannot be removed.
pub const CONTROLLER_SUPERUSER: &str = "admin";

#[async_trait]
impl Users for EmbeddedController {
    async fn login(&self, request: LoginRequest) -> Result<LoginResponse> {
        // How the session is kept is HTTP's business: every session has a token.
        let LoginRequest {
            username, password, ..
        } = request;
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
        let (token, expires_at) = self.session_start(&user.name).await?;
        Ok(LoginResponse {
            token: Some(token),
            user: UserRef {
                name: user.name,
                access: user.access,
            },
            expires: rfc3339(expires_at),
        })
    }

    async fn authenticate(&self, token: &str) -> Result<Caller> {
        let session = self
            .session_use(token)
            .await?
            .ok_or_else(Error::unauthorized)?;
        Ok(Caller {
            name: session.user.name,
            access: session.user.access,
            // The row's key: the token's hash.
            session: SessionId::new(auth::token_hash(token)),
        })
    }

    async fn logout(&self, token: &str) -> Result<()> {
        let hash = auth::token_hash(token);
        self.store
            .call(move |c| store::session_delete(c, &hash))
            .await
    }

    async fn whoami(&self, caller: &Caller) -> Result<User> {
        let name = caller.name.clone();
        let models = self
            .store
            .call(move |c| store::user_model_access(c, &name))
            .await?;
        Ok(User {
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
        let hash = hash_password(request.password.clone()).await?;
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

    async fn user_set_password(
        &self,
        caller: &Caller,
        name: &str,
        request: SetPasswordRequest,
    ) -> Result<()> {
        // Only the superuser learns whether another name exists.
        if !caller.is_superuser() && caller.name != name {
            return Err(Error::permission_denied());
        }
        validate::password(&request.password)?;
        let hash = hash_password(request.password).await?;
        let keep = Some(caller.session.as_str().to_owned());
        let action = AuditAction::ChangeUserPassword;
        let change =
            move |tx: &Transaction<'_>, target: &str| store::user_password_set(tx, target, &hash);
        let ended = self
            .change_user_ending_sessions(caller, name, keep, action, change)
            .await?;
        tracing::info!(user = %name, by = %caller.name, ended, "password changed; other sessions ended");
        Ok(())
    }

    async fn user_remove(&self, caller: &Caller, name: &str) -> Result<()> {
        require_superuser(caller)?;
        if name == CONTROLLER_SUPERUSER {
            return Err(Error::refused(
                ErrorCode::NotValid,
                format!("cannot remove controller superuser {CONTROLLER_SUPERUSER:?}"),
            ));
        }
        let action = AuditAction::RemoveUser;
        let change = |tx: &Transaction<'_>, target: &str| store::user_delete(tx, target);
        let ended = self
            .change_user_ending_sessions(caller, name, None, action, change)
            .await?;
        tracing::info!(user = %name, by = %caller.name, ended, "user removed; their sessions ended");
        Ok(())
    }
}

impl EmbeddedController {
    /// Ends the sessions of the user `target` (all but the one whose token hash is `keep`), then
    /// makes `change` to them (false: there is no such user, and nothing is done), recorded as
    /// `action`, in one transaction. Answers how many sessions ended. The sessions are ended
    /// explicitly rather than left to `ON DELETE CASCADE`, so a removal does not depend on the
    /// connection's foreign-key setting.
    async fn change_user_ending_sessions(
        &self,
        caller: &Caller,
        target: &str,
        keep: Option<String>,
        action: AuditAction,
        change: impl FnOnce(&Transaction<'_>, &str) -> Result<bool> + Send + 'static,
    ) -> Result<usize> {
        let (user, target) = (caller.name.clone(), target.to_owned());
        self.store
            .write(move |tx| {
                let ended = store::sessions_delete_of_user(tx, &target, keep.as_deref())?;
                if !change(tx, &target)? {
                    return Err(user_not_found(&target));
                }
                let other = if keep.is_some() { "other " } else { "" };
                let record = AuditRecord::new(&user, action)
                    .detail(Some(format!("{target}: {ended} {other}sessions ended")));
                Ok((ended, record))
            })
            .await
    }
}

/// argon2 is deliberately slow: hashes off the async workers.
async fn hash_password(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(Error::internal)?
}

fn user_not_found(name: &str) -> Error {
    Error::refused(ErrorCode::NotFound, format!("user {name:?} not found"))
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
