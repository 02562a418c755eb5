//! The backends' TLS client against an OpenBao serving HTTPS (`bao server -dev -dev-tls`, which
//! makes its own CA and a certificate for localhost and 127.0.0.1): `ca-cert` is trusted, the
//! certificate is checked against `tls-server-name` when it is set, for the check (the ping) and
//! for token rotation alike.

mod support;

use std::time::Duration;

use secret_backends_api::{BackendType, Config};
use secret_backends_controller::embedded::drivers::{self, DriverError};
use serde_json::{Value, json};
use support::OpenBao;

/// The server's config (with its CA) and the keys of `extra`, as the driver reads it.
fn config(bao: &OpenBao, extra: Value) -> Config {
    serde_json::from_value(bao.config_with(extra)).unwrap()
}

#[tokio::test]
async fn the_certificate_is_checked_against_tls_server_name_with_the_configured_ca() {
    let bao = OpenBao::start_own_tls().await;

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
    let bao = OpenBao::start_own_tls().await;
    let rotate = |name: &str| {
        let config = config(&bao, json!({ "tls-server-name": name }));
        async move {
            drivers::driver(BackendType::Vault)
                .rotate_token(&config, Duration::from_secs(3600))
                .await
        }
    };

    let token = rotate("localhost")
        .await
        .expect("rotation with the right name");
    assert!(!token.is_empty() && token != bao.token);
    let wrong = rotate("vault.wrong.example")
        .await
        .expect_err("rotation with a wrong name");
    assert!(
        matches!(&wrong, DriverError::Failed { .. })
            && wrong.to_string().contains("vault.wrong.example"),
        "{wrong}"
    );
}
