//! HTTPS and the security headers, through the service's real start-up (`serve` with its flags):
//! a certificate made for the test, a client that trusts only it, and the refusals of bad files.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Parser;
use secret_backends_controller::{Config, serve};

const CANARY: &str = "CANARY-TLS-KEY-7f3a";

/// A self-signed certificate for `localhost` and 127.0.0.1, written to `dir` as PEM files.
fn certificate(dir: &Path) -> (PathBuf, PathBuf, String) {
    let rcgen::CertifiedKey { cert, signing_key } =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_path, cert.pem()).unwrap();
    std::fs::write(&key_path, signing_key.serialize_pem()).unwrap();
    (cert_path, key_path, cert.pem())
}

fn config(dir: &Path, port: u16, extra: &[&str]) -> Config {
    let dist = dir.join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><script type=\"module\">start()</script>",
    )
    .unwrap();
    let mut args = vec![
        "secret-backends-controller".to_owned(),
        format!("--listen=127.0.0.1:{port}"),
        format!("--data-dir={}", dir.join("data").display()),
        format!("--dist={}", dist.display()),
        "--admin-password=transport-test-password".to_owned(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    Config::try_parse_from(args).unwrap()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// GETs `url` until the service answers (it is starting in another task).
async fn get_when_up(client: &reqwest::Client, url: &str) -> reqwest::Response {
    for _ in 0..200 {
        if let Ok(response) = client.get(url).send().await {
            return response;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{url} never answered");
}

#[tokio::test]
async fn with_a_certificate_the_service_speaks_https_only_and_asks_browsers_to_stay_on_it() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, cert_pem) = certificate(dir.path());
    let port = free_port();
    let config = config(
        dir.path(),
        port,
        &[
            &format!("--tls-cert={}", cert.display()),
            &format!("--tls-key={}", key.display()),
        ],
    );
    let server = tokio::spawn(serve(config));

    let client = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(cert_pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    let response = get_when_up(&client, &format!("https://localhost:{port}/healthz")).await;
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
        .get(format!("http://127.0.0.1:{port}/healthz"))
        .send()
        .await;
    assert!(
        plain.is_err() || plain.as_ref().unwrap().status() != 200,
        "plain HTTP was answered on the HTTPS port"
    );
    server.abort();
}

#[tokio::test]
async fn plain_http_sends_no_hsts_and_frame_ancestors_is_the_operators_choice() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = config(
        dir.path(),
        port,
        &["--frame-ancestors=https://dashboard.example.com"],
    );
    let server = tokio::spawn(serve(config));
    let client = reqwest::Client::new();
    let response = get_when_up(&client, &format!("http://127.0.0.1:{port}/")).await;
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
    server.abort();
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
        let config = config(
            dir.path(),
            free_port(),
            &[
                &format!("--tls-cert={}", cert_file.display()),
                &format!("--tls-key={}", key_file.display()),
            ],
        );
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
    let port = free_port();
    let server = tokio::spawn(serve(config(dir.path(), port, &[])));
    let client = reqwest::Client::new();
    get_when_up(&client, &format!("http://127.0.0.1:{port}/healthz")).await;
    let login = |user: &'static str, password: &'static str| {
        client
            .post(format!("http://127.0.0.1:{port}/api/v1/auth/login"))
            .json(&serde_json::json!({"username": user, "password": password}))
            .send()
    };

    for user in ["admin", "nobody-by-this-name"] {
        for attempt in 1..=5 {
            let answer = login(user, "wrong-password").await.unwrap();
            assert_eq!(answer.status(), 401, "{user}: attempt {attempt}");
        }
        // Locked: even the right password is refused now, with how long to wait.
        let answer = login(user, "transport-test-password").await.unwrap();
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
    server.abort();
}
