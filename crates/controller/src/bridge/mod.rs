//! The bridge: the controller interface served by a real Juju controller over its WebSocket RPC
//! API (`--juju-controller HOST:PORT`), instead of the embedded store.
//!
//! - **Logins are Juju logins.** `login` opens a WebSocket to `wss://HOST:PORT/api` and calls
//!   `Admin.Login` (version 3) as that user; the session keeps the connection (and one per model
//!   it touches) until logout, idle time or lifetime ends it ([`session`]). Juju decides every
//!   permission: a call Juju refuses is answered with Juju's sentence.
//! - **Trust:** the controller's certificate is checked against `--juju-ca-cert` for the name
//!   `juju-apiserver`, as Juju's own clients do (a controller's certificate does not name the
//!   address it is reached by). There is no way to skip the check.
//! - **Backends** map onto facade `SecretBackends` v1 ([`backends`]); **models** onto
//!   `ModelManager` and each model's `ModelConfig` ([`models`]).
//! - **What Juju lacks** (the audit trail, rotation times, checking a config without saving it,
//!   users managed here, adding models, a model's secrets, which models use a backend) answers
//!   `not-supported`, and [`Controller::info`] says so, so the console does not offer it. The
//!   change feed is polled ([`feed`]).
//! - **Every call has a timeout** (`--juju-timeout`); a dropped connection is reopened with
//!   backoff, and calls in between are refused at once as `unreachable`.
//!
//! It is held to Juju's published facade shapes by a test peer built on python-libjuju's
//! generated classes; no live controller runs in the tests (see `docs/juju-bridge.md`).

mod backends;
mod errors;
mod facades;
mod feed;
mod models;
pub mod rpc;
mod session;
mod users;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use rustls::RootCertStore;
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use secret_backends_api::{AuditEntry, Capabilities, ControllerInfo, ControllerKind, ErrorCode};

use crate::StartError;
use crate::controller::{Audit, Caller, Controller, SessionId};
use crate::embedded::SessionLimits;
use crate::error::{Error, Result};
use crate::tls::NamedVerifier;

pub use session::backoff;
use session::{Endpoint, Session};

/// The name every Juju controller certificate carries, whatever address reaches it.
pub const CONTROLLER_CERT_NAME: &str = "juju-apiserver";

/// How often ended sessions' connections are closed.
pub const SWEEP_EVERY: Duration = Duration::from_secs(30);

/// How the bridge reaches its controller.
#[derive(Debug, Clone)]
pub struct BridgeOptions {
    /// `HOST:PORT` of the controller's API.
    pub address: String,
    /// The controller's CA certificate (PEM), as `juju show-controller` prints it.
    pub ca_cert: String,
    /// The longest a connection or a call to the controller may take.
    pub timeout: Duration,
    pub sessions: SessionLimits,
}

/// The controller interface over a Juju controller.
pub struct JujuBridge {
    /// Itself, for the change feed's streams, which outlive a call.
    me: Weak<JujuBridge>,
    endpoint: Endpoint,
    limits: SessionLimits,
    sessions: Mutex<HashMap<SessionId, Arc<Session>>>,
}

impl JujuBridge {
    /// A bridge to the controller of `options`; nothing is connected until the first login.
    /// Refuses a CA that is not a PEM certificate.
    pub fn new(options: BridgeOptions) -> Result<Arc<JujuBridge>, StartError> {
        let tls = client_config(&options.ca_cert)?;
        Ok(Arc::new_cyclic(|me| JujuBridge {
            me: me.clone(),
            endpoint: Endpoint {
                address: options.address,
                tls: Arc::new(tls),
                timeout: options.timeout,
            },
            limits: options.sessions,
            sessions: Mutex::default(),
        }))
    }

    /// Reads the CA file and makes the bridge (for `serve`).
    pub fn open(
        address: &str,
        ca_cert: &Path,
        timeout: Duration,
        sessions: SessionLimits,
    ) -> Result<Arc<JujuBridge>, StartError> {
        let pem = std::fs::read_to_string(ca_cert).map_err(|e| {
            StartError(format!(
                "cannot read the Juju CA certificate {}: {e}",
                ca_cert.display()
            ))
        })?;
        JujuBridge::new(BridgeOptions {
            address: address.to_owned(),
            ca_cert: pem,
            timeout,
            sessions,
        })
        .map_err(|e| StartError(format!("{}: {e}", ca_cert.display())))
    }

    /// Closes the connections of sessions that ended (idle or past their lifetime) every
    /// `every`, for as long as the bridge exists.
    pub fn spawn_sweeper(self: &Arc<Self>, every: Duration) {
        let bridge: Weak<JujuBridge> = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                let Some(bridge) = bridge.upgrade() else {
                    return;
                };
                bridge.sweep().await;
            }
        });
    }

    async fn sweep(&self) {
        let now = Instant::now();
        let ended: Vec<Arc<Session>> = {
            let mut sessions = self.sessions.lock().unwrap();
            let ended: Vec<SessionId> = sessions
                .iter()
                .filter(|(_, s)| !self.alive(s, now))
                .map(|(id, _)| id.clone())
                .collect();
            ended.iter().filter_map(|id| sessions.remove(id)).collect()
        };
        for session in ended {
            tracing::info!(user = %session.user, "session ended; its Juju connections closed");
            session.close().await;
        }
    }

    fn alive(&self, session: &Session, now: Instant) -> bool {
        now.duration_since(session.started) < self.limits.lifetime
            && now.duration_since(session.last_used()) < self.limits.idle
    }

    /// The live session of a caller (`unauthorized` once it ended).
    fn session(&self, caller: &Caller) -> Result<Arc<Session>> {
        self.sessions
            .lock()
            .unwrap()
            .get(&caller.session)
            .cloned()
            .ok_or_else(Error::unauthorized)
    }

    /// How many sessions are open (for tests and the log).
    pub fn session_count(&self) -> usize {
        self.sessions.lock().unwrap().len()
    }
}

/// A TLS client that trusts only the controller's CA, for the name `juju-apiserver`.
fn client_config(ca_pem: &str) -> Result<rustls::ClientConfig, StartError> {
    let bad = |why: &str| StartError(format!("the Juju CA certificate {why}"));
    let certs = CertificateDer::pem_slice_iter(ca_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| bad("is not a valid PEM certificate"))?;
    if certs.is_empty() {
        return Err(bad("holds no PEM certificate"));
    }
    let mut roots = RootCertStore::empty();
    for cert in certs {
        roots
            .add(cert)
            .map_err(|_| bad("is not a usable CA certificate"))?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| bad(&e.to_string()))?;
    let verifier = NamedVerifier {
        webpki,
        name: Some(ServerName::try_from(CONTROLLER_CERT_NAME).map_err(|e| bad(&e.to_string()))?),
        skip: false,
    };
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| bad(&e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth())
}

/// The refusal of what the bridge does not offer: `what` is not available, and `instead`.
fn not_offered(what: &str, instead: &str) -> Error {
    Error::refused(
        ErrorCode::NotSupported,
        format!("{what} is not available on a Juju controller through this service: {instead}"),
    )
}

#[async_trait]
impl Controller for JujuBridge {
    /// Ready when the controller's API answers a WebSocket handshake.
    async fn ready(&self) -> Result<()> {
        let url = format!("wss://{}/api", self.endpoint.address);
        rpc::Connection::open(&url, self.endpoint.tls.clone(), self.endpoint.timeout)
            .await
            .map(drop)
            .map_err(|e| self.endpoint.failed(e, &[]))
    }

    fn info(&self) -> ControllerInfo {
        ControllerInfo {
            kind: ControllerKind::Juju,
            capabilities: Capabilities::core_only(),
        }
    }
}

#[async_trait]
impl Audit for JujuBridge {
    async fn audit_list(
        &self,
        _caller: &Caller,
        _backend: Option<String>,
        _limit: u32,
    ) -> Result<Vec<AuditEntry>> {
        Err(not_offered(
            "the audit trail",
            "Juju records reveals in its own audit log",
        ))
    }
}
