//! Reachability checks of external backends (`domain.md` section 2), as named steps.
//!
//! The same steps serve three purposes: the ping that gates an add or update (the first failing
//! step's message is the refusal), the connection test of `POST /backend-checks` (every step is
//! shown), and the background health check (the message becomes the backend's status message).
//! Messages name the cause but never a config value: the token travels in a header only.

use std::time::Duration;

use reqwest::StatusCode;
use secret_backends_api::{BackendCheck, BackendType, CheckStep, Config};
use serde::Deserialize;

/// How long one HTTP call of a check may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(8);

/// Checks a backend's config against the real server, step by step; stops at the first failure.
pub async fn check(backend_type: BackendType, config: &Config) -> BackendCheck {
    let steps = match backend_type {
        BackendType::Vault => vault_steps(config).await,
        // Kubernetes checks come with the kubernetes issue; until then they are refused earlier.
        BackendType::Kubernetes => vec![failed(
            "reachable",
            "backend not reachable: kubernetes checks are not supported yet".to_owned(),
        )],
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

fn passed(name: &str, detail: &str) -> CheckStep {
    CheckStep {
        name: name.to_owned(),
        ok: true,
        detail: detail.to_owned(),
    }
}

fn failed(name: &str, detail: String) -> CheckStep {
    CheckStep {
        name: name.to_owned(),
        ok: false,
        detail,
    }
}

fn text<'a>(config: &'a Config, key: &str) -> Option<&'a str> {
    config.get(key).and_then(|v| v.as_str())
}

/// An HTTP client that trusts the config's CA and presents its client certificate.
fn http_client(config: &Config) -> Result<reqwest::Client, String> {
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
fn cause(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[derive(Deserialize)]
struct Health {
    initialized: bool,
    sealed: bool,
}

async fn vault_steps(config: &Config) -> Vec<CheckStep> {
    let mut steps = Vec::new();
    let Some(endpoint) = text(config, "endpoint") else {
        steps.push(failed(
            "reachable",
            "backend not reachable: no endpoint".to_owned(),
        ));
        return steps;
    };
    let base = endpoint.trim_end_matches('/');
    let client = match http_client(config) {
        Ok(c) => c,
        Err(e) => {
            steps.push(failed("reachable", format!("backend not reachable: {e}")));
            return steps;
        }
    };
    let namespace = text(config, "namespace");
    let with_namespace = |req: reqwest::RequestBuilder| match namespace {
        Some(ns) => req.header("X-Vault-Namespace", ns),
        None => req,
    };

    // 1. reachable: sys/health answers (asked to answer 200 whatever its state, then read).
    let health_url = format!(
        "{base}/v1/sys/health?standbyok=true&perfstandbyok=true&sealedcode=200&uninitcode=200"
    );
    let health = match with_namespace(client.get(health_url)).send().await {
        Err(e) => {
            steps.push(failed(
                "reachable",
                format!("backend not reachable: {}", cause(&e)),
            ));
            return steps;
        }
        Ok(resp) if !resp.status().is_success() => {
            steps.push(failed(
                "reachable",
                format!(
                    "backend not reachable: sys/health answered {}",
                    resp.status()
                ),
            ));
            return steps;
        }
        Ok(resp) => match resp.json::<Health>().await {
            Ok(h) => h,
            Err(_) => {
                steps.push(failed(
                    "reachable",
                    "backend not reachable: sys/health did not answer like a Vault server"
                        .to_owned(),
                ));
                return steps;
            }
        },
    };
    steps.push(passed("reachable", "sys/health answered"));

    // 2. initialised.
    if !health.initialized {
        steps.push(failed("initialised", "vault is not initialised".to_owned()));
        return steps;
    }
    steps.push(passed("initialised", "vault is initialised"));

    // 3. unsealed.
    if health.sealed {
        steps.push(failed("unsealed", "vault is sealed".to_owned()));
        return steps;
    }
    steps.push(passed("unsealed", "vault is unsealed"));

    // 4. authenticated: the token can look itself up (needs a valid token).
    let mut req = with_namespace(client.get(format!("{base}/v1/auth/token/lookup-self")));
    if let Some(token) = text(config, "token") {
        req = req.header("X-Vault-Token", token);
    }
    match req.send().await {
        Err(e) => steps.push(failed(
            "authenticated",
            format!("cannot access backend: {}", cause(&e)),
        )),
        Ok(resp) if resp.status() == StatusCode::FORBIDDEN => steps.push(failed(
            "authenticated",
            "auth token invalid: permission denied".to_owned(),
        )),
        Ok(resp) if !resp.status().is_success() => steps.push(failed(
            "authenticated",
            format!(
                "cannot access backend: token lookup answered {}",
                resp.status()
            ),
        )),
        Ok(_) => steps.push(passed("authenticated", "the token is valid")),
    }
    steps
}
