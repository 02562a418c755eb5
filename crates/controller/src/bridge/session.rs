//! One bridged session: a Juju login kept open. The session holds its own WebSocket to the
//! controller (`/api`) and, once a model is read or changed, one to that model
//! (`/model/UUID/api`), each logged in as the session's user, so Juju checks every call against
//! that user's own permissions.
//!
//! A dropped connection is reopened on the session's next call (and logged in again). When that
//! fails, the next attempts wait out a backoff (half a second, doubling, at most 30 seconds);
//! calls in between are refused at once as `unreachable`, never left hanging.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use secret_backends_api::{Access, ErrorCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::errors::call_failed;
use super::facades::{self, LoginRequest, LoginResult};
use super::rpc::{Connection, RpcError};
use crate::controller::{Caller, SessionId};
use crate::error::{Error, Result};

/// Where and how to reach the controller: shared by every session.
pub struct Endpoint {
    /// `HOST:PORT`, as `juju show-controller` gives it.
    pub address: String,
    pub tls: Arc<rustls::ClientConfig>,
    /// The longest a connection or a call may take.
    pub timeout: Duration,
}

impl Endpoint {
    fn url(&self, model: Option<&str>) -> String {
        match model {
            Some(uuid) => format!("wss://{}/model/{uuid}/api", self.address),
            None => format!("wss://{}/api", self.address),
        }
    }

    /// Opens a connection (to the controller, or to model `uuid`) and logs `user` in on it.
    pub async fn login(
        &self,
        model: Option<&str>,
        user: &str,
        password: &str,
    ) -> Result<(Connection, LoginResult), RpcError> {
        let connection = Connection::open(&self.url(model), self.tls.clone(), self.timeout).await?;
        let request = LoginRequest {
            auth_tag: format!("user-{user}"),
            credentials: password,
            client_version: facades::CLIENT_VERSION,
        };
        let result = connection
            .call("Admin", facades::ADMIN, "Login", &request)
            .await?;
        Ok((connection, result))
    }

    /// A failed call in the API's words; `secrets` are cut out of Juju's sentence.
    pub fn failed(&self, error: RpcError, secrets: &[&str]) -> Error {
        call_failed(error, &self.address, secrets)
    }
}

/// The facade versions this controller offers, from its answer to the login.
#[derive(Debug, Clone, Copy)]
pub struct Versions {
    pub model_manager: u32,
    /// `ModelConfig`: up to 3, the `secret-backend` key; 4, `Get`/`SetModelSecretBackend`.
    pub model_config: u32,
}

impl Versions {
    pub fn from_login(result: &LoginResult) -> Versions {
        let best = |name: &str, known: &[u32]| {
            result
                .facades
                .iter()
                .filter(|f| f.name == name)
                .flat_map(|f| f.versions.iter().copied())
                .filter(|v| known.contains(v))
                .max()
        };
        Versions {
            model_manager: best("ModelManager", &[9, 10]).unwrap_or(facades::MODEL_MANAGER),
            model_config: best(
                "ModelConfig",
                &[facades::MODEL_CONFIG_KEY, facades::MODEL_CONFIG_CALLS],
            )
            .unwrap_or(facades::MODEL_CONFIG_KEY),
        }
    }
}

/// A connection that may have to be reopened, and when it may be tried next.
#[derive(Default)]
struct Link {
    connection: Option<Arc<Connection>>,
    failures: u32,
    retry_at: Option<Instant>,
}

/// The wait before reopening after `failures` failed attempts in a row.
pub fn backoff(failures: u32) -> Duration {
    let half_seconds = 1u64 << failures.saturating_sub(1).min(6);
    Duration::from_millis(500 * half_seconds).min(Duration::from_secs(30))
}

pub struct Session {
    pub id: SessionId,
    pub user: String,
    pub access: Access,
    pub versions: Versions,
    /// Kept to log in again when a connection is reopened; never logged or answered.
    password: String,
    pub started: Instant,
    last_used: Mutex<Instant>,
    controller: tokio::sync::Mutex<Link>,
    models: tokio::sync::Mutex<HashMap<String, Link>>,
}

impl Session {
    pub fn new(
        id: SessionId,
        user: String,
        access: Access,
        password: String,
        connection: Connection,
        versions: Versions,
    ) -> Session {
        let now = Instant::now();
        Session {
            id,
            user,
            access,
            versions,
            password,
            started: now,
            last_used: Mutex::new(now),
            controller: tokio::sync::Mutex::new(Link {
                connection: Some(Arc::new(connection)),
                ..Link::default()
            }),
            models: tokio::sync::Mutex::default(),
        }
    }

    pub fn caller(&self) -> Caller {
        Caller {
            name: self.user.clone(),
            access: self.access,
            session: self.id.clone(),
        }
    }

    pub fn last_used(&self) -> Instant {
        *self.last_used.lock().unwrap()
    }

    pub fn touch(&self) {
        *self.last_used.lock().unwrap() = Instant::now();
    }

    /// Calls a controller facade as this session's user.
    pub async fn call<P: Serialize, R: DeserializeOwned>(
        &self,
        endpoint: &Endpoint,
        (facade, version, request): (&str, u32, &str),
        params: &P,
        secrets: &[&str],
    ) -> Result<R> {
        let connection = {
            let mut link = self.controller.lock().await;
            self.open(endpoint, None, &mut link).await?
        };
        connection
            .call(facade, version, request, params)
            .await
            .map_err(|e| endpoint.failed(e, secrets))
    }

    /// Calls a facade of model `uuid` as this session's user, on the model's own connection.
    pub async fn call_model<P: Serialize, R: DeserializeOwned>(
        &self,
        endpoint: &Endpoint,
        uuid: &str,
        (facade, version, request): (&str, u32, &str),
        params: &P,
    ) -> Result<R> {
        let connection = {
            let mut models = self.models.lock().await;
            let link = models.entry(uuid.to_owned()).or_default();
            self.open(endpoint, Some(uuid), link).await?
        };
        connection
            .call(facade, version, request, params)
            .await
            .map_err(|e| endpoint.failed(e, &[]))
    }

    /// The link's open connection, reopened (and logged in) when it dropped, unless the last
    /// attempt failed too recently.
    async fn open(
        &self,
        endpoint: &Endpoint,
        model: Option<&str>,
        link: &mut Link,
    ) -> Result<Arc<Connection>> {
        if let Some(connection) = &link.connection
            && !connection.is_closed()
        {
            return Ok(connection.clone());
        }
        link.connection = None;
        let now = Instant::now();
        if let Some(at) = link.retry_at
            && at > now
        {
            let wait = (at - now).as_secs_f32().ceil();
            return Err(Error::refused(
                ErrorCode::Unreachable,
                format!(
                    "the Juju controller at {} is not reachable: trying again in {wait} seconds",
                    endpoint.address
                ),
            ));
        }
        match endpoint.login(model, &self.user, &self.password).await {
            Ok((connection, _)) => {
                tracing::info!(user = %self.user, model, "reconnected to the Juju controller");
                let connection = Arc::new(connection);
                *link = Link {
                    connection: Some(connection.clone()),
                    ..Link::default()
                };
                Ok(connection)
            }
            Err(e) => {
                link.failures += 1;
                link.retry_at = Some(now + backoff(link.failures));
                tracing::warn!(user = %self.user, model, error = %e, "cannot reach the Juju controller");
                Err(endpoint.failed(e, &[&self.password]))
            }
        }
    }

    /// Closes every connection of the session.
    pub async fn close(&self) {
        self.controller.lock().await.connection = None;
        self.models.lock().await.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles_from_half_a_second_up_to_thirty() {
        let waits: Vec<u64> = (1..=9).map(|n| backoff(n).as_millis() as u64).collect();
        assert_eq!(
            waits,
            [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]
        );
    }
}
