//! Logins are Juju logins: a session is a connection logged in as the user, and the user's
//! access is what Juju's login answer says. Users themselves are Juju's, managed with Juju's
//! tools (`juju add-user`, `juju grant`, `juju change-user-password`).

use std::sync::Arc;
use std::time::SystemTime;

use async_trait::async_trait;
use secret_backends_api::{
    Access, AddUserRequest, ErrorCode, LoginRequest, LoginResponse, ModelAccess,
    SetPasswordRequest, User, UserRef,
};
use sha2::{Digest, Sha256};

use super::rpc::RpcError;
use super::session::{Session, Versions};
use super::{JujuBridge, not_offered};
use crate::controller::{Caller, SessionId, Users};
use crate::error::{Error, Result};

/// Juju's controller access words: `superuser` may change backends and reveal; `login` and
/// anything lesser may list.
fn access(controller_access: &str) -> Access {
    match controller_access {
        "superuser" => Access::Superuser,
        _ => Access::Login,
    }
}

/// A model access word of Juju's (`admin`, `write`, `read`).
pub(super) fn model_access(word: &str) -> Option<ModelAccess> {
    serde_json::from_value(serde_json::Value::String(word.to_owned())).ok()
}

fn new_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Error::internal(format!("random source: {e}")))?;
    Ok(hex::encode(bytes))
}

fn session_id(token: &str) -> SessionId {
    SessionId::new(hex::encode(Sha256::digest(token.as_bytes())))
}

fn rfc3339(at: SystemTime) -> String {
    time::OffsetDateTime::from(at)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn users_elsewhere() -> Error {
    not_offered(
        "managing users",
        "use juju add-user, juju grant and juju change-user-password",
    )
}

#[async_trait]
impl Users for JujuBridge {
    async fn login(&self, request: LoginRequest) -> Result<LoginResponse> {
        let password = request.password;
        let (connection, result) = self
            .endpoint
            .login(None, &request.username, &password)
            .await
            .map_err(|e| match e {
                // A wrong name or password is the login's own refusal, in Juju's words.
                RpcError::Juju { message, code } if code == "unauthorized access" => {
                    Error::refused(ErrorCode::Unauthorized, message)
                }
                e => self.endpoint.failed(e, &[&password]),
            })?;
        let versions = Versions::from_login(&result);
        let info = result.user_info.unwrap_or_default();
        let access = access(&info.controller_access);
        let token = new_token()?;
        let id = session_id(&token);
        let session = Session::new(
            id.clone(),
            request.username.clone(),
            access,
            password,
            connection,
            versions,
        );
        tracing::info!(
            user = %request.username,
            server = result.server_version.as_deref().unwrap_or("unknown"),
            "logged in to the Juju controller"
        );
        self.sessions.lock().unwrap().insert(id, Arc::new(session));
        Ok(LoginResponse {
            token: Some(token),
            user: UserRef {
                name: request.username,
                access,
            },
            expires: rfc3339(SystemTime::now() + self.limits.lifetime),
        })
    }

    async fn authenticate(&self, token: &str) -> Result<Caller> {
        let id = session_id(token);
        let session = self.sessions.lock().unwrap().get(&id).cloned();
        let Some(session) = session else {
            return Err(Error::unauthorized());
        };
        if !self.alive(&session, std::time::Instant::now()) {
            self.sessions.lock().unwrap().remove(&id);
            session.close().await;
            return Err(Error::unauthorized());
        }
        session.touch();
        Ok(session.caller())
    }

    async fn logout(&self, token: &str) -> Result<()> {
        let session = self.sessions.lock().unwrap().remove(&session_id(token));
        if let Some(session) = session {
            session.close().await;
        }
        Ok(())
    }

    async fn whoami(&self, caller: &Caller) -> Result<User> {
        let summaries = self.model_summaries(caller).await?;
        let models = summaries
            .into_iter()
            .filter_map(|m| Some((m.name, model_access(&m.user_access)?)))
            .collect();
        Ok(User {
            name: caller.name.clone(),
            access: caller.access,
            models,
        })
    }

    async fn users_list(&self, _caller: &Caller) -> Result<Vec<User>> {
        Err(users_elsewhere())
    }

    async fn user_add(&self, _caller: &Caller, _request: AddUserRequest) -> Result<User> {
        Err(users_elsewhere())
    }

    async fn user_set_password(
        &self,
        _caller: &Caller,
        _name: &str,
        _request: SetPasswordRequest,
    ) -> Result<()> {
        Err(users_elsewhere())
    }

    async fn user_remove(&self, _caller: &Caller, _name: &str) -> Result<()> {
        Err(users_elsewhere())
    }
}
