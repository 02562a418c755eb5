//! The backends' TLS client against an OpenBao serving HTTPS (`bao server -dev -dev-tls`, which
//! makes its own CA and a certificate for localhost and 127.0.0.1): `ca-cert` is trusted, the
//! certificate is checked against `tls-server-name` when it is set, for the check (the ping) and
//! for token rotation alike.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use secret_backends_api::{BackendType, Config};
use secret_backends_controller::embedded::drivers::{self, DriverError};
use serde_json::{Value, json};

struct TlsOpenBao {
    addr: String,
    token: String,
    ca: String,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for TlsOpenBao {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_tls_openbao() -> TlsOpenBao {
    let bin = std::env::var("OPENBAO_BIN")
        .expect("OPENBAO_BIN is not set: run the service tests with `cargo xtask test`");
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let token = format!("root-tls-{port}");
    let child = Command::new(bin)
        .args([
            "server",
            "-dev",
            "-dev-tls",
            &format!("-dev-tls-cert-dir={}", dir.path().display()),
            &format!("-dev-root-token-id={token}"),
            &format!("-dev-listen-address=127.0.0.1:{port}"),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("cannot start OpenBao");
    let ca_path = dir.path().join("vault-ca.pem");
    // Owned from here on, so a failed start still stops the server.
    let mut bao = TlsOpenBao {
        addr: format!("https://127.0.0.1:{port}"),
        token,
        ca: String::new(),
        child,
        _dir: dir,
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(ca) = up(&ca_path, port).await {
            bao.ca = ca;
            return bao;
        }
        assert!(Instant::now() < deadline, "OpenBao with TLS did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The CA, once the server answers its health check over HTTPS with it.
async fn up(ca_path: &Path, port: u16) -> Option<String> {
    let ca = std::fs::read_to_string(ca_path).ok()?;
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ca.as_bytes()).ok()?)
        .build()
        .ok()?;
    let health = client
        .get(format!("https://127.0.0.1:{port}/v1/sys/health"))
        .send()
        .await
        .ok()?;
    health.status().is_success().then_some(ca)
}

fn config(bao: &TlsOpenBao, extra: Value) -> Config {
    let mut config = json!({"endpoint": bao.addr, "token": bao.token, "ca-cert": bao.ca});
    config
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    serde_json::from_value(config).unwrap()
}

#[tokio::test]
async fn the_certificate_is_checked_against_tls_server_name_with_the_configured_ca() {
    let bao = start_tls_openbao().await;

    // The CA, and the address the certificate was made for: passes.
    drivers::ping(BackendType::Vault, &config(&bao, json!({})))
        .await
        .expect("ca-cert and the certificate's own address");
    // The name the certificate was made for, though the endpoint is an address: passes.
    drivers::ping(
        BackendType::Vault,
        &config(&bao, json!({"tls-server-name": "localhost"})),
    )
    .await
    .expect("tls-server-name localhost");

    // A name the certificate was not made for fails, saying so.
    let wrong = drivers::ping(
        BackendType::Vault,
        &config(&bao, json!({"tls-server-name": "vault.wrong.example"})),
    )
    .await
    .expect_err("a certificate for localhost passed as vault.wrong.example");
    let message = wrong.to_string();
    assert_eq!(wrong.step(), "reachable", "{message}");
    assert!(
        message.contains("not valid for name \"vault.wrong.example\""),
        "{message}"
    );
    assert!(!message.contains(&bao.token), "the token leaked: {message}");

    // Without the CA, the same server is not trusted.
    let mut untrusted = config(&bao, json!({"tls-server-name": "localhost"}));
    untrusted.remove("ca-cert");
    let message = drivers::ping(BackendType::Vault, &untrusted)
        .await
        .expect_err("a certificate from an unknown CA passed")
        .to_string();
    assert!(message.contains("UnknownIssuer"), "{message}");

    // skip-tls-verify trusts it, whatever the name, as the admin asked.
    let mut skipped = config(&bao, json!({"tls-server-name": "vault.wrong.example"}));
    skipped.remove("ca-cert");
    skipped.insert("skip-tls-verify".into(), json!(true));
    drivers::ping(BackendType::Vault, &skipped)
        .await
        .expect("skip-tls-verify");
}

#[tokio::test]
async fn token_rotation_uses_the_same_checks() {
    let bao = start_tls_openbao().await;
    let lifetime = Duration::from_secs(3600);
    let vault = drivers::driver(BackendType::Vault);

    let token = vault
        .rotate_token(
            &config(&bao, json!({"tls-server-name": "localhost"})),
            lifetime,
        )
        .await
        .expect("rotation with the right name");
    assert!(!token.is_empty() && token != bao.token);

    let wrong = vault
        .rotate_token(
            &config(&bao, json!({"tls-server-name": "vault.wrong.example"})),
            lifetime,
        )
        .await
        .expect_err("rotation with a wrong name");
    assert!(
        matches!(&wrong, DriverError::Failed { .. })
            && wrong.to_string().contains("vault.wrong.example"),
        "{wrong}"
    );
}
