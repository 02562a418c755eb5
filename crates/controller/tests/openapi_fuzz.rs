//! Fuzzes the API from its own OpenAPI document with schemathesis (PyPI; `cargo xtask test`
//! installs it and sets `SCHEMATHESIS`), once as the superuser and once as a `login` user, against
//! the real service (SQLite store, the run's OpenBao for backends that point at it).
//!
//! What must hold: no answer is a 5xx, every answer matches the document (status, content type,
//! headers, body schema), and no request that violates the document is accepted. Business-rule
//! refusals of schema-valid requests are expected and allowed (a name that is taken, a backend
//! that cannot be reached, a `login` user asking for what only a superuser may do): that is the
//! `positive_data_acceptance` check, left out on purpose. `/auth/logout` is left out so the run
//! does not end its own session.

use std::process::Command;
use std::time::Duration;

use clap::Parser;
use secret_backends_controller::{Config, serve};
use serde_json::{Value, json};

const ADMIN_PASSWORD: &str = "fuzz-admin-password";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn login(client: &reqwest::Client, base: &str, user: &str, password: &str) -> String {
    let answer: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": user, "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["token"].as_str().expect("a token").to_owned()
}

/// Runs schemathesis as the holder of `token`; its report is printed when it finds anything.
fn schemathesis(base: &str, token: &str, who: &str) {
    let st = std::env::var("SCHEMATHESIS")
        .expect("SCHEMATHESIS is not set: run the service tests with `cargo xtask test`");
    let reports = tempfile::tempdir().unwrap();
    let output = Command::new(st)
        .current_dir(reports.path())
        .args([
            "run",
            &format!("{base}/api/v1/openapi.json"),
            "--header",
            &format!("Authorization: Bearer {token}"),
            "--exclude-path",
            "/auth/logout",
            "--checks",
            "all",
            "--exclude-checks",
            "positive_data_acceptance",
            "--max-examples",
            "25",
            "--seed",
            "20261130",
            "--workers",
            "2",
            "--no-color",
        ])
        .output()
        .expect("cannot run schemathesis");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "schemathesis as {who} found problems:\n{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        report.contains("Fuzzing") && report.contains("passed"),
        "schemathesis as {who} ran no test:\n{report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_keeps_its_openapi_document_under_fuzzing_as_superuser_and_as_login_user() {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>console</title>",
    )
    .unwrap();
    let port = free_port();
    let config = Config::try_parse_from([
        "secret-backends-controller".to_owned(),
        format!("--listen=127.0.0.1:{port}"),
        format!("--data-dir={}", dir.path().join("data").display()),
        format!("--dist={}", dist.display()),
        format!("--admin-password={ADMIN_PASSWORD}"),
    ])
    .unwrap();
    let server = tokio::spawn(serve(config));
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }

    let admin = login(&client, &base, "admin", ADMIN_PASSWORD).await;
    // Something real to find: a backend on the run's OpenBao, when there is one.
    if let (Ok(addr), Ok(token)) = (
        std::env::var("OPENBAO_ADDR"),
        std::env::var("OPENBAO_TOKEN"),
    ) {
        let added = client
            .post(format!("{base}/api/v1/secret-backends"))
            .bearer_auth(&admin)
            .json(&json!({"name": "fuzz-vault", "backend-type": "vault",
                "config": {"endpoint": addr, "token": token}}))
            .send()
            .await
            .unwrap();
        assert_eq!(added.status(), 201);
    }
    let created = client
        .post(format!("{base}/api/v1/users"))
        .bearer_auth(&admin)
        .json(&json!({"name": "reader", "password": "fuzz-reader-password", "access": "login"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let reader = login(&client, &base, "reader", "fuzz-reader-password").await;

    let (base_admin, base_reader) = (base.clone(), base.clone());
    tokio::task::spawn_blocking(move || schemathesis(&base_admin, &admin, "the superuser"))
        .await
        .unwrap();
    tokio::task::spawn_blocking(move || schemathesis(&base_reader, &reader, "a login user"))
        .await
        .unwrap();
    server.abort();
}
