//! The kubernetes ping and token rotation (domain.md section 2).
//!
//! Ping, in order: the API server's `/version` answers, the secrets namespace exists, and the
//! service account (when one is set) exists. Token rotation asks the API server for a new
//! service-account token (a `TokenRequest`) whose lifetime is the rotate interval.
//!
//! Credentials travel in the `Authorization` header only (marked sensitive); every message that
//! leaves this module is also scrubbed of the config's sensitive values, in case a server echoes
//! one back.

use std::time::Duration;

use reqwest::{Client, RequestBuilder, Response, Url};
use secret_backends_api::{CheckStep, Config};
use serde_json::{Value, json};

use super::{cause, failed, passed, text};

/// How long one HTTP call may take (the same budget as the other pings).
const CALL_TIMEOUT: Duration = Duration::from_secs(8);

/// The config keys whose values must never appear in a message.
const SENSITIVE: [&str; 3] = ["token", "password", "client-key"];

/// The longest server-provided message quoted in a detail.
const MAX_MESSAGE: usize = 300;

const MISSING_SERVICE_ACCOUNT: &str = "k8s config missing service account not valid";

/// The ping's steps; stops at the first failure.
pub async fn steps(config: &Config) -> Vec<CheckStep> {
    let mut steps = Vec::new();
    let fail = |steps: &mut Vec<CheckStep>, name: &str, detail: String| {
        steps.push(failed(name, redact(config, &detail)));
    };

    let api = match Api::new(config) {
        Ok(api) => api,
        Err(e) => {
            fail(
                &mut steps,
                "reachable",
                format!("backend not reachable: {e}"),
            );
            return steps;
        }
    };

    // 1. reachable: /version answers like an API server.
    match api.get(&["version"]).await {
        Err(e) => {
            fail(
                &mut steps,
                "reachable",
                format!("backend not reachable: {e}"),
            );
            return steps;
        }
        Ok(body) => match git_version(&body) {
            Some(version) => steps.push(passed(
                "reachable",
                &redact(config, &format!("API server {version} answered")),
            )),
            None => {
                fail(
                    &mut steps,
                    "reachable",
                    "backend not reachable: /version did not answer like a Kubernetes API server"
                        .to_owned(),
                );
                return steps;
            }
        },
    }

    // 2. namespace: the secrets namespace exists.
    let Some(namespace) = text(config, "namespace") else {
        fail(
            &mut steps,
            "namespace",
            "backend not reachable: checking secrets namespace: no namespace configured".to_owned(),
        );
        return steps;
    };
    if let Err(e) = api.get(&["api", "v1", "namespaces", namespace]).await {
        fail(
            &mut steps,
            "namespace",
            format!("backend not reachable: checking secrets namespace: {e}"),
        );
        return steps;
    }
    steps.push(passed(
        "namespace",
        &redact(config, &format!("namespace {namespace:?} exists")),
    ));

    // 3. service-account: only when one is set.
    if let Some(account) = text(config, "service-account") {
        let path = [
            "api",
            "v1",
            "namespaces",
            namespace,
            "serviceaccounts",
            account,
        ];
        if let Err(e) = api.get(&path).await {
            fail(
                &mut steps,
                "service-account",
                format!("backend not reachable: checking secrets service account: {e}"),
            );
            return steps;
        }
        steps.push(passed(
            "service-account",
            &redact(config, &format!("service account {account:?} exists")),
        ));
    }
    steps
}

/// Token rotation: asks the API server for a new token of the configured service account, valid
/// for `lifetime`, and returns it. The token itself never appears in an error.
pub async fn request_token(config: &Config, lifetime: Duration) -> Result<String, String> {
    let Some(account) = text(config, "service-account") else {
        return Err(MISSING_SERVICE_ACCOUNT.to_owned());
    };
    let refuse = |e: &str| {
        Err(redact(
            config,
            &format!("cannot request a service account token: {e}"),
        ))
    };
    let Some(namespace) = text(config, "namespace") else {
        return refuse("no namespace configured");
    };
    let api = match Api::new(config) {
        Ok(api) => api,
        Err(e) => return refuse(&e),
    };
    let body = json!({
        "apiVersion": "authentication.k8s.io/v1",
        "kind": "TokenRequest",
        "spec": {"expirationSeconds": lifetime.as_secs()},
    });
    let path = [
        "api",
        "v1",
        "namespaces",
        namespace,
        "serviceaccounts",
        account,
        "token",
    ];
    let answer = match api.post(&path, &body).await {
        Ok(answer) => answer,
        Err(e) => return refuse(&e),
    };
    match answer
        .get("status")
        .and_then(|s| s.get("token"))
        .and_then(Value::as_str)
    {
        Some(token) if !token.is_empty() => Ok(token.to_owned()),
        _ => refuse("the API server's answer holds no token"),
    }
}

/// The API server's version from a `/version` answer.
fn git_version(body: &Value) -> Option<&str> {
    body.get("gitVersion")
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty())
}

/// One configured connection to an API server: base URL, HTTP client, and credentials.
struct Api<'a> {
    base: Url,
    client: Client,
    config: &'a Config,
}

impl<'a> Api<'a> {
    fn new(config: &'a Config) -> Result<Self, String> {
        let endpoint = text(config, "endpoint").ok_or_else(|| "no endpoint".to_owned())?;
        let base = Url::parse(endpoint).map_err(|e| format!("endpoint: {e}"))?;
        if base.cannot_be_a_base() || !matches!(base.scheme(), "http" | "https") {
            return Err("endpoint: not an http(s) URL".to_owned());
        }
        Ok(Self {
            base,
            client: client(config)?,
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

    async fn get(&self, segments: &[&str]) -> Result<Value, String> {
        let req = self.client.get(self.url(segments));
        self.send(req).await
    }

    async fn post(&self, segments: &[&str], body: &Value) -> Result<Value, String> {
        let req = self.client.post(self.url(segments)).json(body);
        self.send(req).await
    }

    /// Sends the request; a 2xx answer gives its JSON body (`Null` when it has none), any other
    /// answer its Kubernetes Status message, or its HTTP status when it has no message.
    async fn send(&self, req: RequestBuilder) -> Result<Value, String> {
        let resp = self
            .authorize(req)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| cause(&e))?;
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
            Some(m) => shorten(m),
            None => format!("the API server answered {status}"),
        })
    }
}

async fn read_json(resp: Response) -> Option<Value> {
    let bytes = resp.bytes().await.ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// An HTTP client that trusts the config's CAs, presents its client certificate, and skips
/// certificate checks only when `skip-tls-verify` is true.
fn client(config: &Config) -> Result<Client, String> {
    let mut builder = Client::builder()
        .timeout(CALL_TIMEOUT)
        .connect_timeout(CALL_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .use_rustls_tls();

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
        let certs = reqwest::Certificate::from_pem_bundle(pem.as_bytes())
            .map_err(|_| format!("{key}: cannot read the PEM certificate"))?;
        if certs.is_empty() {
            return Err(format!("{key}: no PEM certificate found"));
        }
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }

    if let (Some(cert), Some(key)) = (text(config, "client-cert"), text(config, "client-key")) {
        let pem = format!("{cert}\n{key}");
        let identity = reqwest::Identity::from_pem(pem.as_bytes())
            .map_err(|_| "client-cert/client-key: cannot read the PEM pair".to_owned())?;
        builder = builder.identity(identity);
    }

    if config.get("skip-tls-verify").and_then(Value::as_bool) == Some(true) {
        builder = builder.danger_accept_invalid_certs(true);
    }

    builder
        .build()
        .map_err(|e| format!("cannot build an HTTP client: {}", cause(&e)))
}

/// A server-provided message, cut to a readable length on a character boundary.
fn shorten(message: &str) -> String {
    match message.char_indices().nth(MAX_MESSAGE) {
        Some((at, _)) => format!("{}…", &message[..at]),
        None => message.to_owned(),
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

    fn config(pairs: &[(&str, Value)]) -> Config {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

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

    #[test]
    fn bad_ca_pem_is_refused_plainly() {
        let c = config(&[
            ("endpoint", json!("https://10.0.0.1:6443")),
            ("ca-certs", json!(["not a pem"])),
        ]);
        assert_eq!(
            client(&c).err().as_deref(),
            Some("ca-certs[0]: no PEM certificate found")
        );
    }
}
