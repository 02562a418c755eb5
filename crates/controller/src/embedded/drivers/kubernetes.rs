//! The kubernetes driver: the check and token rotation.
//!
//! Check, in order: the API server's `/version` answers, the secrets namespace exists, and the
//! service account (when one is set) exists. Token rotation asks the API server for a new
//! service-account token (a `TokenRequest`) whose lifetime is the rotate interval. Secret content
//! is not stored on kubernetes by this controller (the trait's `not supported`).
//!
//! Credentials travel in the `Authorization` header only (marked sensitive); every message that
//! leaves this module is also scrubbed of the config's sensitive values, in case a server echoes
//! one back.

use std::time::Duration;

use async_trait::async_trait;
use reqwest::{Client, RequestBuilder, Response, StatusCode, Url};
use secret_backends_api::Config;
use serde_json::{Value, json};

use super::{Driver, DriverError, Passed, TlsError, cause, http_client, text};

/// The config keys whose values must never appear in a message.
const SENSITIVE: [&str; 3] = ["token", "password", "client-key"];

/// The longest server-provided message quoted in a detail.
const MAX_MESSAGE: usize = 300;

const MISSING_SERVICE_ACCOUNT: &str = "k8s config missing service account not valid";

/// The kubernetes backend type.
pub struct Kubernetes;

#[async_trait]
impl Driver for Kubernetes {
    async fn check_server(&self, config: &Config, passed: &mut Passed) -> Result<(), DriverError> {
        check_reachable(config, passed)
            .await
            .map_err(|e| redacted(config, e))
    }

    /// `/version` is asked with the credentials, so they are part of the server.
    fn server_keys(&self) -> &'static [&'static str] {
        &["endpoint", "token", "username", "password"]
    }

    async fn check_access(&self, config: &Config, passed: &mut Passed) -> Result<(), DriverError> {
        check_namespace(config, passed)
            .await
            .map_err(|e| redacted(config, e))
    }

    /// Asks the API server for a new token of the configured service account, valid for
    /// `lifetime`. The token itself never appears in an error.
    async fn rotate_token(
        &self,
        config: &Config,
        lifetime: Duration,
    ) -> Result<String, DriverError> {
        request_token(config, lifetime)
            .await
            .map_err(|e| redacted(config, e))
    }
}

/// The server's step. Passed details are redacted here, the failure by the caller.
async fn check_reachable(config: &Config, passed: &mut Passed) -> Result<(), DriverError> {
    let unreachable = |e: &dyn std::fmt::Display| {
        DriverError::failed("reachable", format!("backend not reachable: {e}"))
    };
    let api = Api::new(config).map_err(|e| unreachable(&e))?;

    // reachable: /version answers like an API server.
    let body = api.get(&["version"]).await.map_err(|e| unreachable(&e))?;
    let Some(version) = git_version(&body) else {
        return Err(unreachable(
            &"/version did not answer like a Kubernetes API server",
        ));
    };
    passed.push(
        "reachable",
        redact(config, &format!("API server {version} answered")),
    );
    Ok(())
}

/// The backend's own steps; stops at the first failure. Passed details are redacted here, the
/// failure by the caller.
async fn check_namespace(config: &Config, passed: &mut Passed) -> Result<(), DriverError> {
    let no_namespace = |e: &dyn std::fmt::Display| {
        DriverError::failed(
            "namespace",
            format!("backend not reachable: checking secrets namespace: {e}"),
        )
    };
    let api = Api::new(config).map_err(|e| no_namespace(&e))?;
    let Some(namespace) = text(config, "namespace") else {
        return Err(no_namespace(&"no namespace configured"));
    };
    api.get(&["api", "v1", "namespaces", namespace])
        .await
        .map_err(|e| no_namespace(&e))?;
    passed.push(
        "namespace",
        redact(config, &format!("namespace {namespace:?} exists")),
    );

    // service-account: only when one is set.
    if let Some(account) = text(config, "service-account") {
        api.get(&service_account_path(namespace, account))
            .await
            .map_err(|e| {
                DriverError::failed(
                    "service-account",
                    format!("backend not reachable: checking secrets service account: {e}"),
                )
            })?;
        passed.push(
            "service-account",
            redact(config, &format!("service account {account:?} exists")),
        );
    }
    Ok(())
}

/// The API path of a service account.
fn service_account_path<'a>(namespace: &'a str, account: &'a str) -> [&'a str; 6] {
    [
        "api",
        "v1",
        "namespaces",
        namespace,
        "serviceaccounts",
        account,
    ]
}

/// Token rotation's request; messages are redacted by the caller.
async fn request_token(config: &Config, lifetime: Duration) -> Result<String, DriverError> {
    let step = "rotate-token";
    let Some(account) = text(config, "service-account") else {
        return Err(DriverError::failed(step, MISSING_SERVICE_ACCOUNT));
    };
    let refuse = |e: &dyn std::fmt::Display| {
        DriverError::failed(step, format!("cannot request a service account token: {e}"))
    };
    let Some(namespace) = text(config, "namespace") else {
        return Err(refuse(&"no namespace configured"));
    };
    let api = Api::new(config).map_err(|e| refuse(&e))?;
    let body = json!({
        "apiVersion": "authentication.k8s.io/v1",
        "kind": "TokenRequest",
        "spec": {"expirationSeconds": lifetime.as_secs()},
    });
    let mut path = service_account_path(namespace, account).to_vec();
    path.push("token");
    let answer = api.post(&path, &body).await.map_err(|e| refuse(&e))?;
    match answer
        .get("status")
        .and_then(|s| s.get("token"))
        .and_then(Value::as_str)
    {
        Some(token) if !token.is_empty() => Ok(token.to_owned()),
        _ => Err(refuse(&"the API server's answer holds no token")),
    }
}

/// The API server's version from a `/version` answer.
fn git_version(body: &Value) -> Option<&str> {
    body.get("gitVersion")
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty())
}

/// Why an API server could not be used or refused a call.
#[derive(Debug, thiserror::Error)]
enum ApiError {
    #[error("no endpoint")]
    NoEndpoint,
    #[error("endpoint: {0}")]
    Endpoint(String),
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// The call did not reach the server: the transport's cause.
    #[error("{0}")]
    Unreachable(String),
    /// The server's Kubernetes Status message, shortened.
    #[error("{}", shorten(.0))]
    Refused(String),
    /// A refusal without a message.
    #[error("the API server answered {0}")]
    Status(StatusCode),
}

/// One configured connection to an API server: base URL, HTTP client, and credentials.
struct Api<'a> {
    base: Url,
    client: Client,
    config: &'a Config,
}

impl<'a> Api<'a> {
    fn new(config: &'a Config) -> Result<Self, ApiError> {
        let endpoint = text(config, "endpoint").ok_or(ApiError::NoEndpoint)?;
        let base = Url::parse(endpoint).map_err(|e| ApiError::Endpoint(e.to_string()))?;
        if base.cannot_be_a_base() || !matches!(base.scheme(), "http" | "https") {
            return Err(ApiError::Endpoint("not an http(s) URL".to_owned()));
        }
        Ok(Self {
            base,
            client: http_client(config)?,
            config,
        })
    }

    /// The URL of `segments` under the endpoint (which may carry a path prefix); each segment is
    /// percent-encoded, so a name cannot reach another path.
    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        url.set_query(None);
        url.set_fragment(None);
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// Adds the credentials: a bearer token if set, else HTTP basic if a username is set.
    fn authorize(&self, req: RequestBuilder) -> RequestBuilder {
        if let Some(token) = text(self.config, "token") {
            req.bearer_auth(token)
        } else if let Some(username) = text(self.config, "username") {
            req.basic_auth(username, text(self.config, "password"))
        } else {
            req
        }
    }

    async fn get(&self, segments: &[&str]) -> Result<Value, ApiError> {
        let req = self.client.get(self.url(segments));
        self.send(req).await
    }

    async fn post(&self, segments: &[&str], body: &Value) -> Result<Value, ApiError> {
        let req = self.client.post(self.url(segments)).json(body);
        self.send(req).await
    }

    /// Sends the request; a 2xx answer gives its JSON body (`Null` when it has none), any other
    /// answer its Kubernetes Status message, or its HTTP status when it has no message.
    async fn send(&self, req: RequestBuilder) -> Result<Value, ApiError> {
        let resp = self
            .authorize(req)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| ApiError::Unreachable(cause(&e)))?;
        let status = resp.status();
        let body = read_json(resp).await;
        if status.is_success() {
            return Ok(body.unwrap_or(Value::Null));
        }
        let message = body
            .as_ref()
            .and_then(|b| b.get("message"))
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|m| !m.is_empty());
        Err(match message {
            Some(m) => ApiError::Refused(m.to_owned()),
            None => ApiError::Status(status),
        })
    }
}

async fn read_json(resp: Response) -> Option<Value> {
    let bytes = resp.bytes().await.ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// A server-provided message, cut to a readable length on a character boundary.
fn shorten(message: &str) -> String {
    match message.char_indices().nth(MAX_MESSAGE) {
        Some((at, _)) => format!("{}…", &message[..at]),
        None => message.to_owned(),
    }
}

/// A failure with every sensitive config value replaced in its detail.
fn redacted(config: &Config, error: DriverError) -> DriverError {
    match error {
        DriverError::Failed { step, detail } => DriverError::Failed {
            step,
            detail: redact(config, &detail),
        },
        other => other,
    }
}

/// `text` with every sensitive config value replaced, so no message can carry a secret.
fn redact(config: &Config, text: &str) -> String {
    let mut out = text.to_owned();
    for key in SENSITIVE {
        if let Some(secret) = config.get(key).and_then(Value::as_str)
            && !secret.is_empty()
            && out.contains(secret)
        {
            out = out.replace(secret, "[redacted]");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embedded::drivers::tests::config;

    #[test]
    fn urls_keep_the_endpoint_prefix_and_encode_names() {
        let c = config(&[(
            "endpoint",
            json!("https://rancher.example/k8s/clusters/c-1/"),
        )]);
        let api = Api::new(&c).unwrap();
        assert_eq!(
            api.url(&["api", "v1", "namespaces", "a/../b"]).as_str(),
            "https://rancher.example/k8s/clusters/c-1/api/v1/namespaces/a%2F..%2Fb"
        );
        let c = config(&[("endpoint", json!("https://10.0.0.1:6443"))]);
        let api = Api::new(&c).unwrap();
        assert_eq!(
            api.url(&["version"]).as_str(),
            "https://10.0.0.1:6443/version"
        );
    }

    #[test]
    fn redact_hides_sensitive_values() {
        let c = config(&[
            ("token", json!("s3cr3t-token")),
            ("password", json!("hunter2")),
        ]);
        assert_eq!(
            redact(&c, "bad s3cr3t-token and hunter2"),
            "bad [redacted] and [redacted]"
        );
    }
}
