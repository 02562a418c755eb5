//! The one TLS client of both external backend types, on rustls: the CAs it trusts, the client
//! certificate it presents, and the name the server's certificate is checked against.
//!
//! Juju's `tls-server-name` (vault) is that name: with it, a certificate must be valid for
//! `tls-server-name` rather than for the endpoint's host, as in Vault's own client. The name sent
//! in SNI stays the endpoint's host (reqwest connects by the URL); servers that pick a
//! certificate by SNI are reached by their own name anyway.

use std::sync::Arc;

use reqwest::Client;
use rustls::RootCertStore;
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use secret_backends_api::Config;
use serde_json::Value;

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

/// The HTTP client of both external types: it trusts the public roots and the config's CAs
/// (`ca-cert`, and `ca-certs` where the type has it), checks the server's certificate against
/// `tls-server-name` when set, presents its client certificate, follows no redirect, and skips
/// certificate checks only when `skip-tls-verify` is true.
pub fn http_client(config: &Config) -> Result<Client, TlsError> {
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
