//! Tests only: a local peer that answers as a Juju controller's API server does, and holds its
//! callers to Juju's published shapes.
//!
//! No Juju controller runs on the test machines, so the bridge to one is tested against this
//! peer: `peer/peer.py`, a WebSocket server speaking Juju's RPC framing over TLS, which parses
//! every request with python-libjuju 3.6's generated classes (`peer/shapes.py`) and answers as
//! Juju 3.6 does (or 4.0, `PeerOptions::juju_major = 4`); `peer/peer.py`'s header names the
//! Juju source each behaviour comes from. A request Juju would not accept (a misspelt or
//! unknown field, a wrong JSON type, a missing required field) is answered with error-code
//! `peer-violation` and recorded: dropping a [`JujuPeer`] that recorded one panics, listing
//! them, so no test passes while the caller sends what Juju would refuse or misread.
//!
//! [`JujuPeer::start`] runs the peer with the python of a virtualenv holding python-libjuju
//! (`JUJU_PEER_PYTHON`, which `cargo xtask test` sets to `.tools/libjuju/bin/python`), on
//! 127.0.0.1 with free ports, behind a certificate signed by a CA made for it that names only
//! `juju-apiserver`, as a Juju controller's does: connect to [`JujuPeer::address`] and verify
//! the chain against [`JujuPeer::ca_cert_pem`] and the name `juju-apiserver`
//! (`tests/peer.rs`'s `connect` shows how with tokio-tungstenite and rustls).
//!
//! The test knobs (users, models, backend state, delays, dropped or refused connections, the
//! record of requests) go through the peer's control port: plain HTTP on 127.0.0.1, a `POST`
//! with a JSON body per method below, answered with JSON (400 and `{"error"}` for a bad one):
//! `/users`, `/models`, `/backends`, `/backends/list`, `/backends/secrets`, `/backends/status`,
//! `/models/secret-backend`, `/delay`, `/drop`, `/refuse`, `/requests`, `/connections`.
//! Violations go to a file in the peer's temporary directory, one line each.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// How the peer presents itself.
#[derive(Clone, Debug)]
pub struct PeerOptions {
    /// 3 (Juju 3.6: ModelConfig v3 with the `secret-backend` key) or 4 (Juju 4.0: ModelConfig
    /// v4 with `GetModelSecretBackend`/`SetModelSecretBackend`).
    pub juju_major: u8,
    /// The only name the server certificate carries.
    pub certificate_name: String,
}

impl Default for PeerOptions {
    fn default() -> Self {
        PeerOptions {
            juju_major: 3,
            certificate_name: "juju-apiserver".into(),
        }
    }
}

/// A running peer; dropping it stops the process (and panics if it recorded violations).
pub struct JujuPeer {
    process: Child,
    address: String,
    control: String,
    http: reqwest::Client,
    ca_cert: PathBuf,
    violations: PathBuf,
    _dir: tempfile::TempDir,
}

const INSTALL_HINT: &str = "the Juju peer needs python-libjuju 3.6: `cargo xtask test` installs it into \
     .tools/libjuju and sets JUJU_PEER_PYTHON; by hand: `python3 -m venv .tools/libjuju && \
     .tools/libjuju/bin/pip install juju==3.6.1.3 websockets==17.4`, then run the test with \
     JUJU_PEER_PYTHON=$PWD/.tools/libjuju/bin/python";

impl JujuPeer {
    /// Starts a peer with no users, no models and no backends but the built-in ones.
    pub async fn start(options: PeerOptions) -> JujuPeer {
        let python = std::env::var_os("JUJU_PEER_PYTHON")
            .map(PathBuf::from)
            .unwrap_or_else(|| panic!("JUJU_PEER_PYTHON is not set: {INSTALL_HINT}"));
        assert!(
            python.exists(),
            "JUJU_PEER_PYTHON={} does not exist: {INSTALL_HINT}",
            python.display()
        );
        let dir = tempfile::tempdir().expect("a temporary directory for the Juju peer");
        let (ca_cert, cert, key) = write_certificates(dir.path(), &options.certificate_name);
        let violations = dir.path().join("violations.txt");
        std::fs::write(&violations, "").expect("the peer's violations file");

        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("peer/peer.py");
        let mut process = Command::new(&python)
            .arg(script)
            .arg("--cert")
            .arg(&cert)
            .arg("--key")
            .arg(&key)
            .arg("--violations")
            .arg(&violations)
            .arg("--juju-major")
            .arg(options.juju_major.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            // Keeps the source tree free of __pycache__.
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}; {INSTALL_HINT}", python.display()));
        let stdout = process.stdout.take().expect("the peer's stdout");
        let mut first_line = String::new();
        let mut stdout = BufReader::new(stdout);
        tokio::time::timeout(Duration::from_secs(60), stdout.read_line(&mut first_line))
            .await
            .expect("the Juju peer did not start within 60 s")
            .expect("the Juju peer's stdout");
        let port = |name: &str| -> u16 {
            first_line
                .split_whitespace()
                .find_map(|word| word.strip_prefix(name))
                .and_then(|port| port.parse().ok())
                .unwrap_or_else(|| {
                    panic!("the Juju peer did not start (its error is above; {INSTALL_HINT})")
                })
        };
        JujuPeer {
            address: format!("127.0.0.1:{}", port("rpc=")),
            control: format!("http://127.0.0.1:{}", port("control=")),
            process,
            http: reqwest::Client::new(),
            ca_cert,
            violations,
            _dir: dir,
        }
    }

    /// `127.0.0.1:PORT`: the controller connection is `wss://ADDRESS/api`, a model's
    /// `wss://ADDRESS/model/UUID/api`.
    pub fn address(&self) -> String {
        self.address.clone()
    }

    /// The PEM file of the CA that signed the peer's certificate.
    pub fn ca_cert_path(&self) -> &Path {
        &self.ca_cert
    }

    pub fn ca_cert_pem(&self) -> String {
        std::fs::read_to_string(&self.ca_cert).expect("the peer's CA certificate")
    }

    /// A Juju user; `controller_access` is `superuser` or `login`.
    pub async fn add_user(&self, name: &str, password: &str, controller_access: &str) {
        let body = json!({"name": name, "password": password, "access": controller_access});
        self.knob("/users", body).await;
    }

    /// A model (`iaas` or `caas`) owned by `owner` (its admin); returns its UUID.
    pub async fn add_model(&self, name: &str, model_type: &str, owner: &str) -> String {
        let body = json!({"name": name, "type": model_type, "owner": owner});
        let answer = self.knob("/models", body).await;
        answer["uuid"]
            .as_str()
            .expect("the model's UUID")
            .to_owned()
    }

    /// How many secrets a backend holds (`internal` and `<model>-local` too: the latter is
    /// listed only while it holds some, as Juju does).
    pub async fn set_backend_secrets(&self, backend: &str, count: u64) {
        let body = json!({"backend": backend, "count": count});
        self.knob("/backends/secrets", body).await;
    }

    /// The status Juju reports for a backend, as its ping would find it: `error` with a
    /// message makes listings report it and unforced updates fail with that message.
    pub async fn set_backend_status(&self, backend: &str, status: &str, message: &str) {
        let body = json!({"backend": backend, "status": status, "message": message});
        self.knob("/backends/status", body).await;
    }

    /// A backend put straight into the peer's store (no RPC, no validation).
    pub async fn add_backend(&self, name: &str, backend_type: &str, config: Value) {
        let body = json!({"name": name, "type": backend_type, "config": config});
        self.knob("/backends", body).await;
    }

    /// What the peer holds, as `ListSecretBackends` with `reveal` lists it: a JSON array of
    /// `SecretBackendResult`s.
    pub async fn backends(&self) -> Value {
        self.knob("/backends/list", json!({})).await
    }

    /// A model's secret backend setting (`auto` unless set).
    pub async fn model_secret_backend(&self, uuid: &str) -> String {
        let answer = self
            .knob("/models/secret-backend", json!({"uuid": uuid}))
            .await;
        answer["backend"].as_str().expect("the backend").to_owned()
    }

    /// A delay before every answer from now on.
    pub async fn set_delay(&self, delay: Duration) {
        let body = json!({"millis": delay.as_millis() as u64});
        self.knob("/delay", body).await;
    }

    /// Closes every open RPC connection from the server's side.
    pub async fn drop_connections(&self) {
        self.knob("/drop", json!({})).await;
    }

    /// While `refuse`, new RPC connections are refused at the WebSocket handshake (HTTP 503).
    pub async fn refuse_connections(&self, refuse: bool) {
        self.knob("/refuse", json!({"refuse": refuse})).await;
    }

    /// Every RPC request received, in order: the request's own JSON with the login password
    /// and sensitive backend config values replaced by "…", plus `path`, the connection's
    /// URL path (`/api` or `/model/UUID/api`).
    pub async fn requests(&self) -> Vec<Value> {
        match self.knob("/requests", json!({})).await {
            Value::Array(requests) => requests,
            other => panic!("the peer's requests: {other}"),
        }
    }

    /// How many RPC connections are open now.
    pub async fn open_connections(&self) -> usize {
        let answer = self.knob("/connections", json!({})).await;
        answer["open"].as_u64().expect("a count") as usize
    }

    /// The requests that broke Juju's shapes so far, one line each.
    pub fn violations(&self) -> Vec<String> {
        std::fs::read_to_string(&self.violations)
            .expect("the peer's violations file")
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// The violations so far, forgotten: for a test that sends a bad shape on purpose.
    pub fn take_violations(&self) -> Vec<String> {
        let taken = self.violations();
        std::fs::write(&self.violations, "").expect("the peer's violations file");
        taken
    }

    async fn knob(&self, path: &str, body: Value) -> Value {
        let answer = self
            .http
            .post(format!("{}{path}", self.control))
            .json(&body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("the Juju peer's control port ({path}): {e}"));
        let ok = answer.status().is_success();
        let value: Value = answer.json().await.expect("the peer's JSON answer");
        assert!(ok, "the Juju peer refused {path} {body}: {value}");
        value
    }
}

impl Drop for JujuPeer {
    fn drop(&mut self) {
        let _ = self.process.start_kill();
        let violations = self.violations();
        if !violations.is_empty() && !std::thread::panicking() {
            panic!(
                "the Juju peer received requests Juju would not accept:\n{}",
                violations.join("\n")
            );
        }
    }
}

/// A CA and a server certificate signed by it naming only `name` (no IP address), as a Juju
/// controller's: returns the paths of the CA's PEM, the server's and its key.
fn write_certificates(dir: &Path, name: &str) -> (PathBuf, PathBuf, PathBuf) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};

    let ca_key = KeyPair::generate().expect("a CA key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "juju-generated CA for the Juju peer");
    let ca_cert = ca_params.self_signed(&ca_key).expect("the CA certificate");
    let issuer = Issuer::new(ca_params, ca_key);

    let server_key = KeyPair::generate().expect("a server key");
    let mut server_params = CertificateParams::new(vec![name.to_owned()]).expect("parameters");
    server_params
        .distinguished_name
        .push(DnType::CommonName, "*");
    let server_cert = server_params
        .signed_by(&server_key, &issuer)
        .expect("the server certificate");

    let paths = (
        dir.join("ca.pem"),
        dir.join("server.pem"),
        dir.join("server-key.pem"),
    );
    std::fs::write(&paths.0, ca_cert.pem()).expect("ca.pem");
    std::fs::write(&paths.1, server_cert.pem()).expect("server.pem");
    std::fs::write(&paths.2, server_key.serialize_pem()).expect("server-key.pem");
    paths
}
