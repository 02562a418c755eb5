//! The kubernetes ping and token rotation (`docs/rules.md#kubernetes`).
//!
//! No real cluster runs here, so the success path is tested against this fixture, which answers
//! the same paths and shapes as a Kubernetes API server: `/version`, the namespace and
//! service-account GETs, the `TokenRequest` POST, `Status` bodies for 404 and 401, and bearer or
//! basic authentication on every call.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use secret_backends_api::{BackendCheck, BackendType, Config};
use secret_backends_controller::embedded::drivers;
use serde_json::{Value, json};

const GOOD_TOKEN: &str = "good-bearer-token-0123";
const ISSUED_TOKEN: &str = "issued-service-account-token-4567";
/// Recognisable, so a leak into any message is easy to spot.
const CANARY: &str = "CANARY-9f2b-do-not-show";
/// The password of `admin` on a cluster [`Cluster::with_basic_auth`].
const BASIC_PASSWORD: &str = "s3cret-pw";
/// Where the fixture also serves, like a cluster behind a proxy (Rancher and the like).
const PREFIX: &str = "/k8s/clusters/c-1";

/// What the fixture API server knows, and what it saw.
struct Cluster {
    namespaces: Vec<&'static str>,
    service_accounts: Vec<(&'static str, &'static str)>,
    /// The accepted bearer token.
    token: &'static str,
    /// The accepted basic credentials, if any.
    basic: Option<(&'static str, &'static str)>,
    /// Misbehave: put the presented credentials into the 401 message.
    echo_credentials: bool,
    seen: Mutex<Seen>,
}

#[derive(Default, Clone, Debug)]
struct Seen {
    /// The accepted bearer token was presented and checked.
    bearer_checked: bool,
    /// The accepted basic credentials were presented and checked.
    basic_checked: bool,
    /// Calls refused with 401.
    rejected: usize,
    /// Every path asked for, in order.
    paths: Vec<String>,
    /// `spec.expirationSeconds` of the last TokenRequest.
    expiration_seconds: Option<u64>,
}

impl Default for Cluster {
    fn default() -> Self {
        Self {
            namespaces: vec!["default", "secrets"],
            service_accounts: vec![("secrets", "juju-secrets")],
            token: GOOD_TOKEN,
            basic: None,
            echo_credentials: false,
            seen: Mutex::default(),
        }
    }
}

impl Cluster {
    /// A cluster that also accepts basic authentication as `admin` with [`BASIC_PASSWORD`].
    fn with_basic_auth() -> Self {
        Self {
            basic: Some(("admin", BASIC_PASSWORD)),
            ..Self::default()
        }
    }

    fn seen(&self) -> Seen {
        self.seen.lock().unwrap().clone()
    }

    /// Authenticates a call about the service account `sa` of `ns`, then answers 404 if there is
    /// no such account: the refusal, or `None` to go on.
    fn refuse_for_account(
        &self,
        headers: &HeaderMap,
        path: String,
        ns: &str,
        sa: &str,
    ) -> Option<Response> {
        if let Some(r) = self.authenticate(headers, path) {
            return Some(r);
        }
        let known = self.service_accounts.contains(&(ns, sa));
        (!known).then(|| not_found("serviceaccounts", sa))
    }

    /// Checks the `Authorization` header like an API server: a wrong or missing credential gets
    /// the 401 answer returned here.
    fn authenticate(&self, headers: &HeaderMap, path: String) -> Option<Response> {
        let mut seen = self.seen.lock().unwrap();
        seen.paths.push(path);
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if presented == format!("Bearer {}", self.token) {
            seen.bearer_checked = true;
            return None;
        }
        if let Some((user, password)) = self.basic
            && presented == format!("Basic {}", base64(&format!("{user}:{password}")))
        {
            seen.basic_checked = true;
            return None;
        }
        seen.rejected += 1;
        let message = if self.echo_credentials {
            format!("Unauthorized: {presented} is not valid")
        } else {
            "Unauthorized".to_owned()
        };
        Some(status_answer(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            message,
        ))
    }
}

/// A `Status` body, as the API server sends with every failure.
fn status_answer(code: StatusCode, reason: &str, message: String) -> Response {
    let body = json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code.as_u16(),
    });
    (code, Json(body)).into_response()
}

fn not_found(kind: &str, name: &str) -> Response {
    status_answer(
        StatusCode::NOT_FOUND,
        "NotFound",
        format!("{kind} \"{name}\" not found"),
    )
}

async fn version(State(c): State<Arc<Cluster>>, headers: HeaderMap) -> Response {
    if let Some(r) = c.authenticate(&headers, "/version".to_owned()) {
        return r;
    }
    Json(json!({
        "major": "1",
        "minor": "31",
        "gitVersion": "v1.31.0",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2024-08-13T07:28:49Z",
        "goVersion": "go1.22.5",
        "compiler": "gc",
        "platform": "linux/amd64"
    }))
    .into_response()
}

async fn namespace(
    State(c): State<Arc<Cluster>>,
    Path(ns): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(r) = c.authenticate(&headers, format!("/api/v1/namespaces/{ns}")) {
        return r;
    }
    if !c.namespaces.contains(&ns.as_str()) {
        return not_found("namespaces", &ns);
    }
    Json(json!({
        "kind": "Namespace",
        "apiVersion": "v1",
        "metadata": {"name": ns},
        "status": {"phase": "Active"}
    }))
    .into_response()
}

async fn service_account(
    State(c): State<Arc<Cluster>>,
    Path((ns, sa)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let path = format!("/api/v1/namespaces/{ns}/serviceaccounts/{sa}");
    if let Some(r) = c.refuse_for_account(&headers, path, &ns, &sa) {
        return r;
    }
    Json(json!({
        "kind": "ServiceAccount",
        "apiVersion": "v1",
        "metadata": {"name": sa, "namespace": ns}
    }))
    .into_response()
}

async fn token_request(
    State(c): State<Arc<Cluster>>,
    Path((ns, sa)): Path<(String, String)>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let path = format!("/api/v1/namespaces/{ns}/serviceaccounts/{sa}/token");
    if let Some(r) = c.refuse_for_account(&headers, path, &ns, &sa) {
        return r;
    }
    if body["apiVersion"] != "authentication.k8s.io/v1" || body["kind"] != "TokenRequest" {
        return status_answer(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "the body is not a TokenRequest".to_owned(),
        );
    }
    let seconds = body["spec"]["expirationSeconds"].as_u64();
    c.seen.lock().unwrap().expiration_seconds = seconds;
    (
        StatusCode::CREATED,
        Json(json!({
            "kind": "TokenRequest",
            "apiVersion": "authentication.k8s.io/v1",
            "metadata": {"name": sa, "namespace": ns},
            "spec": {"audiences": ["https://kubernetes.default.svc"], "expirationSeconds": seconds},
            "status": {"token": ISSUED_TOKEN, "expirationTimestamp": "2030-01-01T00:00:00Z"}
        })),
    )
        .into_response()
}

/// Starts the fixture on a free local port; it is ready once bound. Returns its base URL.
async fn start(cluster: Cluster) -> (String, Arc<Cluster>) {
    let cluster = Arc::new(cluster);
    let routes = Router::new()
        .route("/version", get(version))
        .route("/api/v1/namespaces/{ns}", get(namespace))
        .route(
            "/api/v1/namespaces/{ns}/serviceaccounts/{sa}",
            get(service_account),
        )
        .route(
            "/api/v1/namespaces/{ns}/serviceaccounts/{sa}/token",
            post(token_request),
        )
        .with_state(cluster.clone());
    let app = Router::new().merge(routes.clone()).nest(PREFIX, routes);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), cluster)
}

/// A local port nobody listens on (bound, then released).
async fn free_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

/// A config for the API server at `endpoint` and the namespace `secrets`, plus `pairs`.
fn secrets_config(endpoint: impl Into<Value>, pairs: &[(&str, Value)]) -> Config {
    let mut cfg = config(&[
        ("endpoint", endpoint.into()),
        ("namespace", json!("secrets")),
    ]);
    cfg.extend(config(pairs));
    cfg
}

/// A config for the service account `account` in `secrets`, authenticated with `token`.
fn account_config(endpoint: impl Into<Value>, account: &str, token: &str) -> Config {
    let pairs = [("service-account", json!(account)), ("token", json!(token))];
    secrets_config(endpoint, &pairs)
}

/// The config pairs of basic authentication as `admin` with `password`.
fn basic_auth(password: &str) -> [(&'static str, Value); 2] {
    [("username", json!("admin")), ("password", json!(password))]
}

fn config(pairs: &[(&str, Value)]) -> Config {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

fn base64(input: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in input.as_bytes().chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Asserts that `check` failed after `steps`, the last one saying `detail`.
#[track_caller]
fn assert_failed_at(check: &BackendCheck, steps: &[(&str, bool)], detail: &str) {
    assert!(!check.ok, "{check:?}");
    assert_eq!(names(check), steps);
    assert_eq!(check.steps.last().unwrap().detail, detail, "{check:?}");
}

fn names(check: &BackendCheck) -> Vec<(&str, bool)> {
    check
        .steps
        .iter()
        .map(|s| (s.name.as_str(), s.ok))
        .collect()
}

#[test]
fn base64_matches_rfc4648() {
    assert_eq!(base64(""), "");
    assert_eq!(base64("f"), "Zg==");
    assert_eq!(base64("fo"), "Zm8=");
    assert_eq!(base64("foo"), "Zm9v");
    assert_eq!(base64("foobar"), "Zm9vYmFy");
}

#[tokio::test]
async fn passes_without_service_account() {
    let (endpoint, cluster) = start(Cluster::default()).await;
    let cfg = secrets_config(endpoint, &[("token", json!(GOOD_TOKEN))]);
    let check = run_check(&cfg).await;
    assert!(check.ok, "{check:?}");
    assert_eq!(names(&check), [("reachable", true), ("namespace", true)]);
    assert_eq!(check.steps[0].detail, "API server v1.31.0 answered");
    assert_eq!(check.steps[1].detail, "namespace \"secrets\" exists");
    let seen = cluster.seen();
    assert!(seen.bearer_checked, "{seen:?}");
    assert_eq!(seen.rejected, 0);
    assert_eq!(seen.paths, ["/version", "/api/v1/namespaces/secrets"]);
    assert_eq!(ping(&cfg).await, Ok(()));
}

#[tokio::test]
async fn passes_with_service_account() {
    let (endpoint, cluster) = start(Cluster::default()).await;
    let cfg = secrets_config(
        endpoint,
        &[
            ("service-account", json!("juju-secrets")),
            ("token", json!(GOOD_TOKEN)),
            ("skip-tls-verify", json!(false)),
            ("prefer-incluster-address", json!(true)),
        ],
    );
    let check = run_check(&cfg).await;
    assert!(check.ok, "{check:?}");
    assert_eq!(
        names(&check),
        [
            ("reachable", true),
            ("namespace", true),
            ("service-account", true)
        ]
    );
    assert_eq!(
        check.steps[2].detail,
        "service account \"juju-secrets\" exists"
    );
    let seen = cluster.seen();
    assert!(seen.bearer_checked, "{seen:?}");
    assert_eq!(seen.rejected, 0);
    assert_eq!(
        seen.paths.last().map(String::as_str),
        Some("/api/v1/namespaces/secrets/serviceaccounts/juju-secrets")
    );
}

#[tokio::test]
async fn endpoint_path_prefix_is_kept() {
    let (endpoint, cluster) = start(Cluster::default()).await;
    let cfg = account_config(format!("{endpoint}{PREFIX}/"), "juju-secrets", GOOD_TOKEN);
    let check = run_check(&cfg).await;
    assert!(check.ok, "{check:?}");
    assert_eq!(check.steps.len(), 3);
    assert!(cluster.seen().bearer_checked);
}

#[tokio::test]
async fn unreachable_endpoint_fails_first_step() {
    let port = free_port().await;
    let cfg = account_config(format!("http://127.0.0.1:{port}"), "juju-secrets", CANARY);
    let check = run_check(&cfg).await;
    assert!(!check.ok);
    assert_eq!(names(&check), [("reachable", false)]);
    let detail = &check.steps[0].detail;
    assert!(detail.starts_with("backend not reachable: "), "{detail}");
    assert!(!detail.contains(CANARY), "{detail}");
    assert_eq!(ping(&cfg).await, Err(detail.clone()));
}

#[tokio::test]
async fn missing_namespace_fails_at_namespace() {
    let (endpoint, _cluster) = start(Cluster::default()).await;
    let mut cfg = account_config(endpoint, "juju-secrets", GOOD_TOKEN);
    cfg.insert("namespace".to_owned(), json!("x"));
    assert_failed_at(
        &run_check(&cfg).await,
        &[("reachable", true), ("namespace", false)],
        "backend not reachable: checking secrets namespace: namespaces \"x\" not found",
    );
}

#[tokio::test]
async fn missing_service_account_fails_at_service_account() {
    let (endpoint, _cluster) = start(Cluster::default()).await;
    let cfg = account_config(endpoint, "nobody", GOOD_TOKEN);
    assert_failed_at(
        &run_check(&cfg).await,
        &[
            ("reachable", true),
            ("namespace", true),
            ("service-account", false),
        ],
        "backend not reachable: checking secrets service account: serviceaccounts \"nobody\" not found",
    );
}

#[tokio::test]
async fn wrong_token_fails_without_showing_it() {
    let (endpoint, cluster) = start(Cluster::default()).await;
    let cfg = account_config(endpoint, "juju-secrets", CANARY);
    let check = run_check(&cfg).await;
    assert_failed_at(
        &check,
        &[("reachable", false)],
        "backend not reachable: Unauthorized",
    );
    let everything = serde_json::to_string(&check).unwrap();
    assert!(!everything.contains(CANARY), "{everything}");
    let seen = cluster.seen();
    assert_eq!(seen.rejected, 1);
    assert!(!seen.bearer_checked);

    let refused = request_token(&cfg, Duration::from_secs(3600))
        .await
        .unwrap_err();
    assert_eq!(
        refused,
        "cannot request a service account token: Unauthorized"
    );
}

#[tokio::test]
async fn credentials_echoed_by_the_server_are_redacted() {
    let (endpoint, _cluster) = start(Cluster {
        echo_credentials: true,
        ..Cluster::default()
    })
    .await;
    let with_token = account_config(endpoint.clone(), "juju-secrets", CANARY);
    let check = run_check(&with_token).await;
    assert!(!check.ok);
    let detail = &check.steps[0].detail;
    assert!(
        detail.starts_with("backend not reachable: Unauthorized"),
        "{detail}"
    );
    assert!(!detail.contains(CANARY), "{detail}");
    let refused = request_token(&with_token, Duration::from_secs(600))
        .await
        .unwrap_err();
    assert!(!refused.contains(CANARY), "{refused}");

    // The basic header carries the password encoded; a plain echo of it is redacted too.
    let with_password = secrets_config(endpoint, &basic_auth(CANARY));
    let check = run_check(&with_password).await;
    assert!(!check.ok);
    assert!(!check.steps[0].detail.contains(CANARY));
}

#[tokio::test]
async fn basic_auth_is_sent_without_a_token() {
    let (endpoint, cluster) = start(Cluster::with_basic_auth()).await;
    let mut cfg = secrets_config(endpoint.clone(), &basic_auth(BASIC_PASSWORD));
    cfg.insert("service-account".to_owned(), json!("juju-secrets"));
    let check = run_check(&cfg).await;
    assert!(check.ok, "{check:?}");
    assert_eq!(check.steps.len(), 3);
    let seen = cluster.seen();
    assert!(seen.basic_checked, "{seen:?}");
    assert!(!seen.bearer_checked);
    assert_eq!(seen.rejected, 0);

    // A wrong password is refused, and not shown.
    let wrong = secrets_config(endpoint, &basic_auth(CANARY));
    let check = run_check(&wrong).await;
    assert!(!check.ok);
    assert_eq!(check.steps[0].detail, "backend not reachable: Unauthorized");
}

#[tokio::test]
async fn token_wins_over_basic_auth() {
    let (endpoint, cluster) = start(Cluster::with_basic_auth()).await;
    let mut cfg = secrets_config(endpoint, &basic_auth(BASIC_PASSWORD));
    cfg.insert("token".to_owned(), json!(GOOD_TOKEN));
    let check = run_check(&cfg).await;
    assert!(check.ok, "{check:?}");
    let seen = cluster.seen();
    assert!(seen.bearer_checked);
    assert!(!seen.basic_checked);
}

#[tokio::test]
async fn unreadable_ca_certs_fail_first_step() {
    let (endpoint, cluster) = start(Cluster::default()).await;
    let cfg = secrets_config(
        endpoint,
        &[
            ("token", json!(GOOD_TOKEN)),
            ("ca-certs", json!(["not a certificate"])),
        ],
    );
    assert_failed_at(
        &run_check(&cfg).await,
        &[("reachable", false)],
        "backend not reachable: ca-certs[0]: no PEM certificate found",
    );
    assert!(cluster.seen().paths.is_empty());
}

#[tokio::test]
async fn request_token_returns_the_issued_token() {
    let (endpoint, cluster) = start(Cluster::default()).await;
    let cfg = account_config(endpoint, "juju-secrets", GOOD_TOKEN);
    let lifetime = Duration::from_secs(2 * 3600);
    let token = request_token(&cfg, lifetime).await;
    assert_eq!(token.as_deref(), Ok(ISSUED_TOKEN));
    let seen = cluster.seen();
    assert!(seen.bearer_checked);
    assert_eq!(seen.expiration_seconds, Some(lifetime.as_secs()));
    assert_eq!(
        seen.paths,
        ["/api/v1/namespaces/secrets/serviceaccounts/juju-secrets/token"]
    );
}

#[tokio::test]
async fn request_token_for_a_missing_service_account_fails() {
    let (endpoint, _cluster) = start(Cluster::default()).await;
    let cfg = account_config(endpoint, "nobody", GOOD_TOKEN);
    assert_eq!(
        request_token(&cfg, Duration::from_secs(3600)).await,
        Err(
            "cannot request a service account token: serviceaccounts \"nobody\" not found"
                .to_owned()
        )
    );
}

#[tokio::test]
async fn request_token_needs_a_service_account() {
    let (endpoint, cluster) = start(Cluster::default()).await;
    let cfg = secrets_config(endpoint, &[("token", json!(GOOD_TOKEN))]);
    assert_eq!(
        request_token(&cfg, Duration::from_secs(3600)).await,
        Err("k8s config missing service account not valid".to_owned())
    );
    assert!(cluster.seen().paths.is_empty());
}

/// The kubernetes driver's connection test.
async fn run_check(cfg: &Config) -> BackendCheck {
    drivers::check(BackendType::Kubernetes, cfg).await
}

/// The ping, its error as the sentence the API shows.
async fn ping(cfg: &Config) -> Result<(), String> {
    drivers::ping(BackendType::Kubernetes, cfg)
        .await
        .map_err(|e| e.to_string())
}

/// The kubernetes driver's token rotation, its error as the sentence the API shows.
async fn request_token(cfg: &Config, lifetime: Duration) -> Result<String, String> {
    drivers::driver(BackendType::Kubernetes)
        .rotate_token(cfg, lifetime)
        .await
        .map_err(|e| e.to_string())
}
