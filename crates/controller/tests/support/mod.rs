//! Test support: the service in-process over a fresh store, and real OpenBao servers.
//!
//! `cargo xtask test` starts one OpenBao dev server for the whole run and exports `OPENBAO_ADDR`,
//! `OPENBAO_TOKEN` and `OPENBAO_BIN`. Tests that change a server's state (sealing) start their own
//! from `OPENBAO_BIN`, on a port they pick, and stop it when dropped.

#![allow(dead_code)]

pub mod bridge;
pub mod log;
mod openbao;
pub mod started;

#[allow(unused_imports)] // Used by the test files that check the log.
pub use log::captured_log;
pub use openbao::OpenBao;
#[allow(unused_imports)] // Used by the test files that start the real service.
pub use started::{STARTED_ADMIN_PASSWORD, Started};

use std::net::TcpListener;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use secret_backends_api::Access;
use secret_backends_controller::embedded::auth;
use secret_backends_controller::embedded::store::{self, Store, UserRow};
use secret_backends_controller::embedded::{EmbeddedController, SessionLimits};
use secret_backends_controller::{Controller, http};
use serde_json::{Value, json};
use tower::ServiceExt;

pub const ADMIN_PASSWORD: &str = "admin-test-password";
pub const READER_PASSWORD: &str = "reader-test-password";

/// A recognisable secret: it must never come back in an answer or a log.
pub const CANARY: &str = "CANARY-7f3e-never-leak";

/// A real certificate, for config values that must parse.
pub const CERT: &str = secret_backends_api::fixtures::CERT;

/// The service in-process: its router, and calls of the API through it. Both the embedded
/// [`TestApp`] and the bridged one (`bridge::BridgeApp`) are one, by `Deref`.
pub struct Http {
    pub router: Router,
}

pub struct TestApp {
    pub http: Http,
    pub controller: Arc<EmbeddedController>,
    pub store: Store,
    pub dir: tempfile::TempDir,
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl TestApp {
    pub async fn new() -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        Self::open(dir).await
    }

    /// A fresh service and an admin's token: how most tests start.
    pub async fn with_admin() -> (TestApp, String) {
        let app = TestApp::new().await;
        let token = app.admin().await;
        (app, token)
    }

    /// A fresh service, an admin's token, and the vault backend `name` on `bao` added with
    /// `extra` (as [`TestApp::add_vault`] takes it), with the answer to the add.
    pub async fn with_vault(bao: &OpenBao, name: &str, extra: Value) -> (TestApp, String, Answer) {
        let (app, token) = TestApp::with_admin().await;
        let added = app.add_vault(&token, name, bao, extra).await;
        (app, token, added)
    }

    /// A fresh service whose sessions last as long as `limits` says.
    pub async fn with_session_limits(limits: SessionLimits) -> TestApp {
        Self::open_with(tempfile::tempdir().unwrap(), limits).await
    }

    /// Opens the service over the store in `dir` (a restart when the store already exists).
    pub async fn open(dir: tempfile::TempDir) -> TestApp {
        Self::open_with(dir, SessionLimits::default()).await
    }

    /// [`TestApp::open`], with sessions that last as long as `limits` says.
    pub async fn open_with(dir: tempfile::TempDir, limits: SessionLimits) -> TestApp {
        let store = Store::open(&dir.path().join("data")).unwrap();
        let (controller, generated) =
            EmbeddedController::open_with(store.clone(), Some(ADMIN_PASSWORD.into()), limits)
                .await
                .unwrap();
        assert!(generated.is_none());
        // A user with login access only, added straight to the store (no users API yet).
        let hash = auth::hash_password(READER_PASSWORD).unwrap();
        store
            .call(move |c| {
                if store::user_get(c, "reader")?.is_none() {
                    store::user_insert(
                        c,
                        &UserRow {
                            name: "reader".into(),
                            password_hash: hash,
                            access: Access::Login,
                        },
                        0,
                    )?;
                }
                Ok(())
            })
            .await
            .unwrap();
        let dist = console_dist(dir.path());
        let router = http::app(controller.clone() as Arc<dyn Controller>, &dist);
        TestApp {
            http: Http { router },
            controller,
            store,
            dir,
        }
    }
}

impl std::ops::Deref for TestApp {
    type Target = Http;

    fn deref(&self) -> &Http {
        &self.http
    }
}

impl Http {
    /// Serves the service on a real loopback socket; returns its base URL (`http://…`).
    pub async fn serve(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let router = self.router.clone();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        base
    }

    pub async fn send(&self, request: Request<Body>) -> Answer {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            body,
            text,
        }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        self.call_if_match(method, path, token, None, body).await
    }

    /// A request with an `If-Match` header when `if_match` is given.
    pub async fn call_if_match(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        if_match: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let mut builder = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            builder = builder.header("authorization", format!("Bearer {t}"));
        }
        if let Some(tag) = if_match {
            builder = builder.header("if-match", tag);
        }
        let request = match body {
            Some(b) => builder
                .header("content-type", "application/json")
                .body(Body::from(b.to_string()))
                .unwrap(),
            None => builder.body(Body::empty()).unwrap(),
        };
        self.send(request).await
    }

    /// `PATCH /secret-backends/{name}` with `If-Match: <tag>`.
    pub async fn patch_if_match(&self, token: &str, name: &str, tag: &str, body: Value) -> Answer {
        let path = format!("/api/v1/secret-backends/{name}");
        let (token, tag) = (Some(token), Some(tag));
        self.call_if_match(Method::PATCH, &path, token, tag, Some(body))
            .await
    }

    /// `DELETE /secret-backends/{name}` with `If-Match: <tag>`.
    pub async fn remove_if_match(&self, token: &str, name: &str, tag: &str) -> Answer {
        let path = format!("/api/v1/secret-backends/{name}");
        let (token, tag) = (Some(token), Some(tag));
        self.call_if_match(Method::DELETE, &path, token, tag, None)
            .await
    }

    /// A login attempt with `body`, answered as it is.
    pub async fn try_login(&self, body: Value) -> Answer {
        self.call(Method::POST, "/api/v1/auth/login", None, Some(body))
            .await
    }

    pub async fn login(&self, user: &str, password: &str) -> String {
        let a = self
            .try_login(json!({"username": user, "password": password}))
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        a.body["token"].as_str().unwrap().to_owned()
    }

    pub async fn admin(&self) -> String {
        self.login("admin", ADMIN_PASSWORD).await
    }

    pub async fn reader(&self) -> String {
        self.login("reader", READER_PASSWORD).await
    }

    /// Adds a vault backend pointing at `bao`; panics unless it was created.
    pub async fn add_vault(&self, token: &str, name: &str, bao: &OpenBao, extra: Value) -> Answer {
        let mut body = json!({"name": name, "backend-type": "vault", "config": bao.config()});
        for (k, v) in extra.as_object().cloned().unwrap_or_default() {
            body[k] = v;
        }
        let a = self.add_backend(token, body).await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
        a
    }

    /// `POST /secret-backends` with `body`, answered as it is.
    pub async fn add_backend(&self, token: &str, body: Value) -> Answer {
        self.post(token, "/api/v1/secret-backends", body).await
    }

    pub async fn check_backend(&self, token: &str, name: &str) -> Answer {
        let path = format!("/api/v1/secret-backends/{name}/check");
        self.post(token, &path, json!(null)).await
    }

    pub async fn rotate_token(&self, token: &str, name: &str) -> Answer {
        let path = format!("/api/v1/secret-backends/{name}/rotate-token");
        self.post(token, &path, json!(null)).await
    }

    /// `POST /models` for a model `name` of `model_type` (`iaas` or `caas`).
    pub async fn add_model(&self, token: &str, name: &str, model_type: &str) -> Answer {
        let body = json!({"name": name, "type": model_type});
        self.post(token, "/api/v1/models", body).await
    }

    /// `PUT /models/{model}/secret-backend` with `body`.
    pub async fn put_model_backend(&self, token: &str, model: &str, body: Value) -> Answer {
        let path = format!("/api/v1/models/{model}/secret-backend");
        self.put(token, &path, body).await
    }

    /// Sets `model`'s secret backend to `backend` (a name, `auto` or `internal`).
    pub async fn set_model_backend(&self, token: &str, model: &str, backend: &str) -> Answer {
        let body = json!({"secret-backend": backend});
        self.put_model_backend(token, model, body).await
    }

    /// Sets `model`'s secret backend to `backend` without pinging it.
    pub async fn force_model_backend(&self, token: &str, model: &str, backend: &str) -> Answer {
        let body = json!({"secret-backend": backend, "force": true});
        self.put_model_backend(token, model, body).await
    }

    /// `POST /models/{model}/secrets`: a secret labelled `label` with `content` (a JSON object).
    pub async fn add_secret(
        &self,
        token: &str,
        model: &str,
        label: &str,
        content: Value,
    ) -> Answer {
        let path = format!("/api/v1/models/{model}/secrets");
        let body = json!({"label": label, "content": content});
        self.post(token, &path, body).await
    }

    /// `POST /backend-checks`: a connection test of `body` (type and config), nothing stored.
    pub async fn test_backend(&self, token: &str, body: Value) -> Answer {
        self.post(token, "/api/v1/backend-checks", body).await
    }

    pub async fn add_user(&self, token: &str, body: Value) -> Answer {
        self.post(token, "/api/v1/users", body).await
    }

    pub async fn patch(&self, token: &str, name: &str, body: Value) -> Answer {
        self.call(
            Method::PATCH,
            &format!("/api/v1/secret-backends/{name}"),
            Some(token),
            Some(body),
        )
        .await
    }

    pub async fn get(&self, token: &str, path: &str) -> Answer {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn delete(&self, token: &str, path: &str) -> Answer {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    pub async fn put(&self, token: &str, path: &str, body: Value) -> Answer {
        self.call(Method::PUT, path, Some(token), Some(body)).await
    }

    pub async fn backend_names(&self, token: &str) -> Vec<String> {
        let a = self.get(token, "/api/v1/secret-backends").await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        strings(&a.body["backends"], "name")
            .into_iter()
            .map(str::to_owned)
            .collect()
    }
}

impl Answer {
    /// The `ETag` header.
    pub fn etag(&self) -> &str {
        self.headers["etag"].to_str().unwrap()
    }
}

/// The text under `key` of each entry of the JSON array `list`.
#[track_caller]
pub fn strings<'a>(list: &'a Value, key: &str) -> Vec<&'a str> {
    let entries = list.as_array().expect("a JSON array");
    entries.iter().map(|e| e[key].as_str().unwrap()).collect()
}

/// The entry of the JSON array `list` whose `key` is `value`; panics if there is none.
#[track_caller]
pub fn entry<'a>(list: &'a Value, key: &str, value: &str) -> &'a Value {
    let entries = list.as_array().expect("a JSON array");
    let found = entries.iter().find(|e| e[key] == value);
    found.unwrap_or_else(|| panic!("no entry with {key} {value:?} in {list}"))
}

/// `GET url` on a real socket.
pub async fn fetch(client: &reqwest::Client, url: String) -> reqwest::Response {
    client.get(url).send().await.unwrap()
}

/// Sends a request to a real socket and reads its JSON answer.
pub async fn json_answer(request: reqwest::RequestBuilder) -> Value {
    request.send().await.unwrap().json().await.unwrap()
}

/// Asserts a problem answer: status, code, and a detail containing `detail`.
#[track_caller]
pub fn assert_problem(a: &Answer, status: u16, code: &str, detail: &str) {
    refusal(status, code, detail).assert(a, "");
}

/// An expected refusal, as a case of a table of refused requests: status, code, a part of the
/// detail, and the field it names (`None`: no field).
#[derive(Debug, Clone, Copy)]
pub struct Refusal<'a> {
    pub status: u16,
    pub code: &'a str,
    pub detail: &'a str,
    pub field: Option<&'a str>,
}

pub const fn refusal<'a>(status: u16, code: &'a str, detail: &'a str) -> Refusal<'a> {
    Refusal {
        status,
        code,
        detail,
        field: None,
    }
}

/// `400 not-valid` with a detail containing `detail`.
pub const fn not_valid(detail: &str) -> Refusal<'_> {
    refusal(400, "not-valid", detail)
}

impl<'a> Refusal<'a> {
    /// The same refusal, naming `field`.
    pub const fn on(self, field: &'a str) -> Refusal<'a> {
        Refusal {
            field: Some(field),
            ..self
        }
    }

    /// Asserts that `a` is this refusal (status, code, detail; not the field); a failure names
    /// `case`.
    #[track_caller]
    pub fn assert(&self, a: &Answer, case: impl std::fmt::Display) {
        assert_eq!(a.status.as_u16(), self.status, "{case}: {}", a.text);
        let content_type = &a.headers["content-type"];
        assert_eq!(
            content_type, "application/problem+json",
            "{case}: {}",
            a.text
        );
        assert_eq!(a.body["code"], self.code, "{case}: {}", a.text);
        let got = a.body["detail"].as_str().unwrap_or_default();
        let detail = self.detail;
        assert!(
            got.contains(detail),
            "{case}: detail {got:?} should contain {detail:?}"
        );
    }
}

/// A one-line console in `dir/dist`, for the service to serve.
pub fn console_dist(dir: &std::path::Path) -> std::path::PathBuf {
    let dist = dir.join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>console</title>",
    )
    .unwrap();
    dist
}

/// A free loopback port.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits for `check` to hold, polling every 100 ms, for at most `limit`.
pub async fn eventually<F, Fut>(limit: std::time::Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + limit;
    while !check().await {
        assert!(
            std::time::Instant::now() < deadline,
            "{what} did not happen within {limit:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
