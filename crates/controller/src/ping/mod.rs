//! Reachability checks of external backends (`domain.md` section 2), as named steps.
//!
//! The same steps serve three purposes: the ping that gates an add or update (the first failing
//! step's message is the refusal), the connection test of `POST /backend-checks` (every step is
//! shown), and the background health check (the message becomes the backend's status message).
//! Messages name the cause but never a config value: the token travels in a header only.

use std::time::Duration;

use secret_backends_api::{BackendCheck, BackendType, CheckStep, Config};

pub mod kubernetes;
pub mod vault;

/// How long one HTTP call of a check may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(8);

/// Checks a backend's config against the real server, step by step; stops at the first failure.
pub async fn check(backend_type: BackendType, config: &Config) -> BackendCheck {
    let steps = match backend_type {
        BackendType::Vault => vault::steps(config).await,
        BackendType::Kubernetes => kubernetes::steps(config).await,
        BackendType::Controller => vec![passed("reachable", "built-in: always available")],
    };
    BackendCheck {
        ok: steps.iter().all(|s| s.ok),
        steps,
    }
}

/// The ping: `Ok` when every step passes, else the failing step's message.
pub async fn ping(backend_type: BackendType, config: &Config) -> Result<(), String> {
    let result = check(backend_type, config).await;
    match result.steps.into_iter().find(|s| !s.ok) {
        Some(step) => Err(step.detail),
        None => Ok(()),
    }
}

pub(crate) fn passed(name: &str, detail: &str) -> CheckStep {
    CheckStep {
        name: name.to_owned(),
        ok: true,
        detail: detail.to_owned(),
    }
}

pub(crate) fn failed(name: &str, detail: String) -> CheckStep {
    CheckStep {
        name: name.to_owned(),
        ok: false,
        detail,
    }
}

pub(crate) fn text<'a>(config: &'a Config, key: &str) -> Option<&'a str> {
    config.get(key).and_then(|v| v.as_str())
}

/// An HTTP client that trusts the config's CA and presents its client certificate.
pub(crate) fn http_client(config: &Config) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder()
        .timeout(CALL_TIMEOUT)
        .connect_timeout(CALL_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .use_rustls_tls();
    if let Some(ca) = text(config, "ca-cert") {
        let cert = reqwest::Certificate::from_pem(ca.as_bytes())
            .map_err(|_| "ca-cert: cannot read the PEM certificate".to_owned())?;
        builder = builder.add_root_certificate(cert);
    }
    if let (Some(cert), Some(key)) = (text(config, "client-cert"), text(config, "client-key")) {
        let pem = format!("{cert}\n{key}");
        let identity = reqwest::Identity::from_pem(pem.as_bytes())
            .map_err(|_| "client-cert/client-key: cannot read the PEM pair".to_owned())?;
        builder = builder.identity(identity);
    }
    builder
        .build()
        .map_err(|e| format!("cannot build an HTTP client: {}", cause(&e)))
}

/// A reqwest error's chain as one line, without the URL's query (there is none with secrets, but
/// the innermost cause is what an admin needs: "Connection refused").
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
