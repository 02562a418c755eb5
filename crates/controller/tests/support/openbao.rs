//! Real OpenBao servers for the tests: the run's shared dev server, or one of a test's own that it
//! may seal, with the few calls the tests make to them directly.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::free_port;

/// An OpenBao dev server.
pub struct OpenBao {
    pub addr: String,
    pub token: String,
    child: Option<Child>,
    unseal_key: Option<String>,
}

impl OpenBao {
    /// The run's shared server (started by `cargo xtask test`). Do not seal it.
    pub fn shared() -> OpenBao {
        let addr = std::env::var("OPENBAO_ADDR")
            .expect("OPENBAO_ADDR is not set: run the service tests with `cargo xtask test`");
        let token = std::env::var("OPENBAO_TOKEN").expect("OPENBAO_TOKEN is not set");
        OpenBao {
            addr,
            token,
            child: None,
            unseal_key: None,
        }
    }

    /// A server of this test's own, on a free port; stopped on drop.
    pub async fn start_own() -> OpenBao {
        let bin = std::env::var("OPENBAO_BIN")
            .expect("OPENBAO_BIN is not set: run the service tests with `cargo xtask test`");
        let port = free_port();
        let token = format!("root-{port}");
        let log = tempfile::NamedTempFile::new().unwrap();
        let child = Command::new(bin)
            .args([
                "server",
                "-dev",
                &format!("-dev-root-token-id={token}"),
                &format!("-dev-listen-address=127.0.0.1:{port}"),
            ])
            .stdin(Stdio::null())
            .stdout(log.reopen().unwrap())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start OpenBao");
        let mut bao = OpenBao {
            addr: format!("http://127.0.0.1:{port}"),
            token,
            child: Some(child),
            unseal_key: None,
        };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let up = client
                .get(format!("{}/v1/sys/health", bao.addr))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            let printed = std::fs::read_to_string(log.path()).unwrap_or_default();
            bao.unseal_key = printed
                .lines()
                .find_map(|l| l.trim().strip_prefix("Unseal Key: "))
                .map(str::to_owned);
            if up && bao.unseal_key.is_some() {
                return bao;
            }
            assert!(
                Instant::now() < deadline,
                "OpenBao did not start: {printed}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A request to this server's API at `/v1/<path>`, authenticated with `token`.
    pub fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
    ) -> reqwest::RequestBuilder {
        reqwest::Client::new()
            .request(method, format!("{}/v1/{path}", self.addr))
            .header("X-Vault-Token", token)
    }

    /// Sends `/v1/<path>` with the root token; panics unless it succeeds.
    async fn root_call(&self, method: reqwest::Method, path: &str) -> reqwest::Response {
        let r = self
            .request(method, path, &self.token)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r
    }

    pub async fn seal(&self) {
        self.root_call(reqwest::Method::PUT, "sys/seal").await;
    }

    pub async fn unseal(&self) {
        let r = reqwest::Client::new()
            .put(format!("{}/v1/sys/unseal", self.addr))
            .json(&json!({"key": self.unseal_key.as_deref().expect("own server")}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "unseal: {}", r.status());
    }

    /// Whether `token` works on this server.
    pub async fn token_works(&self, token: &str) -> bool {
        self.request(reqwest::Method::GET, "auth/token/lookup-self", token)
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
    }

    /// Reads a KV v1 entry with the root token.
    pub async fn kv_read(&self, path: &str) -> Option<Value> {
        let r = self
            .request(reqwest::Method::GET, path, &self.token)
            .send()
            .await
            .ok()?;
        if !r.status().is_success() {
            return None;
        }
        r.json::<Value>().await.ok().map(|v| v["data"].clone())
    }

    /// The paths of the server's secret engine mounts.
    pub async fn mounts(&self) -> Vec<String> {
        let r = self.root_call(reqwest::Method::GET, "sys/mounts").await;
        let body: Value = r.json().await.unwrap();
        let mut paths: Vec<String> = body["data"].as_object().unwrap().keys().cloned().collect();
        paths.sort();
        paths
    }

    /// A vault backend config pointing at this server.
    pub fn config(&self) -> Value {
        json!({"endpoint": self.addr, "token": self.token})
    }

    /// [`OpenBao::config`] with the keys of `extra` set (added or replaced).
    pub fn config_with(&self, extra: Value) -> Value {
        let mut config = self.config();
        for (key, value) in extra.as_object().expect("an object of config keys") {
            config[key] = value.clone();
        }
        config
    }
}

impl Drop for OpenBao {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
