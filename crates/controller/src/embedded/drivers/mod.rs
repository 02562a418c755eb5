//! One driver per backend type, behind one [`Driver`] interface: the check (the ping as named
//! steps), token rotation, and storage of secret content. [`driver`] is the one place that picks
//! the driver of a backend type; [`http_client`] is the one TLS client both external types use,
//! one per distinct TLS configuration.
//!
//! The check is two parts: the server's steps (reachable, unsealed…), the same for every backend
//! on that server ([`server_key`]), and the backend's own (its token). The background health
//! check runs the first once per server and the second per backend, less often.
//!
//! The check's steps serve three purposes: the ping that gates an add or update (the first failing
//! step's message is the refusal), the connection test of `POST /backend-checks` (every step is
//! shown), and the background health check (the message becomes the backend's status message).
//! Messages name the cause but never a config value: credentials travel in headers only.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use secret_backends_api::{BackendCheck, BackendType, CheckStep, Config};
use serde_json::Value;

pub mod kubernetes;
mod tls;
pub mod vault;

pub use kubernetes::Kubernetes;
use tls::TLS_KEYS;
pub use tls::{HttpClients, TlsError, http_client, http_clients};
pub use vault::Vault;

/// The content of one secret revision.
pub type Content = BTreeMap<String, String>;

/// How long one HTTP call to a backend may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(8);

/// Why a driver operation did not succeed. Its text is the sentence shown to the admin (and kept
/// as a status or rotation message), so it never holds a config value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DriverError {
    /// A step failed: a check step (`reachable`, `authenticated`…) or an operation
    /// (`rotate-token`, `store-content`…), with the reason.
    #[error("{detail}")]
    Failed { step: &'static str, detail: String },
    /// The backend type has no such operation.
    #[error("not supported")]
    NotSupported { operation: &'static str },
}

impl DriverError {
    pub fn failed(step: &'static str, detail: impl Into<String>) -> Self {
        DriverError::Failed {
            step,
            detail: detail.into(),
        }
    }

    /// The check step or operation that failed.
    pub fn step(&self) -> &'static str {
        match self {
            DriverError::Failed { step, .. } => step,
            DriverError::NotSupported { operation } => operation,
        }
    }
}

/// Where one revision's content lives on a backend that stores content.
#[derive(Debug, Clone, Copy)]
pub struct ContentAt<'a> {
    pub model_name: &'a str,
    pub model_uuid: &'a str,
    pub secret_uri: &'a str,
    pub revision: u64,
}

/// The steps of a check that passed, in order.
#[derive(Debug, Default)]
pub struct Passed(Vec<CheckStep>);

impl Passed {
    pub fn push(&mut self, step: &str, detail: impl Into<String>) {
        self.0.push(CheckStep {
            name: step.to_owned(),
            ok: true,
            detail: detail.into(),
        });
    }
}

/// What every backend type can be asked; an operation a type lacks refuses as not supported.
#[async_trait]
pub trait Driver: Sync {
    /// The check's first steps, which ask the server only (reachable, initialised, unsealed):
    /// backends that agree on [`Driver::server_keys`] and the TLS settings share their outcome,
    /// so the background checks each server once, however many backends use it.
    async fn check_server(&self, config: &Config, passed: &mut Passed) -> Result<(), DriverError>;

    /// The config keys [`Driver::check_server`] reads, besides the TLS settings.
    fn server_keys(&self) -> &'static [&'static str];

    /// The check's remaining steps, which need the backend's own credentials (its token).
    async fn check_access(
        &self,
        _config: &Config,
        _passed: &mut Passed,
    ) -> Result<(), DriverError> {
        Ok(())
    }

    /// Runs the check's steps in order, recording each one that passes; the first failure ends
    /// the check and is its error.
    async fn check(&self, config: &Config, passed: &mut Passed) -> Result<(), DriverError> {
        self.check_server(config, passed).await?;
        self.check_access(config, passed).await
    }

    /// Mints a new token valid for `lifetime` and returns it.
    async fn rotate_token(
        &self,
        _config: &Config,
        _lifetime: Duration,
    ) -> Result<String, DriverError> {
        Err(DriverError::NotSupported {
            operation: "rotate-token",
        })
    }

    async fn store_content(
        &self,
        _config: &Config,
        _at: &ContentAt<'_>,
        _content: &Content,
    ) -> Result<(), DriverError> {
        Err(DriverError::NotSupported {
            operation: "store-content",
        })
    }

    async fn read_content(
        &self,
        _config: &Config,
        _at: &ContentAt<'_>,
    ) -> Result<Content, DriverError> {
        Err(DriverError::NotSupported {
            operation: "read-content",
        })
    }

    async fn delete_content(
        &self,
        _config: &Config,
        _at: &ContentAt<'_>,
    ) -> Result<(), DriverError> {
        Err(DriverError::NotSupported {
            operation: "delete-content",
        })
    }
}

/// The controller's own backends: always there, content kept by the store itself.
pub struct BuiltIn;

#[async_trait]
impl Driver for BuiltIn {
    async fn check_server(&self, _config: &Config, passed: &mut Passed) -> Result<(), DriverError> {
        passed.push("reachable", "built-in: always available");
        Ok(())
    }

    fn server_keys(&self) -> &'static [&'static str] {
        &[]
    }
}

/// The driver of a backend type: the one place the type is matched.
pub fn driver(backend_type: BackendType) -> &'static dyn Driver {
    match backend_type {
        BackendType::Vault => &Vault,
        BackendType::Kubernetes => &Kubernetes,
        BackendType::Controller => &BuiltIn,
    }
}

/// Checks a backend's config against the real server, step by step; stops at the first failure.
pub async fn check(backend_type: BackendType, config: &Config) -> BackendCheck {
    let mut passed = Passed::default();
    let outcome = driver(backend_type).check(config, &mut passed).await;
    let mut steps = passed.0;
    if let Err(e) = &outcome {
        steps.push(CheckStep {
            name: e.step().to_owned(),
            ok: false,
            detail: e.to_string(),
        });
    }
    BackendCheck {
        ok: outcome.is_ok(),
        steps,
    }
}

/// The ping: `Ok` when every step passes, else the failing step.
pub async fn ping(backend_type: BackendType, config: &Config) -> Result<(), DriverError> {
    driver(backend_type)
        .check(config, &mut Passed::default())
        .await
}

/// Which server a backend's config points at, as far as its server steps can tell: the type,
/// the [`Driver::server_keys`] and the TLS settings. Ten thousand backends on one OpenBao with
/// one TLS configuration are one server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ServerKey([u8; 32]);

pub fn server_key(backend_type: BackendType, config: &Config) -> ServerKey {
    let keys = driver(backend_type).server_keys().iter().copied();
    let typed = [backend_type.as_str()].into_iter();
    ServerKey(tls::digest(config, typed.chain(keys).chain(TLS_KEYS)))
}

/// The server's steps of the check (see [`Driver::check_server`]).
pub async fn check_server(backend_type: BackendType, config: &Config) -> Result<(), DriverError> {
    driver(backend_type)
        .check_server(config, &mut Passed::default())
        .await
}

/// The backend's own steps of the check (see [`Driver::check_access`]).
pub async fn check_access(backend_type: BackendType, config: &Config) -> Result<(), DriverError> {
    driver(backend_type)
        .check_access(config, &mut Passed::default())
        .await
}

/// A text value of the config.
pub(crate) fn text<'a>(config: &'a Config, key: &str) -> Option<&'a str> {
    config.get(key).and_then(Value::as_str)
}

/// A reqwest error's chain as one line: the innermost cause is what an admin needs
/// ("Connection refused"). No URL carries a secret, so none is hidden here.
pub(crate) fn cause(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    /// A config from `(key, value)` pairs, for the drivers' tests.
    pub(crate) fn config(pairs: &[(&str, Value)]) -> Config {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn bad_ca_pem_is_refused_plainly() {
        let c = config(&[
            ("endpoint", json!("https://10.0.0.1:6443")),
            ("ca-certs", json!(["not a pem"])),
        ]);
        assert_eq!(
            http_client(&c).err().map(|e| e.to_string()).as_deref(),
            Some("ca-certs[0]: no PEM certificate found")
        );
    }

    #[test]
    fn backends_on_one_server_share_its_key_whatever_their_tokens() {
        let on = |endpoint: &str, extra: &[(&str, Value)]| {
            let mut c = config(&[("endpoint", json!(endpoint))]);
            c.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
            c
        };
        let bao = "http://127.0.0.1:8200";
        let key = |t, c: &Config| server_key(t, c);
        let vault = |extra: &[(&str, Value)]| key(BackendType::Vault, &on(bao, extra));
        let first = vault(&[("token", json!("t1")), ("mount-path", json!("a"))]);
        assert_eq!(first, vault(&[("token", json!("t2"))]));
        assert_ne!(first, vault(&[("namespace", json!("team"))]));
        assert_ne!(first, vault(&[("tls-server-name", json!("bao.example"))]));
        assert_ne!(
            first,
            key(BackendType::Vault, &on("http://other:8200", &[]))
        );
        assert_ne!(first, key(BackendType::Kubernetes, &on(bao, &[])));
        // The kubernetes server check sends the credentials: they are part of its server.
        let k8s = |token| {
            key(
                BackendType::Kubernetes,
                &on(bao, &[("token", json!(token))]),
            )
        };
        assert_ne!(k8s("a"), k8s("b"));
    }

    #[tokio::test]
    async fn built_in_backends_are_always_available_and_rotate_nothing() {
        let check = check(BackendType::Controller, &Config::new()).await;
        assert!(check.ok);
        assert_eq!(check.steps[0].detail, "built-in: always available");
        let refused = driver(BackendType::Controller)
            .rotate_token(&Config::new(), Duration::from_secs(60))
            .await
            .unwrap_err();
        assert_eq!(refused.to_string(), "not supported");
    }
}
