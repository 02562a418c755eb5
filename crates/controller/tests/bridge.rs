//! Bridge mode: the same REST API in front of a Juju controller, here a test peer that speaks
//! Juju's RPC and parses every request with python-libjuju 3.6's classes (it panics on drop if
//! the bridge sent a shape Juju would refuse). Every REST operation, every mapping of Juju's
//! errors, a dropped connection, a slow controller, and what the bridge does not offer.

mod support;

use std::time::Duration;

use axum::http::StatusCode;
use juju_peer::{JujuPeer, PeerOptions};
use secret_backends_api::EventKind;
use secret_backends_controller::bridge::{BridgeOptions, JujuBridge};
use secret_backends_controller::controller::{Caller, Events, SessionId};
use secret_backends_controller::embedded::SessionLimits;
use serde_json::{Value, json};
use support::bridge::{BridgeApp, TIMEOUT};
use support::{
    ADMIN_PASSWORD, Answer, CANARY, assert_problem, captured_log, not_valid, refusal, strings,
};

const VAULT: &str = "http://127.0.0.1:8200";

fn vault(name: &str, token: &str) -> Value {
    json!({"name": name, "backend-type": "vault", "config": {"endpoint": VAULT, "token": token}})
}

async fn with_vault(name: &str) -> (BridgeApp, String) {
    let app = BridgeApp::start().await;
    let admin = app.admin().await;
    let a = app.add_backend(&admin, vault(name, "vault-token-1")).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    (app, admin)
}

fn peer_backend<'a>(backends: &'a Value, name: &str) -> &'a Value {
    backends
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["result"]["name"] == name)
        .unwrap_or_else(|| panic!("the peer holds no backend {name:?}: {backends}"))
}

#[tokio::test]
async fn a_juju_login_gives_a_session_with_the_users_controller_access() {
    let app = BridgeApp::start().await;
    let admin = app.admin().await;
    let me = app.get(&admin, "/api/v1/whoami").await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text);
    assert_eq!(me.body["access"], "superuser");
    let reader = app.reader().await;
    let me = app.get(&reader, "/api/v1/whoami").await;
    assert_eq!(me.body["access"], "login");
    let logins = app.calls_of("Login").await;
    assert_eq!(logins.len(), 2, "{logins:?}");
    assert_eq!(logins[0]["type"], "Admin");
    assert_eq!(logins[0]["version"], 3);
    assert_eq!(logins[0]["params"]["auth-tag"], "user-admin");
    assert!(logins[0]["params"]["client-version"].is_string());

    let wrong = app
        .try_login(json!({"username": "admin", "password": "not-the-password"}))
        .await;
    assert_problem(
        &wrong,
        401,
        "unauthorized",
        "invalid entity name or password",
    );
}

#[tokio::test]
async fn the_service_says_it_serves_a_juju_controller_offering_less() {
    let app = BridgeApp::start().await;
    let a = app
        .call(axum::http::Method::GET, "/api/v1/controller", None, None)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["kind"], "juju");
    let capabilities = &a.body["capabilities"];
    assert_eq!(capabilities["change-feed"], "polled");
    for name in [
        "audit",
        "rotation-times",
        "connection-test",
        "users",
        "model-add",
        "secrets",
        "backend-usage",
    ] {
        assert_eq!(capabilities[name], false, "{name}: {capabilities}");
    }
    // And what is not offered says so, instead of failing.
    let admin = app.admin().await;
    app.peer.add_model("m1", "iaas", "admin").await;
    let added = app.add_backend(&admin, vault("myvault", "t")).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);
    let secret = json!({"label": "db", "content": {"password": "p"}});
    let user = json!({"name": "bob", "password": "a-long-password", "access": "login"});
    let password = json!({"password": "another-long-password"});
    let check = json!({"backend-type": "vault", "config": {"endpoint": VAULT}});
    let answers = [
        ("audit", app.get(&admin, "/api/v1/audit").await),
        ("users", app.get(&admin, "/api/v1/users").await),
        ("add user", app.post(&admin, "/api/v1/users", user).await),
        (
            "password",
            app.put(&admin, "/api/v1/users/admin/password", password)
                .await,
        ),
        (
            "remove user",
            app.delete(&admin, "/api/v1/users/reader").await,
        ),
        (
            "test",
            app.post(&admin, "/api/v1/backend-checks", check).await,
        ),
        (
            "rotate",
            app.post(
                &admin,
                "/api/v1/secret-backends/myvault/rotate-token",
                json!({}),
            )
            .await,
        ),
        (
            "add model",
            app.post(
                &admin,
                "/api/v1/models",
                json!({"name": "m9", "type": "iaas"}),
            )
            .await,
        ),
        (
            "secrets",
            app.get(&admin, "/api/v1/models/m1/secrets").await,
        ),
        (
            "add secret",
            app.post(&admin, "/api/v1/models/m1/secrets", secret).await,
        ),
    ];
    for (what, a) in &answers {
        refusal(422, "not-supported", "not available on a Juju controller").assert(a, what);
    }
    // What every controller has: the types, a check (a fresh look in Juju), the feed's ticket.
    let types = app.get(&admin, "/api/v1/backend-types").await;
    assert_eq!(types.status, StatusCode::OK, "{}", types.text);
    let checked = app.check_backend(&admin, "myvault").await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.text);
    assert_eq!(checked.body["status"], "active");
    let ticket = app.post(&admin, "/api/v1/events/ticket", json!({})).await;
    assert_eq!(ticket.status, StatusCode::OK, "{}", ticket.text);
}

#[tokio::test]
async fn the_controller_certificate_is_checked_for_juju_apiserver_against_the_given_ca() {
    // A certificate for another name, from the right CA: refused.
    let options = PeerOptions {
        certificate_name: "not-juju".into(),
        ..PeerOptions::default()
    };
    let app = BridgeApp::start_with(options, SessionLimits::default()).await;
    let a = app
        .try_login(json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .await;
    assert_problem(&a, 422, "unreachable", "cannot reach the Juju controller");
    assert!(a.text.contains("certificate"), "{}", a.text);

    // The right name, but the bridge trusts another CA: refused.
    let other = JujuPeer::start(PeerOptions::default()).await;
    let peer = JujuPeer::start(PeerOptions::default()).await;
    peer.add_user("admin", ADMIN_PASSWORD, "superuser").await;
    let bridge = JujuBridge::new(BridgeOptions {
        address: peer.address(),
        ca_cert: other.ca_cert_pem(),
        timeout: TIMEOUT,
        sessions: SessionLimits::default(),
    })
    .unwrap();
    let app = BridgeApp::over(peer, bridge);
    let a = app
        .try_login(json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .await;
    assert_problem(&a, 422, "unreachable", "certificate");
    assert!(app.calls_of("Login").await.is_empty());
}

#[tokio::test]
async fn backends_are_listed_added_shown_and_masked_as_juju_holds_them() {
    let app = BridgeApp::start().await;
    let admin = app.admin().await;
    assert_eq!(app.backend_names(&admin).await, ["internal"]);
    let mut body = vault("myvault", CANARY);
    body["token-rotate-interval"] = json!("1h30m");
    let a = app.add_backend(&admin, body).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    assert_eq!(a.body["name"], "myvault");
    assert_eq!(a.body["token-rotate-interval"], "1h30m0s");
    assert!(a.body["config"].get("token").is_none(), "{}", a.text);
    assert!(!a.text.contains(CANARY));

    // Juju got the interval as integer nanoseconds, and the token.
    let adds = app.calls_of("AddSecretBackends").await;
    assert_eq!(
        adds[0]["params"]["args"][0]["token-rotate-interval"],
        5_400_000_000_000u64
    );
    let held = app.peer.backends().await;
    assert_eq!(
        peer_backend(&held, "myvault")["result"]["config"]["token"],
        CANARY
    );

    let shown = app.get(&admin, "/api/v1/secret-backends/myvault").await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.text);
    assert_eq!(shown.body["config"]["endpoint"], VAULT);
    assert!(!shown.text.contains(CANARY));
    assert!(!shown.etag().is_empty());
    let revealed = app
        .get(&admin, "/api/v1/secret-backends/myvault?reveal=true")
        .await;
    assert_eq!(
        revealed.body["config"]["token"], CANARY,
        "{}",
        revealed.text
    );
    assert_eq!(
        revealed.etag(),
        shown.etag(),
        "the version does not depend on reveal"
    );
    let reveals: Vec<bool> = app
        .calls_of("ListSecretBackends")
        .await
        .iter()
        .map(|c| c["params"]["reveal"].as_bool().unwrap())
        .collect();
    assert_eq!(
        reveals.iter().filter(|r| **r).count(),
        1,
        "reveal asked once: {reveals:?}"
    );

    let missing = app.get(&admin, "/api/v1/secret-backends/nothing").await;
    assert_problem(
        &missing,
        404,
        "not-found",
        "secret backend \"nothing\" not found",
    );
}

#[tokio::test]
async fn a_login_only_user_lists_but_juju_refuses_them_changes_and_reveal() {
    let (app, _) = with_vault("myvault").await;
    let reader = app.reader().await;
    assert_eq!(app.backend_names(&reader).await, ["internal", "myvault"]);
    let refused = [
        app.get(&reader, "/api/v1/secret-backends?reveal=true")
            .await,
        app.add_backend(&reader, vault("other", "t")).await,
        app.patch(
            &reader,
            "myvault",
            json!({"config": {"endpoint": "http://10.0.0.1:8200"}}),
        )
        .await,
        app.delete(&reader, "/api/v1/secret-backends/myvault").await,
    ];
    for a in &refused {
        assert_problem(a, 403, "permission-denied", "permission denied");
    }
}

#[tokio::test]
async fn juju_refusals_map_to_the_api_codes_with_jujus_sentence() {
    let (app, admin) = with_vault("myvault").await;
    let cases = [
        (
            app.add_backend(&admin, vault("myvault", "t")).await,
            refusal(409, "already-exists", "already exists"),
        ),
        (
            app.add_backend(&admin, vault("bad name!", "t")).await,
            not_valid("not a valid name"),
        ),
        (
            app.add_backend(&admin, json!({"name": "k", "backend-type": "kubernetes", "config": {"endpoint": "https://10.0.0.1:6443"}})).await,
            not_valid(""),
        ),
        (
            app.patch(&admin, "internal", json!({"config": {"endpoint": VAULT}})).await,
            not_valid("built in"),
        ),
        (
            app.delete(&admin, "/api/v1/secret-backends/internal").await,
            not_valid("built in"),
        ),
        (
            // Juju's own check of the config: an immutable key.
            app.patch(&admin, "myvault", json!({"config": {"endpoint": "http://10.9.9.9:8200"}})).await,
            not_valid("cannot change immutable field"),
        ),
        (
            app.delete(&admin, "/api/v1/secret-backends/unknown").await,
            refusal(404, "not-found", "secret backend \"unknown\" not found"),
        ),
    ];
    for (i, (answer, expected)) in cases.iter().enumerate() {
        expected.assert(answer, format!("case {i}"));
    }
    // Juju removes an unknown name without a word: the bridge asked first and sent nothing.
    assert!(app.calls_of("RemoveSecretBackends").await.is_empty());

    // A backend holding secrets is in use: Juju's sentence, the API's code.
    app.peer.set_backend_secrets("myvault", 3).await;
    let a = app.delete(&admin, "/api/v1/secret-backends/myvault").await;
    assert_problem(&a, 409, "in-use", "3 stored secret revisions");
    let a = app
        .patch(&admin, "myvault", json!({"name": "renamed"}))
        .await;
    assert_problem(
        &a,
        409,
        "in-use",
        "cannot rename a secret backend that is in use",
    );
    let a = app
        .delete(&admin, "/api/v1/secret-backends/myvault?force=true")
        .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.text);
    assert_eq!(app.backend_names(&admin).await, ["internal"]);
}

#[tokio::test]
async fn an_update_sends_set_and_reset_keys_a_rename_and_is_refused_at_a_stale_version() {
    let (app, admin) = with_vault("myvault").await;
    let before = app.get(&admin, "/api/v1/secret-backends/myvault").await;
    let a = app
        .patch_if_match(
            &admin,
            "myvault",
            before.etag(),
            json!({"name": "vault2", "config": {"tls-server-name": "vault.internal", "namespace": ""}, "token-rotate-interval": "2h"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["name"], "vault2");
    assert_eq!(a.body["config"]["tls-server-name"], "vault.internal");
    let update = &app.calls_of("UpdateSecretBackends").await[0]["params"]["args"][0];
    assert_eq!(update["name"], "myvault");
    assert_eq!(update["name-change"], "vault2");
    assert_eq!(update["reset"], json!(["namespace"]));
    assert_eq!(update["token-rotate-interval"], 7_200_000_000_000u64);

    // The old version no longer matches: nothing is sent.
    let stale = app
        .patch_if_match(
            &admin,
            "vault2",
            before.etag(),
            json!({"config": {"endpoint": VAULT}}),
        )
        .await;
    assert_problem(&stale, 412, "conflict", "changed by someone else");
    assert_eq!(app.calls_of("UpdateSecretBackends").await.len(), 1);

    // Juju's ping of the new config fails: its sentence; with force, it is not pinged.
    app.peer
        .set_backend_status("vault2", "error", "connection refused")
        .await;
    let a = app
        .patch(&admin, "vault2", json!({"config": {"endpoint": VAULT}}))
        .await;
    assert!(a.status.is_client_error(), "{}", a.text);
    assert!(a.text.contains("connection refused"), "{}", a.text);
    let a = app
        .patch(
            &admin,
            "vault2",
            json!({"config": {"endpoint": VAULT}, "force": true}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["status"], "error");
    assert_eq!(a.body["message"], "connection refused");
}

#[tokio::test]
async fn models_are_listed_and_their_backend_set_through_model_config() {
    let (app, admin) = with_vault("myvault").await;
    let m1 = app.peer.add_model("m1", "iaas", "admin").await;
    app.peer.add_model("k1", "caas", "admin").await;
    let list = app.get(&admin, "/api/v1/models").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    assert_eq!(strings(&list.body["models"], "name"), ["k1", "m1"]);
    let k1 = support::entry(&list.body["models"], "name", "k1");
    assert_eq!(k1["secret-backend"], "auto");
    assert_eq!(k1["effective-backend"], "k1-local");
    assert_eq!(k1["type"], "caas");

    let a = app.set_model_backend(&admin, "m1", "myvault").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["secret-backend"], "myvault");
    assert_eq!(app.peer.model_secret_backend(&m1).await, "myvault");
    let set = &app.calls_of("ModelSet").await[0];
    assert_eq!(set["path"], format!("/model/{m1}/api"));
    assert_eq!(set["params"]["config"]["secret-backend"], "myvault");

    let unknown = app.set_model_backend(&admin, "m1", "nothing").await;
    assert_problem(
        &unknown,
        404,
        "not-found",
        "secret backend \"nothing\" not found",
    );
    let no_model = app.get(&admin, "/api/v1/models/nothing").await;
    assert_problem(&no_model, 404, "not-found", "model \"nothing\" not found");
    // Juju's own check of the value: a backend that does not answer.
    app.peer
        .set_backend_status("myvault", "error", "sealed")
        .await;
    let a = app.set_model_backend(&admin, "m1", "auto").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let a = app.set_model_backend(&admin, "m1", "myvault").await;
    assert!(a.text.contains("sealed"), "{}", a.text);

    let me = app.get(&admin, "/api/v1/whoami").await;
    assert_eq!(me.body["models"]["m1"], "admin", "{}", me.text);
}

#[tokio::test]
async fn on_juju_4_a_models_backend_goes_through_get_and_set_model_secret_backend() {
    let options = PeerOptions {
        juju_major: 4,
        ..PeerOptions::default()
    };
    let app = BridgeApp::start_with(options, SessionLimits::default()).await;
    let admin = app.admin().await;
    let m1 = app.peer.add_model("m1", "iaas", "admin").await;
    let a = app.get(&admin, "/api/v1/models/m1").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["secret-backend"], "auto");
    let a = app.set_model_backend(&admin, "m1", "internal").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(app.peer.model_secret_backend(&m1).await, "internal");
    assert!(!app.calls_of("GetModelSecretBackend").await.is_empty());
    let set = app.calls_of("SetModelSecretBackend").await;
    assert_eq!(set[0]["version"], 4);
    assert_eq!(set[0]["params"]["secret-backend-name"], "internal");
    assert!(app.calls_of("ModelSet").await.is_empty());
}

#[tokio::test]
async fn a_dropped_connection_is_reopened_and_a_lost_controller_is_unreachable_with_backoff() {
    let (app, admin) = with_vault("myvault").await;
    app.peer.drop_connections().await;
    // Reopened (and logged in again) for the next request.
    wait_for(|| async {
        app.get(&admin, "/api/v1/secret-backends").await.status == StatusCode::OK
    })
    .await;
    assert_eq!(app.calls_of("Login").await.len(), 2);

    app.peer.refuse_connections(true).await;
    app.peer.drop_connections().await;
    let lost = wait_answer(&app, &admin, |a| a.status != StatusCode::OK).await;
    assert_problem(&lost, 422, "unreachable", "Juju controller");
    // Right after a failed attempt, the next request does not try again: it says when.
    let waiting = app.get(&admin, "/api/v1/secret-backends").await;
    assert_problem(&waiting, 422, "unreachable", "trying again in");
    app.peer.refuse_connections(false).await;
    wait_for(|| async {
        app.get(&admin, "/api/v1/secret-backends").await.status == StatusCode::OK
    })
    .await;
}

#[tokio::test]
async fn a_slow_controller_is_answered_unreachable_after_the_timeout() {
    let (app, admin) = with_vault("myvault").await;
    app.peer.set_delay(TIMEOUT * 3).await;
    let a = app.get(&admin, "/api/v1/secret-backends").await;
    assert_problem(&a, 422, "unreachable", "did not answer within 2 seconds");
    let login = app
        .try_login(json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .await;
    assert_problem(&login, 422, "unreachable", "did not answer within");
}

#[tokio::test]
async fn logout_and_an_ended_session_close_the_users_connections() {
    let limits = SessionLimits {
        idle: Duration::from_secs(60),
        lifetime: Duration::from_secs(1),
    };
    let app = BridgeApp::start_with(PeerOptions::default(), limits).await;
    let admin = app.admin().await;
    app.peer.add_model("m1", "iaas", "admin").await;
    let reader = app.reader().await;
    // admin's controller connection and m1's, and reader's.
    assert_eq!(
        app.get(&admin, "/api/v1/models/m1").await.status,
        StatusCode::OK
    );
    assert_eq!(app.peer.open_connections().await, 3);
    let a = app.post(&reader, "/api/v1/auth/logout", json!({})).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.text);
    wait_for(|| async { app.peer.open_connections().await == 2 }).await;
    // admin's session outlives its lifetime: refused, and its connections closed.
    wait_for(|| async {
        app.get(&admin, "/api/v1/whoami").await.status == StatusCode::UNAUTHORIZED
    })
    .await;
    wait_for(|| async { app.peer.open_connections().await == 0 }).await;
    assert_eq!(app.bridge.session_count(), 0);
}

#[tokio::test]
async fn the_polled_change_feed_tells_of_a_backend_added_in_juju() {
    let app = BridgeApp::start().await;
    let admin = app.admin().await;
    let caller = app_caller(&app, &admin).await;
    let mut feed = app.bridge.events(&caller).await.unwrap();
    app.peer
        .add_backend("elsewhere", "vault", json!({"endpoint": VAULT}))
        .await;
    let event = tokio::time::timeout(Duration::from_secs(30), futures::StreamExt::next(&mut feed))
        .await
        .expect("an event within 30 s")
        .unwrap()
        .unwrap();
    assert_eq!(
        (event.kind, event.name.as_str()),
        (EventKind::BackendAdded, "elsewhere")
    );
}

#[tokio::test]
async fn a_secret_value_reaches_neither_the_log_nor_an_answer() {
    let captured = captured_log();
    let app = BridgeApp::start().await;
    let admin = app.admin().await;
    let mut answers: Vec<Answer> = Vec::new();
    answers.push(app.add_backend(&admin, vault("canary", CANARY)).await);
    answers.push(app.get(&admin, "/api/v1/secret-backends").await);
    answers.push(
        app.patch(&admin, "canary", json!({"config": {"token": CANARY}}))
            .await,
    );
    app.peer
        .set_backend_status("canary", "error", &format!("bad token {CANARY}"))
        .await;
    answers.push(
        app.patch(&admin, "canary", json!({"config": {"token": CANARY}}))
            .await,
    );
    for a in &answers {
        assert!(
            !a.text.contains(CANARY),
            "an answer holds the secret: {}",
            a.text
        );
    }
    let log = String::from_utf8_lossy(&captured.lock().unwrap()).into_owned();
    assert!(
        log.contains("secret backend added in Juju"),
        "the log is captured: {log}"
    );
    assert!(!log.contains(CANARY), "the log holds the secret: {log}");
    assert!(
        !log.contains(ADMIN_PASSWORD),
        "the log holds the password: {log}"
    );
}

/// The caller behind a token, as the HTTP layer finds it.
async fn app_caller(app: &BridgeApp, token: &str) -> Caller {
    use secret_backends_controller::controller::Users;
    let caller = app.bridge.authenticate(token).await.unwrap();
    assert_ne!(caller.session, SessionId::new(""));
    caller
}

/// Waits (up to 20 s) until `done` holds, looking every 50 ms.
async fn wait_for<F, Fut>(done: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..400 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the condition never held");
}

/// The first answer to listing the backends that `done` accepts (within 20 s).
async fn wait_answer(app: &BridgeApp, token: &str, done: impl Fn(&Answer) -> bool) -> Answer {
    for _ in 0..400 {
        let a = app.get(token, "/api/v1/secret-backends").await;
        if done(&a) {
            return a;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no such answer");
}
