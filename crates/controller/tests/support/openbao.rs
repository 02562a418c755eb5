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
    /// The CA of a server started with TLS ([`OpenBao::start_own_tls`]), PEM.
    pub ca: Option<String>,
    child: Option<Child>,
    unseal_key: Option<String>,
    /// Where a TLS server keeps the CA, certificate and key it made.
    tls_dir: Option<tempfile::TempDir>,
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
            ca: None,
            child: None,
            unseal_key: None,
            tls_dir: None,
        }
    }

    /// A server of this test's own, on a free port; stopped on drop.
    pub async fn start_own() -> OpenBao {
        Self::start(false).await
    }

    /// A server of this test's own serving HTTPS (`-dev-tls`: it makes its own CA and a
    /// certificate for localhost and 127.0.0.1), its CA in [`OpenBao::ca`]; stopped on drop.
    pub async fn start_own_tls() -> OpenBao {
        Self::start(true).await
    }

    async fn start(tls: bool) -> OpenBao {
        let bin = std::env::var("OPENBAO_BIN")
            .expect("OPENBAO_BIN is not set: run the service tests with `cargo xtask test`");
        let port = free_port();
        let token = format!("root-{port}");
        let log = tempfile::NamedTempFile::new().unwrap();
        let tls_dir = tls.then(|| tempfile::tempdir().unwrap());
        let mut command = Command::new(bin);
        command.args([
            "server",
            "-dev",
            &format!("-dev-root-token-id={token}"),
            &format!("-dev-listen-address=127.0.0.1:{port}"),
        ]);
        if let Some(dir) = &tls_dir {
            command.args([
                "-dev-tls".to_owned(),
                format!("-dev-tls-cert-dir={}", dir.path().display()),
            ]);
        }
        let child = command
            .stdin(Stdio::null())
            .stdout(log.reopen().unwrap())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start OpenBao");
        let scheme = if tls { "https" } else { "http" };
        let mut bao = OpenBao {
            addr: format!("{scheme}://127.0.0.1:{port}"),
            token,
            ca: None,
            child: Some(child),
            unseal_key: None,
            tls_dir,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(dir) = &bao.tls_dir {
                bao.ca = std::fs::read_to_string(dir.path().join("vault-ca.pem")).ok();
            }
            let up = match bao.client() {
                Some(client) => client
                    .get(format!("{}/v1/sys/health", bao.addr))
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success()),
                None => false,
            };
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

    /// A client for this server (trusting its CA when it serves TLS); none while a TLS server
    /// has not written its CA yet.
    fn client(&self) -> Option<reqwest::Client> {
        match (&self.tls_dir, &self.ca) {
            (None, _) => Some(reqwest::Client::new()),
            (Some(_), Some(ca)) => reqwest::Client::builder()
                .add_root_certificate(reqwest::Certificate::from_pem(ca.as_bytes()).ok()?)
                .build()
                .ok(),
            (Some(_), None) => None,
        }
    }

    /// A request to this server's API at `/v1/<path>`, authenticated with `token` (trusting the
    /// server's CA when it serves TLS).
    pub fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
    ) -> reqwest::RequestBuilder {
        self.client()
            .expect("the server is up")
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

    /// A vault backend config pointing at this server (trusting its CA, when it has one).
    pub fn config(&self) -> Value {
        match &self.ca {
            Some(ca) => json!({"endpoint": self.addr, "token": self.token, "ca-cert": ca}),
            None => json!({"endpoint": self.addr, "token": self.token}),
        }
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
