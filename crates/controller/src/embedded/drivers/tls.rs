//! The one TLS client of both external backend types, on rustls: the CAs it trusts, the client
//! certificate it presents, and the name the server's certificate is checked against; one client
//! per distinct TLS configuration, shared by every backend that has it ([`HttpClients`]).
//!
//! Juju's `tls-server-name` (vault) is that name: with it, a certificate must be valid for
//! `tls-server-name` rather than for the endpoint's host, as in Vault's own client. The name sent
//! in SNI stays the endpoint's host (reqwest connects by the URL); servers that pick a
//! certificate by SNI are reached by their own name anyway.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use reqwest::Client;
use rustls::RootCertStore;
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use secret_backends_api::Config;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{CALL_TIMEOUT, text};
use crate::tls::NamedVerifier;

/// Why [`http_client`] could not build a client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlsError {
    #[error("{key}: cannot read the PEM certificate")]
    UnreadableAuthority { key: String },
    #[error("{key}: no PEM certificate found")]
    NoAuthority { key: String },
    #[error("client-cert/client-key: cannot read the PEM pair")]
    UnreadableIdentity,
    #[error("tls-server-name: not a valid host name")]
    ServerName,
    #[error("cannot build an HTTP client: {0}")]
    Build(String),
}

/// The config keys a TLS client is made of: backends that agree on them share one client.
pub const TLS_KEYS: [&str; 6] = [
    "ca-cert",
    "ca-certs",
    "client-cert",
    "client-key",
    "tls-server-name",
    "skip-tls-verify",
];

/// The most clients kept at once. Backends rarely differ in TLS settings; connection tests with
/// ever new ones could fill the cache, which then starts over (clients in use live on).
const MAX_CLIENTS: usize = 256;

/// The HTTP client of both external types, one per distinct TLS configuration (see
/// [`HttpClients`]): it trusts the public roots and the config's CAs (`ca-cert`, and `ca-certs`
/// where the type has it), checks the server's certificate against `tls-server-name` when set,
/// presents its client certificate, follows no redirect, and skips certificate checks only when
/// `skip-tls-verify` is true.
pub fn http_client(config: &Config) -> Result<Client, TlsError> {
    http_clients().client(config)
}

/// The process's clients, shared by every backend and every call.
pub fn http_clients() -> &'static HttpClients {
    static CLIENTS: LazyLock<HttpClients> = LazyLock::new(HttpClients::default);
    &CLIENTS
}

/// HTTP clients by TLS configuration. A client holds its TLS settings (the public roots parsed,
/// the CAs, the client certificate) and a pool of open connections: 10,000 backends on one
/// server share one client and a few connections, instead of each building its own.
#[derive(Default)]
pub struct HttpClients {
    /// By the SHA-256 of the config's [`TLS_KEYS`] values, so no PEM or key is kept twice.
    clients: Mutex<HashMap<[u8; 32], Client>>,
}

impl HttpClients {
    /// The client for `config`'s TLS settings, built on first use.
    pub fn client(&self, config: &Config) -> Result<Client, TlsError> {
        let key = digest(config, TLS_KEYS.iter().copied());
        if let Some(client) = self.lock().get(&key) {
            return Ok(client.clone());
        }
        let client = build_client(config)?;
        let mut clients = self.lock();
        if clients.len() >= MAX_CLIENTS {
            clients.clear();
        }
        Ok(clients.entry(key).or_insert(client).clone())
    }

    /// How many clients are kept (tests: backends sharing TLS settings share one).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], Client>> {
        // A panic while holding the lock leaves a valid map: carry on with it.
        self.clients
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The SHA-256 of the values of `keys` in `config` (absent ones included, as absent).
pub fn digest<'a>(config: &Config, keys: impl Iterator<Item = &'a str>) -> [u8; 32] {
    let mut hash = Sha256::new();
    for key in keys {
        // Each value as JSON, `null` when absent, with its key: no two configs collide.
        let value = config.get(key).map(Value::to_string).unwrap_or_default();
        hash.update(key.as_bytes());
        hash.update([0]);
        hash.update(value.len().to_le_bytes());
        hash.update(value.as_bytes());
    }
    hash.finalize().into()
}

fn build_client(config: &Config) -> Result<Client, TlsError> {
    Client::builder()
        .timeout(CALL_TIMEOUT)
        .connect_timeout(CALL_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .use_preconfigured_tls(client_config(config)?)
        .build()
        .map_err(|e| TlsError::Build(super::cause(&e)))
}

fn client_config(config: &Config) -> Result<rustls::ClientConfig, TlsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let webpki =
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots(config)?), provider.clone())
            .build()
            .map_err(|e| TlsError::Build(e.to_string()))?;
    let name = match text(config, "tls-server-name").filter(|name| !name.is_empty()) {
        Some(name) => {
            Some(ServerName::try_from(name.to_owned()).map_err(|_| TlsError::ServerName)?)
        }
        None => None,
    };
    let verifier = Arc::new(NamedVerifier {
        webpki,
        name,
        skip: config.get("skip-tls-verify").and_then(Value::as_bool) == Some(true),
    });
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Build(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    match (text(config, "client-cert"), text(config, "client-key")) {
        (Some(cert), Some(key)) => {
            let chain = CertificateDer::pem_slice_iter(cert.as_bytes())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| TlsError::UnreadableIdentity)?;
            let key = PrivateKeyDer::from_pem_slice(key.as_bytes())
                .map_err(|_| TlsError::UnreadableIdentity)?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|_| TlsError::UnreadableIdentity)
        }
        _ => Ok(builder.with_no_client_auth()),
    }
}

/// The public roots plus every CA of the config, each refused by its key when unreadable.
fn roots(config: &Config) -> Result<RootCertStore, TlsError> {
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let mut authorities: Vec<(String, &str)> = Vec::new();
    if let Some(ca) = text(config, "ca-cert") {
        authorities.push(("ca-cert".to_owned(), ca));
    }
    match config.get("ca-certs") {
        Some(Value::Array(list)) => {
            for (i, entry) in list.iter().enumerate() {
                if let Some(pem) = entry.as_str() {
                    authorities.push((format!("ca-certs[{i}]"), pem));
                }
            }
        }
        Some(Value::String(pem)) => authorities.push(("ca-certs".to_owned(), pem)),
        _ => {}
    }
    for (key, pem) in authorities {
        let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| TlsError::UnreadableAuthority { key: key.clone() })?;
        if certs.is_empty() {
            return Err(TlsError::NoAuthority { key });
        }
        for cert in certs {
            roots
                .add(cert)
                .map_err(|_| TlsError::UnreadableAuthority { key: key.clone() })?;
        }
    }
    Ok(roots)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embedded::drivers::tests::config;
    use serde_json::json;

    #[test]
    fn clients_are_shared_by_tls_settings_not_by_endpoint_or_credentials() {
        let clients = HttpClients::default();
        for i in 0..100 {
            let backend = config(&[
                ("endpoint", json!(format!("https://vault-{i}.example:8200"))),
                ("token", json!(format!("token-{i}"))),
                ("namespace", json!(format!("ns-{i}"))),
            ]);
            clients.client(&backend).unwrap();
        }
        assert_eq!(clients.len(), 1);
        let named = config(&[("tls-server-name", json!("vault.example"))]);
        clients.client(&named).unwrap();
        let skipping = config(&[("skip-tls-verify", json!(true))]);
        clients.client(&skipping).unwrap();
        clients.client(&named).unwrap();
        assert_eq!(clients.len(), 3);
    }
}
