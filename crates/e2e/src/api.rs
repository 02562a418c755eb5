//! The service's REST API from Rust, as any client calls it: for data a test sets up, or changes
//! behind the page's back, through the same door as the console.

use reqwest::Method;
use serde_json::{Value, json};

use crate::{ADMIN_PASSWORD, Session, openbao};

/// The service's REST API over HTTP, logged in as `admin`.
pub struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Session {
    /// The REST API of the service, logged in as `admin`.
    pub async fn api(&self) -> Api {
        let mut api = Api {
            http: reqwest::Client::new(),
            base: format!("{}/api/v1", self.base_url),
            token: String::new(),
        };
        let login = json!({"username": "admin", "password": ADMIN_PASSWORD});
        let answer = api.send(Method::POST, "/auth/login", login).await;
        api.token = answer["token"].as_str().expect("a login token").to_owned();
        api
    }
}

impl Api {
    /// Whether `token` opens a session on the service now (`/whoami` answers with it).
    pub async fn token_works(&self, token: &str) -> bool {
        let answer = self
            .http
            .get(format!("{}/whoami", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        answer.status().is_success()
    }

    /// The bearer token of the login.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Sends `body` (none when `Null`) to `/api/v1<path>`; panics unless the answer is a success.
    pub async fn send(&self, method: Method, path: &str, body: Value) -> Value {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.base));
        if !self.token.is_empty() {
            request = request.bearer_auth(&self.token);
        }
        if !body.is_null() {
            request = request.json(&body);
        }
        let answer = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = answer.status();
        let text = answer.text().await.unwrap_or_default();
        assert!(
            status.is_success(),
            "{method} {path} answered {status}: {text}"
        );
        if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{method} {path}: {e}: {text}"))
        }
    }

    pub async fn add_model(&self, name: &str, model_type: &str) {
        let model = json!({ "name": name, "type": model_type });
        self.send(Method::POST, "/models", model).await;
    }

    /// Adds a secret with one value to `model`; returns it as the service answers.
    pub async fn add_secret(&self, model: &str, label: &str) -> Value {
        let secret = json!({ "label": label, "content": { "value": format!("{label}-content") } });
        self.send(Method::POST, &format!("/models/{model}/secrets"), secret)
            .await
    }

    /// Adds a vault backend on the run's OpenBao (the service pings it first).
    pub async fn add_vault(&self, name: &str) {
        let (addr, token) = openbao();
        let config = json!({ "endpoint": addr, "token": token });
        let backend = json!({ "name": name, "backend-type": "vault", "config": config });
        self.send(Method::POST, "/secret-backends", backend).await;
    }
}
