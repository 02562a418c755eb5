//! HTTPS, the security headers and login throttling, through the service's real start-up
//! (`serve` with its flags): a certificate made for the test, a client that trusts only it, and
//! the refusals of bad flags and files.

mod support;

use clap::Parser;
use secret_backends_controller::{Config, serve};
use support::started::{certificate, tls_flags};
use support::{STARTED_ADMIN_PASSWORD, Started, free_port};

const CANARY: &str = "CANARY-TLS-KEY-7f3a";

#[tokio::test]
async fn with_a_certificate_the_service_speaks_https_only_and_asks_browsers_to_stay_on_it() {
    let dir = tempfile::tempdir().unwrap();
    let (service, client) = Started::start_https(dir.path()).await;
    let port = service.port;
    let response = client
        .get(format!("https://localhost:{port}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=63072000"
    );
    let page = client
        .get(format!("https://localhost:{port}/backends"))
        .send()
        .await
        .unwrap();
    let policy = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        policy.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"),
        "{policy}"
    );
    assert!(policy.ends_with("frame-ancestors 'none'"), "{policy}");
    assert_eq!(page.headers()["cross-origin-opener-policy"], "same-origin");

    // The same port refuses to speak plain HTTP.
    let plain = reqwest::Client::new()
        .get(format!("{}/healthz", service.http()))
        .send()
        .await;
    assert!(
        plain.is_err() || plain.as_ref().unwrap().status() != 200,
        "plain HTTP was answered on the HTTPS port"
    );
}

#[tokio::test]
async fn plain_http_sends_no_hsts_and_frame_ancestors_is_the_operators_choice() {
    let dir = tempfile::tempdir().unwrap();
    let service = Started::start(
        dir.path(),
        &["--frame-ancestors=https://dashboard.example.com"],
    )
    .await;
    let response = reqwest::get(format!("{}/", service.http())).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response
            .headers()
            .get("strict-transport-security")
            .is_none()
    );
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(
        policy.ends_with("frame-ancestors https://dashboard.example.com"),
        "{policy}"
    );
}

#[test]
fn a_frame_ancestors_that_could_rewrite_the_policy_is_refused_at_start() {
    let error = Config::try_parse_from([
        "secret-backends-controller",
        "--frame-ancestors=https://a.example; script-src *",
    ])
    .expect_err("the flag was accepted");
    assert!(error.to_string().contains("frame-ancestors"), "{error}");
}

#[tokio::test]
async fn bad_certificate_files_stop_the_start_naming_the_file_and_never_quoting_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, _) = certificate(dir.path());
    let other = tempfile::tempdir().unwrap();
    let (_, other_key, _) = certificate(other.path());
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(
        &garbage,
        format!("-----BEGIN PRIVATE KEY-----\n{CANARY}{CANARY}\n-----END PRIVATE KEY-----\n"),
    )
    .unwrap();
    let missing = dir.path().join("missing.pem");
    let cases = [
        (&missing, &key, "missing.pem"),
        (&key, &key, "holds no certificate"),
        (&cert, &garbage, "garbage.pem"),
        (&cert, &other_key, "does not fit the certificate"),
    ];
    for (cert_file, key_file, expected) in cases {
        let flags = tls_flags(cert_file, key_file);
        let config = support::started::config(dir.path(), free_port(), &[&flags[0], &flags[1]]);
        let error = serve(config).await.expect_err("started with bad files");
        let message = error.to_string();
        assert!(message.contains(expected), "{message:?} lacks {expected:?}");
        assert!(!message.contains(CANARY), "the key leaked: {message}");
    }
    // Nothing was created by a start that failed on its certificate.
    assert!(!dir.path().join("data").exists());
}

#[test]
fn a_certificate_without_its_key_is_refused() {
    let error = Config::try_parse_from(["secret-backends-controller", "--tls-cert=/tmp/cert.pem"])
        .expect_err("--tls-cert alone was accepted");
    assert!(error.to_string().contains("--tls-key"), "{error}");
}

#[tokio::test]
async fn failed_logins_are_throttled_the_same_for_real_and_unknown_names() {
    let dir = tempfile::tempdir().unwrap();
    let service = Started::start(dir.path(), &[]).await;
    let client = reqwest::Client::new();
    let login = |user: &'static str, password: &'static str| {
        client
            .post(format!("{}/api/v1/auth/login", service.http()))
            .json(&serde_json::json!({"username": user, "password": password}))
            .send()
    };

    for user in ["admin", "nobody-by-this-name"] {
        for attempt in 1..=5 {
            let answer = login(user, "wrong-password").await.unwrap();
            assert_eq!(answer.status(), 401, "{user}: attempt {attempt}");
        }
        // Locked: even the right password is refused now, with how long to wait.
        let answer = login(user, STARTED_ADMIN_PASSWORD).await.unwrap();
        assert_eq!(answer.status(), 429, "{user}");
        let wait: u64 = answer.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=30).contains(&wait), "{user}: Retry-After {wait}");
        let problem: serde_json::Value = answer.json().await.unwrap();
        assert_eq!(problem["code"], "try-again", "{user}");
        assert_eq!(
            problem["detail"],
            format!("too many failed logins: try again in {wait} seconds")
        );
    }
    // Another name from the same address may still log in.
    let answer = login("admin2", "whatever").await.unwrap();
    assert_eq!(answer.status(), 401);
}
