//! The vault ping (domain.md section 2): reachable, initialised, unsealed, authenticated.

use reqwest::StatusCode;
use secret_backends_api::{CheckStep, Config};
use serde::Deserialize;

use super::{cause, failed, http_client, passed, text};

#[derive(Deserialize)]
struct Health {
    initialized: bool,
    sealed: bool,
}

pub async fn steps(config: &Config) -> Vec<CheckStep> {
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
