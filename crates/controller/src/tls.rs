//! TLS on rustls: the server configuration of HTTPS from `--tls-cert` and `--tls-key`, and the
//! server certificate check of the service's own clients (backends, a Juju controller).

use std::path::Path;
use std::sync::Arc;

use axum_server::tls_rustls::RustlsConfig;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use crate::StartError;

/// Reads the certificate chain and key (PEM) into a server configuration on rustls's ring
/// provider, TLS 1.2 and 1.3, offering HTTP/2 and HTTP/1.1. Every failure names the file and
/// says what is wrong with it; the key's contents never appear in a message.
pub fn server_config(cert: &Path, key: &Path) -> Result<RustlsConfig, StartError> {
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| start_error(cert, "certificate", e))?;
    if chain.is_empty() {
        return Err(StartError(format!(
            "the TLS certificate file {} holds no certificate",
            cert.display()
        )));
    }
    let key_der = PrivateKeyDer::from_pem_file(key).map_err(|e| start_error(key, "key", e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| StartError(format!("cannot set up TLS: {e}")))?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)
        .map_err(|e| {
            StartError(format!(
                "the TLS key {} does not fit the certificate {}: {e}",
                key.display(),
                cert.display()
            ))
        })?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(RustlsConfig::from_config(Arc::new(config)))
}

fn start_error(path: &Path, what: &str, error: rustls::pki_types::pem::Error) -> StartError {
    use rustls::pki_types::pem::Error as Pem;
    let why = match error {
        Pem::NoItemsFound => format!("holds no PEM {what}"),
        Pem::Io(e) => format!("cannot be read: {e}"),
        // The details of a decoding error may quote the file: never for a key.
        _ => format!("is not a valid PEM {what}"),
    };
    StartError(format!("the TLS {what} file {} {why}", path.display()))
}

/// A server certificate check: the chain against the roots, for `name` when given rather than
/// the host connected to (a vault backend's `tls-server-name`; a Juju controller's
/// `juju-apiserver`, the name its certificates carry whatever address reaches it); with `skip`,
/// any certificate for any name, as an admin asked (`skip-tls-verify`). The handshake's
/// signatures are checked either way, so the server holds the key of the certificate it shows.
#[derive(Debug)]
pub struct NamedVerifier {
    pub webpki: Arc<WebPkiServerVerifier>,
    pub name: Option<ServerName<'static>>,
    pub skip: bool,
}

impl ServerCertVerifier for NamedVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        connected_to: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if self.skip {
            return Ok(ServerCertVerified::assertion());
        }
        let name = self.name.as_ref().unwrap_or(connected_to);
        self.webpki
            .verify_server_cert(end_entity, intermediates, name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}
