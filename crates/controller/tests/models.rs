//! Models and their secrets: the backend setting rules, content stored for real (SQLite for the
//! controller's own backends, a KV v1 mount per model on OpenBao), draining, counts, the change
//! feed, the audit trail, background health, and durability across restarts and kill -9.

mod support;

use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use support::*;

fn backends_of(model: &Value) -> Value {
    model["secret-backends"].clone()
}

/// Runs the drain, then answers the backends of the model `m1`.
async fn m1_backends_after_drain(app: &TestApp, token: &str) -> Value {
    app.controller.drain_all().await.unwrap();
    m1_backends(app, token).await
}

/// The backends of the model `m1`, with their status and counts.
async fn m1_backends(app: &TestApp, token: &str) -> Value {
    backends_of(&app.get(token, "/api/v1/models/m1").await.body)
}

#[tokio::test]
async fn a_models_backend_setting_follows_the_rules() {
    let bao = OpenBao::shared();
    let (app, token) = TestApp::with_admin().await;
    let a = app.add_model(&token, "m1", "iaas").await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    assert_eq!(a.body["secret-backend"], "auto");
    assert_eq!(a.body["effective-backend"], "internal");
    assert_eq!(
        backends_of(&a.body),
        json!({"internal": {"status": "active", "secrets": 0}})
    );
    let c = app.add_model(&token, "c1", "caas").await;
    assert_eq!(c.body["effective-backend"], "c1-local");
    let dup = app.add_model(&token, "m1", "iaas").await;
    assert_problem(&dup, 409, "already-exists", "model \"m1\" already exists");
    let bad = app
        .post(
            &token,
            "/api/v1/models",
            json!({"name": "M 1", "type": "iaas"}),
        )
        .await;
    assert_problem(
        &bad,
        400,
        "not-valid",
        "\"M 1\" is not a valid name: model names may only contain lowercase letters, digits and hyphens",
    );
    let reader = app.reader().await;
    let denied = app.add_model(&reader, "m2", "iaas").await;
    assert_problem(&denied, 403, "permission-denied", "permission denied");
    let list = app.get(&reader, "/api/v1/models").await;
    assert_eq!(
        list.body["models"].as_array().unwrap().len(),
        2,
        "any user lists models"
    );

    let set = |backend: &'static str| app.set_model_backend(&token, "m1", backend);
    let a = set("nope").await;
    assert_problem(&a, 404, "not-found", "secret backend \"nope\" not found");
    assert_eq!(a.body["field"], "secret-backend");
    assert!(a.body["detail"].as_str().unwrap().contains("add it first"));
    let a = set("internal").await;
    assert_eq!(a.body["effective-backend"], "internal");
    app.add_vault(&token, "v", &bao, json!({})).await;
    let a = set("v").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["effective-backend"], "v");
    let shown = app.get(&token, "/api/v1/secret-backends/v").await;
    assert_eq!(
        shown.body["models"],
        json!(["m1"]),
        "the backend lists the models that use it"
    );
    let a = set("auto").await;
    assert_eq!(a.body["effective-backend"], "internal");

    // Write access on the model is needed.
    app.add_user(&token, json!({"name": "ro", "password": "ro-password", "access": "login", "models": {"m1": "read"}})).await;
    app.add_user(&token, json!({"name": "rw", "password": "rw-password", "access": "login", "models": {"m1": "write"}})).await;
    let ro = app.login("ro", "ro-password").await;
    let rw = app.login("rw", "rw-password").await;
    for t in [&reader, &ro] {
        let a = app.set_model_backend(t, "m1", "v").await;
        assert_problem(&a, 403, "permission-denied", "permission denied");
    }
    let a = app.set_model_backend(&rw, "m1", "v").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);

    // A stale model edit is refused.
    let stale = app
        .call_if_match(
            Method::PUT,
            "/api/v1/models/m1/secret-backend",
            Some(&token),
            Some("\"stale-1\""),
            Some(json!({"secret-backend": "auto"})),
        )
        .await;
    assert_problem(&stale, 412, "conflict", "changed by someone else");
}

#[tokio::test]
async fn an_unreachable_backend_needs_force() {
    let bao = OpenBao::start_own().await;
    let (app, token) = TestApp::with_admin().await;
    app.add_model(&token, "m1", "iaas").await;
    app.add_vault(&token, "sealed", &bao, json!({})).await;
    bao.seal().await;
    let a = app.set_model_backend(&token, "m1", "sealed").await;
    assert_problem(
        &a,
        422,
        "unreachable",
        "cannot ping backend \"sealed\": vault is sealed",
    );
    let m = app.get(&token, "/api/v1/models/m1").await;
    assert_eq!(
        m.body["secret-backend"], "auto",
        "a refused change changes nothing"
    );
    let a = app.force_model_backend(&token, "m1", "sealed").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["secret-backend"], "sealed");
}

#[tokio::test]
async fn secrets_are_stored_for_real_and_drain_to_the_new_backend() {
    let bao = OpenBao::shared();
    let (app, token) = TestApp::with_admin().await;
    let model = app.add_model(&token, "m1", "iaas").await;
    let model_uuid = model.body["uuid"].as_str().unwrap().to_owned();

    // In internal: the content is in SQLite.
    let db = app
        .add_secret(&token, "m1", "db", json!({"password": "first-value"}))
        .await;
    assert_eq!(db.status, StatusCode::CREATED, "{}", db.text);
    assert_eq!(db.body["backend"], "internal");
    assert_eq!(db.body["revision"], 1);
    assert!(!db.text.contains("first-value"));
    let uri = db.body["uri"].as_str().unwrap().to_owned();
    assert!(uri.starts_with("secret:"));
    let stored: String = app
        .store
        .call(|c| Ok(c.query_row("SELECT content FROM secret_revisions", [], |r| r.get(0))?))
        .await
        .unwrap();
    assert!(stored.contains("first-value"));

    // Move the model to a vault: new revisions go there, for real.
    app.add_vault(
        &token,
        "v",
        &bao,
        json!({"config": bao.config_with(json!({"mount-path": "juju-test"}))}),
    )
    .await;
    app.set_model_backend(&token, "m1", "v").await;
    let db2 = app
        .add_secret(&token, "m1", "db", json!({"password": "second-value"}))
        .await;
    assert_eq!(db2.body["revision"], 2);
    assert_eq!(db2.body["backend"], "v");
    assert_eq!(db2.body["uri"], uri.as_str());
    let api = app
        .add_secret(&token, "m1", "api", json!({"key": "api-value"}))
        .await;
    assert_eq!(api.body["backend"], "v");
    let suffix: String = model_uuid
        .replace('-', "")
        .chars()
        .rev()
        .take(6)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let mount = format!("juju-test/m1-{suffix}");
    let id = uri.trim_start_matches("secret:");
    assert_eq!(
        bao.kv_read(&format!("{mount}/{id}-2")).await,
        Some(json!({"password": "second-value"}))
    );
    assert_eq!(
        bao.kv_read(&format!("{mount}/{id}-1")).await,
        None,
        "revision 1 is still in internal"
    );

    // While draining: the model shows both, counts are distinct secrets.
    assert_eq!(
        m1_backends(&app, &token).await,
        json!({"v": {"status": "active", "secrets": 2}, "internal": {"status": "draining", "secrets": 1}})
    );
    let list = app.get(&token, "/api/v1/secret-backends").await;
    let count = |name: &str| entry(&list.body["backends"], "name", name)["secrets"].clone();
    assert_eq!(count("internal"), 1);
    assert_eq!(count("v"), 2);
    let secrets = app.get(&token, "/api/v1/models/m1/secrets").await;
    assert_eq!(secrets.body["secrets"].as_array().unwrap().len(), 2);
    assert!(!secrets.text.contains("value"), "no content in listings");

    // The drain moves revision 1 into the vault and out of SQLite.
    assert_eq!(
        m1_backends_after_drain(&app, &token).await,
        json!({"v": {"status": "active", "secrets": 2}})
    );
    assert_eq!(
        bao.kv_read(&format!("{mount}/{id}-1")).await,
        Some(json!({"password": "first-value"}))
    );
    let left: Option<String> = app
        .store
        .call(|c| {
            Ok(c.query_row(
                "SELECT content FROM secret_revisions WHERE revision = 1 AND content IS NOT NULL",
                [],
                |r| r.get(0),
            )
            .ok())
        })
        .await
        .unwrap();
    assert_eq!(left, None, "the content left SQLite");
    let list = app.get(&token, "/api/v1/secret-backends").await;
    assert_eq!(
        list.body["backends"][0]["secrets"], 0,
        "internal holds nothing now"
    );

    // Back to internal: the drain brings every revision back.
    app.set_model_backend(&token, "m1", "auto").await;
    assert_eq!(
        m1_backends(&app, &token).await["v"],
        json!({"status": "draining", "secrets": 2})
    );
    assert_eq!(
        m1_backends_after_drain(&app, &token).await,
        json!({"internal": {"status": "active", "secrets": 2}})
    );
    assert_eq!(
        bao.kv_read(&format!("{mount}/{id}-2")).await,
        None,
        "deleted from the vault after the move"
    );
}

#[tokio::test]
async fn removing_a_backend_in_use_needs_force_which_moves_models_to_auto() {
    let (app, token, _) = TestApp::with_vault(&OpenBao::shared(), "v", json!({})).await;
    app.add_model(&token, "m1", "iaas").await;
    app.set_model_backend(&token, "m1", "v").await;
    app.add_secret(&token, "m1", "db", json!({"k": "x"})).await;
    let a = app.delete(&token, "/api/v1/secret-backends/v").await;
    assert_problem(
        &a,
        409,
        "in-use",
        "backend \"v\" still contains secret content",
    );
    assert!(app.backend_names(&token).await.contains(&"v".to_owned()));
    let a = app
        .delete(&token, "/api/v1/secret-backends/v?force=true")
        .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.text);
    let m = app.get(&token, "/api/v1/models/m1").await;
    assert_eq!(m.body["secret-backend"], "auto");
    assert_eq!(m.body["effective-backend"], "internal");
}

#[tokio::test]
async fn a_caas_models_local_backend_is_listed_while_it_holds_secrets() {
    let (app, token) = TestApp::with_admin().await;
    app.add_model(&token, "k1", "caas").await;
    assert!(
        !app.backend_names(&token)
            .await
            .contains(&"k1-local".to_owned())
    );
    let s = app.add_secret(&token, "k1", "a", json!({"k": "v"})).await;
    assert_eq!(s.body["backend"], "k1-local");
    let list = app.get(&token, "/api/v1/secret-backends").await;
    let local = entry(&list.body["backends"], "name", "k1-local").clone();
    assert_eq!(local["built-in"], true);
    assert_eq!(local["backend-type"], "kubernetes");
    assert_eq!(local["secrets"], 1);
    for method in [Method::DELETE, Method::PATCH] {
        let a = app
            .call(
                method,
                "/api/v1/secret-backends/k1-local",
                Some(&token),
                Some(json!({})),
            )
            .await;
        assert_problem(
            &a,
            400,
            "not-valid",
            "built-in secret backends are immutable",
        );
    }
}

/// Sealing the OpenBao shows `vault is sealed` within 10 seconds; unsealing brings `active` back.
#[tokio::test]
async fn background_health_notices_sealing_within_ten_seconds() {
    let bao = OpenBao::start_own().await;
    let app = TestApp::new().await;
    app.controller
        .spawn_background(secret_backends_controller::embedded::Background {
            health_every: Duration::from_secs(2),
            ..Default::default()
        });
    let token = app.admin().await;
    app.add_vault(&token, "v", &bao, json!({})).await;
    bao.seal().await;
    let status = || async {
        let a = app.get(&token, "/api/v1/secret-backends/v").await;
        (
            a.body["status"].as_str().unwrap_or_default().to_owned(),
            a.body["message"].as_str().unwrap_or_default().to_owned(),
        )
    };
    eventually(Duration::from_secs(10), "sealed status", || async {
        status().await == ("error".to_owned(), "vault is sealed".to_owned())
    })
    .await;
    // Listing does not wait on a ping: it answers from the last result.
    bao.unseal().await;
    eventually(Duration::from_secs(10), "active again", || async {
        status().await.0 == "active"
    })
    .await;
}

/// The change feed over a real socket: a single-use ticket, then one event per change.
#[tokio::test]
async fn the_change_feed_reports_changes_to_ticket_holders() {
    let bao = OpenBao::shared();
    let app = TestApp::new().await;
    let base = app.serve().await;
    let token = app.admin().await;
    let client = reqwest::Client::new();

    let none = client
        .post(format!("{base}/api/v1/events/ticket"))
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 401, "a ticket needs a bearer token");
    let ticket = json_answer(
        client
            .post(format!("{base}/api/v1/events/ticket"))
            .bearer_auth(&token),
    )
    .await;
    let ticket = ticket["ticket"].as_str().unwrap().to_owned();
    assert_ne!(ticket, token, "the bearer token never goes into a URL");
    let mut feed = fetch(&client, format!("{base}/api/v1/events?ticket={ticket}")).await;
    assert_eq!(feed.status(), 200);
    assert_eq!(feed.headers()["content-type"], "text/event-stream");
    let again = fetch(&client, format!("{base}/api/v1/events?ticket={ticket}")).await;
    assert_eq!(again.status(), 401, "a ticket works once");

    app.add_vault(&token, "fed", &bao, json!({})).await;
    app.patch(&token, "fed", json!({"config": {"mount-path": "x"}}))
        .await;
    app.delete(&token, "/api/v1/secret-backends/fed").await;
    let mut seen = String::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !seen.contains("event: backend-removed") {
        assert!(Instant::now() < deadline, "events so far: {seen}");
        let chunk = tokio::time::timeout(Duration::from_secs(10), feed.chunk())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    let added = seen.find("event: backend-added").expect(&seen);
    let updated = seen.find("event: backend-updated").expect(&seen);
    let removed = seen.find("event: backend-removed").unwrap();
    assert!(added < updated && updated < removed, "{seen}");
    assert!(
        seen.contains(r#"data: {"kind":"backend-added","name":"fed"}"#),
        "{seen}"
    );
}

#[tokio::test]
async fn the_audit_trail_says_who_did_what_without_values() {
    let bao = OpenBao::shared();
    let (app, token) = TestApp::with_admin().await;
    app.add_model(&token, "m1", "iaas").await;
    app.add_vault(&token, "v", &bao, json!({})).await;
    app.patch(&token, "v", json!({"config": {"mount-path": "juju"}}))
        .await;
    app.set_model_backend(&token, "m1", "v").await;
    app.set_model_backend(&token, "m1", "auto").await;
    app.delete(&token, "/api/v1/secret-backends/v").await;
    let a = app.get(&token, "/api/v1/audit?backend=v").await;
    let actions: Vec<&str> = strings(&a.body["entries"], "action");
    assert_eq!(
        actions,
        ["remove", "model-backend", "update", "add"],
        "newest first: {}",
        a.text
    );
    let update = &a.body["entries"][2];
    assert_eq!(update["keys"], json!(["mount-path"]));
    assert_eq!(update["user"], "admin");
    assert!(update["at"].as_str().unwrap().ends_with('Z'));
    assert!(!a.text.contains(&bao.token));
    let limited = app.get(&token, "/api/v1/audit?limit=2").await;
    assert_eq!(limited.body["entries"].as_array().unwrap().len(), 2);
    // More than the documented maximum (or nothing at all) is refused, not silently clamped.
    for limit in ["1001", "0"] {
        let refused = app
            .get(&token, &format!("/api/v1/audit?limit={limit}"))
            .await;
        assert_eq!(refused.status, 400, "limit={limit}");
        assert_eq!(refused.body["field"], "limit", "limit={limit}");
        assert_eq!(
            refused.body["detail"],
            format!("limit {limit} is not valid: ask for 1 to 1000 entries")
        );
    }
    let most = app.get(&token, "/api/v1/audit?limit=1000").await;
    assert_eq!(most.status, 200);
}

#[tokio::test]
async fn a_restart_keeps_models_settings_and_secrets() {
    let bao = OpenBao::shared();
    let (app, token) = TestApp::with_admin().await;
    app.add_model(&token, "m1", "iaas").await;
    app.add_secret(&token, "m1", "a", json!({"k": "v"})).await;
    app.add_vault(&token, "v", &bao, json!({"token-rotate-interval": "3h"}))
        .await;
    app.set_model_backend(&token, "m1", "v").await;
    let before_model = app.get(&token, "/api/v1/models/m1").await.body;
    let before_backend = app.get(&token, "/api/v1/secret-backends/v").await.body;
    let TestApp { dir, .. } = app;
    let app = TestApp::open(dir).await;
    assert_eq!(
        app.get(&token, "/api/v1/models/m1").await.body,
        before_model
    );
    let after_backend = app.get(&token, "/api/v1/secret-backends/v").await.body;
    assert_eq!(
        after_backend["next-rotation"],
        before_backend["next-rotation"]
    );
    assert_eq!(after_backend["id"], before_backend["id"]);
}

/// The real binary's log written to a file (as `cargo xtask run > run.log 2>&1` does) is plain
/// text: no terminal colour codes.
#[tokio::test]
async fn logs_written_to_a_file_have_no_colour_codes() {
    let data = tempfile::tempdir().unwrap();
    let log = tempfile::NamedTempFile::new().unwrap();
    let port = free_port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_secret-backends-controller"))
        .env("SECRET_BACKENDS_LISTEN", format!("127.0.0.1:{port}"))
        .env("SECRET_BACKENDS_DATA_DIR", data.path())
        .env("SECRET_BACKENDS_DIST", data.path())
        .env("SECRET_BACKENDS_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("RUST_LOG", "info")
        .env_remove("NO_COLOR")
        .stdout(log.reopen().unwrap())
        .stderr(log.reopen().unwrap())
        .spawn()
        .unwrap();
    let path = log.path().to_owned();
    eventually(
        Duration::from_secs(20),
        "the service logs that it serves",
        || {
            let path = path.clone();
            async move {
                std::fs::read_to_string(path)
                    .unwrap_or_default()
                    .contains("serving")
            }
        },
    )
    .await;
    child.kill().unwrap();
    child.wait().unwrap();
    let text = std::fs::read_to_string(log.path()).unwrap();
    assert!(text.contains("INFO"), "{text}");
    assert!(
        !text.contains('\u{1b}'),
        "colour codes in a log file: {text:?}"
    );
}

/// The real binary, killed with SIGKILL after every acknowledged change: nothing is lost.
#[tokio::test]
async fn kill_9_loses_no_acknowledged_change() {
    let data = tempfile::tempdir().unwrap();
    let start = || {
        let port = free_port();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_secret-backends-controller"))
            .env("SECRET_BACKENDS_LISTEN", format!("127.0.0.1:{port}"))
            .env("SECRET_BACKENDS_DATA_DIR", data.path())
            .env("SECRET_BACKENDS_DIST", data.path())
            .env("SECRET_BACKENDS_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        (child, format!("http://127.0.0.1:{port}"))
    };
    let client = reqwest::Client::new();
    let ready = |base: String| {
        let client = client.clone();
        async move {
            eventually(Duration::from_secs(20), "the service starts", || {
                let client = client.clone();
                let url = format!("{base}/readyz");
                async move {
                    client
                        .get(url)
                        .send()
                        .await
                        .is_ok_and(|r| r.status() == 200)
                }
            })
            .await;
        }
    };
    let mut acknowledged = Vec::new();
    for round in 0..3 {
        let (mut child, base) = start();
        ready(base.clone()).await;
        let login = json_answer(
            client
                .post(format!("{base}/api/v1/auth/login"))
                .json(&json!({"username": "admin", "password": ADMIN_PASSWORD})),
        )
        .await;
        let token = login["token"].as_str().unwrap().to_owned();
        // Everything acknowledged before is still there.
        let models = json_answer(
            client
                .get(format!("{base}/api/v1/models"))
                .bearer_auth(&token),
        )
        .await;
        let names = strings(&models["models"], "name");
        assert_eq!(names, acknowledged, "round {round}");
        for i in 0..5 {
            let name = format!("m{round}{i}");
            let r = client
                .post(format!("{base}/api/v1/models"))
                .bearer_auth(&token)
                .json(&json!({"name": name, "type": "iaas"}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201);
            acknowledged.push(name);
        }
        acknowledged.sort();
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
    }
}
