//! The vault driver. Check: reachable, initialised, unsealed (the server's), authenticated (the
//! token's). Content: one KV
//! version 1 mount per model, a key per revision. Rotation: an orphan token with the policies of
//! the configured one. Errors are sentences without config values.

use std::time::Duration;

use async_trait::async_trait;
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use secret_backends_api::Config;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use super::{Content, ContentAt, Driver, DriverError, Passed, TlsError, cause, http_client, text};

/// The vault backend type.
pub struct Vault;

/// Where a model's secrets live: `<mount-path>/<model>-<last 6 of the model uuid>`.
pub fn model_mount(config: &Config, model_name: &str, model_uuid: &str) -> String {
    let suffix: String = {
        let chars: Vec<char> = model_uuid.chars().filter(|c| *c != '-').collect();
        chars[chars.len().saturating_sub(6)..].iter().collect()
    };
    let leaf = format!("{model_name}-{suffix}");
    match text(config, "mount-path").map(|p| p.trim_matches('/')) {
        Some(prefix) if !prefix.is_empty() => format!("{prefix}/{leaf}"),
        _ => leaf,
    }
}

/// The key of a revision in its model's mount (Juju's `<secret id>-<revision>`).
pub fn revision_key(secret_uri: &str, revision: u64) -> String {
    let id = secret_uri.strip_prefix("secret:").unwrap_or(secret_uri);
    format!("{id}-{revision}")
}

/// The path of a revision's content: `<mount>/<key>`.
fn content_path(config: &Config, at: &ContentAt<'_>) -> (String, String) {
    (
        model_mount(config, at.model_name, at.model_uuid),
        revision_key(at.secret_uri, at.revision),
    )
}

#[derive(Deserialize)]
struct Health {
    initialized: bool,
    sealed: bool,
}

#[async_trait]
impl Driver for Vault {
    /// Reachable, initialised, unsealed: `sys/health`, which needs no token.
    async fn check_server(&self, config: &Config, passed: &mut Passed) -> Result<(), DriverError> {
        let unreachable = |detail: String| DriverError::failed("reachable", detail);
        let server =
            Server::new(config).map_err(|e| unreachable(format!("backend not reachable: {e}")))?;

        // 1. reachable: sys/health answers (asked to answer 200 whatever its state, then read).
        let health_path =
            "sys/health?standbyok=true&perfstandbyok=true&sealedcode=200&uninitcode=200";
        let resp = server
            .request(Method::GET, health_path)
            .send()
            .await
            .map_err(|e| unreachable(format!("backend not reachable: {}", cause(&e))))?;
        if !resp.status().is_success() {
            return Err(unreachable(format!(
                "backend not reachable: sys/health answered {}",
                resp.status()
            )));
        }
        let health = resp.json::<Health>().await.map_err(|_| {
            unreachable(
                "backend not reachable: sys/health did not answer like a Vault server".to_owned(),
            )
        })?;
        passed.push("reachable", "sys/health answered");

        // 2. initialised.
        if !health.initialized {
            return Err(DriverError::failed(
                "initialised",
                "vault is not initialised",
            ));
        }
        passed.push("initialised", "vault is initialised");

        // 3. unsealed.
        if health.sealed {
            return Err(DriverError::failed("unsealed", "vault is sealed"));
        }
        passed.push("unsealed", "vault is unsealed");
        Ok(())
    }

    /// `sys/health` is sent with the namespace header, so the namespace is part of the server.
    fn server_keys(&self) -> &'static [&'static str] {
        &["endpoint", "namespace"]
    }

    /// Authenticated: the token can look itself up.
    async fn check_access(&self, config: &Config, passed: &mut Passed) -> Result<(), DriverError> {
        let refused = |detail: String| DriverError::failed("authenticated", detail);
        let server =
            Server::new(config).map_err(|e| refused(format!("backend not reachable: {e}")))?;
        let resp = server
            .authorized(Method::GET, "auth/token/lookup-self")
            .send()
            .await
            .map_err(|e| refused(format!("cannot access backend: {}", cause(&e))))?;
        if resp.status() == StatusCode::FORBIDDEN {
            return Err(refused("auth token invalid: permission denied".to_owned()));
        }
        if !resp.status().is_success() {
            return Err(refused(format!(
                "cannot access backend: token lookup answered {}",
                resp.status()
            )));
        }
        // Read to the end, so the connection goes back to the shared client's pool.
        let _ = resp.bytes().await;
        passed.push("authenticated", "the token is valid");
        Ok(())
    }

    /// Creates an orphan token whose TTL is `lifetime`, with the policies of the configured token.
    async fn rotate_token(
        &self,
        config: &Config,
        lifetime: Duration,
    ) -> Result<String, DriverError> {
        #[derive(Deserialize)]
        struct Auth {
            client_token: String,
        }
        #[derive(Deserialize)]
        struct Answer {
            auth: Auth,
        }
        let step = "rotate-token";
        let server = Server::new(config).map_err(|e| DriverError::failed(step, e.to_string()))?;
        let body = json!({
            "ttl": format!("{}s", lifetime.as_secs()),
            "renewable": true,
            "display_name": "juju-secret-backend",
        });
        let req = server
            .authorized(Method::POST, "auth/token/create-orphan")
            .json(&body);
        let answer: Answer = server
            .answer(req)
            .await
            .map_err(|e| DriverError::failed(step, format!("cannot create a token: {e}")))?;
        Ok(answer.auth.client_token)
    }

    /// Makes sure the model's mount exists, then writes the revision under it.
    async fn store_content(
        &self,
        config: &Config,
        at: &ContentAt<'_>,
        content: &Content,
    ) -> Result<(), DriverError> {
        let step = "store-content";
        let server = Server::new(config).map_err(|e| DriverError::failed(step, e.to_string()))?;
        let (mount, key) = content_path(config, at);
        server.ensure_mount(&mount).await.map_err(|e| {
            DriverError::failed(step, format!("cannot create the secrets mount: {e}"))
        })?;
        let req = server
            .authorized(Method::PUT, &format!("{mount}/{key}"))
            .json(content);
        server
            .send(req)
            .await
            .map(drop)
            .map_err(|e| DriverError::failed(step, format!("cannot store secret content: {e}")))
    }

    async fn read_content(
        &self,
        config: &Config,
        at: &ContentAt<'_>,
    ) -> Result<Content, DriverError> {
        #[derive(Deserialize)]
        struct Answer {
            data: Content,
        }
        let step = "read-content";
        let server = Server::new(config).map_err(|e| DriverError::failed(step, e.to_string()))?;
        let (mount, key) = content_path(config, at);
        let req = server.authorized(Method::GET, &format!("{mount}/{key}"));
        let answer: Answer = server
            .answer(req)
            .await
            .map_err(|e| DriverError::failed(step, format!("cannot read secret content: {e}")))?;
        Ok(answer.data)
    }

    async fn delete_content(&self, config: &Config, at: &ContentAt<'_>) -> Result<(), DriverError> {
        let step = "delete-content";
        let server = Server::new(config).map_err(|e| DriverError::failed(step, e.to_string()))?;
        let (mount, key) = content_path(config, at);
        let req = server.authorized(Method::DELETE, &format!("{mount}/{key}"));
        server
            .send(req)
            .await
            .map(drop)
            .map_err(|e| DriverError::failed(step, format!("cannot delete secret content: {e}")))
    }
}

/// Why a vault server could not be used.
#[derive(Debug, thiserror::Error)]
enum ServerError {
    #[error("no endpoint")]
    NoEndpoint,
    #[error(transparent)]
    Tls(#[from] TlsError),
}

/// Why a call to a vault server failed; Vault's own `errors` are quoted, never a value.
#[derive(Debug, thiserror::Error)]
enum CallError {
    #[error("backend not reachable: {0}")]
    Unreachable(String),
    #[error("permission denied")]
    PermissionDenied,
    #[error("HTTP {0}")]
    Status(StatusCode),
    #[error("{}", .0.join("; "))]
    Errors(Vec<String>),
    #[error("unexpected answer")]
    UnexpectedAnswer,
}

/// One configured vault server: its API base, the HTTP client, and the credentials.
struct Server<'a> {
    client: reqwest::Client,
    base: &'a str,
    token: Option<&'a str>,
    namespace: Option<&'a str>,
}

impl<'a> Server<'a> {
    fn new(config: &'a Config) -> Result<Self, ServerError> {
        let base = text(config, "endpoint")
            .ok_or(ServerError::NoEndpoint)?
            .trim_end_matches('/');
        Ok(Server {
            client: http_client(config)?,
            base,
            token: text(config, "token"),
            namespace: text(config, "namespace"),
        })
    }

    /// A request without the token (for the unauthenticated `sys/health`).
    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let req = self
            .client
            .request(method, format!("{}/v1/{path}", self.base));
        match self.namespace {
            Some(ns) => req.header("X-Vault-Namespace", ns),
            None => req,
        }
    }

    /// A request carrying the token, in its header only.
    fn authorized(&self, method: Method, path: &str) -> RequestBuilder {
        let req = self.request(method, path);
        match self.token {
            Some(token) => req.header("X-Vault-Token", token),
            None => req,
        }
    }

    /// Sends and turns a non-success answer into a [`CallError`].
    async fn send(&self, req: RequestBuilder) -> Result<Response, CallError> {
        let resp = req
            .send()
            .await
            .map_err(|e| CallError::Unreachable(cause(&e)))?;
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        #[derive(Deserialize)]
        struct Errors {
            #[serde(default)]
            errors: Vec<String>,
        }
        let errors = resp
            .json::<Errors>()
            .await
            .map(|e| e.errors)
            .unwrap_or_default();
        Err(if status == StatusCode::FORBIDDEN {
            CallError::PermissionDenied
        } else if errors.is_empty() {
            CallError::Status(status)
        } else {
            CallError::Errors(errors)
        })
    }

    /// Sends and reads a success answer's JSON body.
    async fn answer<T: DeserializeOwned>(&self, req: RequestBuilder) -> Result<T, CallError> {
        self.send(req)
            .await?
            .json::<T>()
            .await
            .map_err(|_| CallError::UnexpectedAnswer)
    }

    /// Makes sure the model's KV v1 mount exists.
    async fn ensure_mount(&self, mount: &str) -> Result<(), CallError> {
        let path = format!("sys/mounts/{mount}");
        let existing = self.authorized(Method::GET, &path).send().await;
        if existing.is_ok_and(|r| r.status().is_success()) {
            return Ok(());
        }
        let body =
            json!({"type": "kv", "options": {"version": "1"}, "description": "Juju secrets"});
        match self
            .send(self.authorized(Method::POST, &path).json(&body))
            .await
        {
            Ok(_) => Ok(()),
            Err(CallError::Errors(errors))
                if errors.iter().any(|e| e.contains("already in use")) =>
            {
                Ok(())
            }
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mounts_follow_juju_naming() {
        let uuid = "7d6a8f3e-1b2c-4d5e-9f80-a1b2c3d4e5f6";
        let bare: Config = [("endpoint".to_owned(), "http://x".into())].into();
        assert_eq!(model_mount(&bare, "mymodel", uuid), "mymodel-d4e5f6");
        let mut prefixed = bare.clone();
        prefixed.insert("mount-path".into(), "/juju/secrets/".into());
        assert_eq!(
            model_mount(&prefixed, "mymodel", uuid),
            "juju/secrets/mymodel-d4e5f6"
        );
        assert_eq!(revision_key("secret:abc123", 2), "abc123-2");
    }

    #[tokio::test]
    async fn a_missing_endpoint_is_named_without_a_request() {
        let check =
            super::super::check(secret_backends_api::BackendType::Vault, &Config::new()).await;
        assert!(!check.ok);
        assert_eq!(check.steps[0].name, "reachable");
        assert_eq!(check.steps[0].detail, "backend not reachable: no endpoint");
    }
}
