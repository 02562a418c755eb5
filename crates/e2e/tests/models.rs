//! The models pages in headless Chromium: the list, a model's backends, and setting its backend
//! (including a backend that does not answer, and a model someone else changed meanwhile).
//!
//! Data is made through the REST API from inside the page (`fetch`), as any client would.

use secret_backends_e2e::{ADMIN_PASSWORD, Session, openbao};
use serde_json::{Value, json};

/// Calls the REST API as `admin` from the page (which must be on the service's origin): logs in,
/// then sends `body` (none when `Null`) to `/api/v1<path>`. Panics unless the answer is a success.
async fn api(s: &Session, method: &str, path: &str, body: Value) -> Value {
    const SCRIPT: &str = r#"
        const [method, path, body, password, done] = arguments;
        (async () => {
            const login = await fetch("/api/v1/auth/login", {
                method: "POST",
                headers: { "Content-Type": "application/json" },
                body: JSON.stringify({ username: "admin", password }),
            });
            if (!login.ok) {
                return { status: login.status, body: await login.text() };
            }
            const { token } = await login.json();
            const init = { method, headers: { Authorization: "Bearer " + token } };
            if (body !== null) {
                init.headers["Content-Type"] = "application/json";
                init.body = JSON.stringify(body);
            }
            const answer = await fetch("/api/v1" + path, init);
            const text = await answer.text();
            return { status: answer.status, body: text ? JSON.parse(text) : null };
        })().then(done, (e) => done({ status: 0, body: String(e) }));
    "#;
    let answer = s
        .browser
        .execute_async(
            SCRIPT,
            vec![json!(method), json!(path), body, json!(ADMIN_PASSWORD)],
        )
        .await
        .unwrap_or_else(|e| panic!("{method} {path}: the script failed: {e}"));
    let status = answer["status"].as_u64().unwrap_or_default();
    assert!(
        (200..300).contains(&status),
        "{method} {path} answered {status}: {}",
        answer["body"]
    );
    answer["body"].clone()
}

async fn add_model(s: &Session, name: &str, model_type: &str) {
    api(
        s,
        "POST",
        "/models",
        json!({ "name": name, "type": model_type }),
    )
    .await;
}

async fn add_secret(s: &Session, model: &str, label: &str) -> Value {
    api(
        s,
        "POST",
        &format!("/models/{model}/secrets"),
        json!({ "label": label, "content": { "value": format!("{label}-content") } }),
    )
    .await
}

/// Adds a vault backend on the run's OpenBao (the service pings it first).
async fn add_vault(s: &Session, name: &str) {
    let (addr, token) = openbao();
    api(
        s,
        "POST",
        "/secret-backends",
        json!({ "name": name, "backend-type": "vault", "config": { "endpoint": addr, "token": token } }),
    )
    .await;
}

/// Picks `backend` in the model page's picker.
async fn pick(s: &Session, backend: &str) {
    s.testid("backend-picker")
        .await
        .select_by_value(backend)
        .await
        .unwrap_or_else(|e| panic!("cannot pick {backend}: {e}"));
}

/// Goes to the models list through the header's link (no page load, so the login is kept).
async fn go_to_models(s: &Session) {
    s.css(".sbc-header__nav a[href$=\"/models\"]")
        .await
        .click()
        .await
        .unwrap();
    s.wait_path("/models").await;
}

#[tokio::test]
async fn the_models_list_shows_each_model_and_its_effective_backend() {
    let s = Session::start().await;
    s.open("/login").await;
    add_model(&s, "web", "iaas").await;
    add_model(&s, "k8s", "caas").await;

    s.open_logged_in("/models").await;
    s.testid("models-table").await;
    let web = s.wait_text("model-row-web", "iaas").await;
    assert!(web.contains("auto"), "the setting is shown: {web:?}");
    s.wait_text("model-effective-web", "internal").await;
    s.wait_text("model-backends-web", "internal: active, 0 secrets")
        .await;
    let k8s = s.wait_text("model-row-k8s", "caas").await;
    assert!(k8s.contains("auto"), "the setting is shown: {k8s:?}");
    s.wait_text("model-effective-k8s", "k8s-local").await;

    // The name links to the model's page.
    s.css("[data-testid=\"model-row-k8s\"] a")
        .await
        .click()
        .await
        .unwrap();
    s.wait_path("/models/k8s").await;
    s.wait_text("model-type", "caas").await;
    s.wait_text("model-setting", "auto").await;
    s.wait_text("model-effective", "k8s-local").await;
    s.wait_text("model-backend-k8s-local", "active").await;
    s.testid("model-secrets-empty").await;
    s.close().await.unwrap();
}

#[tokio::test]
async fn setting_a_vault_backend_moves_new_secrets_and_shows_the_old_one_draining() {
    let s = Session::start().await;
    s.open("/login").await;
    add_model(&s, "web", "iaas").await;
    let before = add_secret(&s, "web", "db-password").await;
    assert_eq!(before["backend"], "internal");
    add_vault(&s, "e2e-vault").await;

    s.open_logged_in("/models/web").await;
    s.wait_text("model-setting", "auto").await;
    s.wait_text("model-backend-internal", "1").await;
    s.wait_text("model-secret-db-password", "internal").await;
    let option = s
        .css("[data-testid=\"backend-picker\"] option[value=\"e2e-vault\"]")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(option, "e2e-vault (active)");
    s.css("[data-testid=\"backend-picker\"] option[value=\"auto\"]")
        .await;
    s.css("[data-testid=\"backend-picker\"] option[value=\"internal\"]")
        .await;

    pick(&s, "e2e-vault").await;
    s.wait_text(
        "model-command",
        "juju model-secret-backend -m web e2e-vault",
    )
    .await;
    s.click("set-backend").await;
    s.wait_text("set-backend-done", "now e2e-vault").await;
    s.wait_text("model-setting", "e2e-vault").await;
    s.wait_text("model-effective", "e2e-vault").await;
    s.wait_text("model-backend-e2e-vault", "active").await;
    // The harness runs no background drain, so the old content stays where it was.
    let internal = s.wait_text("model-backend-internal", "draining").await;
    assert!(
        internal.contains('1'),
        "one secret left in internal: {internal:?}"
    );
    s.testid("model-draining-note").await;

    let after = add_secret(&s, "web", "api-key").await;
    assert_eq!(after["backend"], "e2e-vault");

    go_to_models(&s).await;
    s.wait_text("model-setting-web", "e2e-vault").await;
    s.wait_text(
        "model-backends-web",
        "e2e-vault: active, 1 secret · internal: draining, 1 secret",
    )
    .await;

    s.css("[data-testid=\"model-row-web\"] a")
        .await
        .click()
        .await
        .unwrap();
    s.wait_path("/models/web").await;
    let vault = s.wait_text("model-backend-e2e-vault", "active").await;
    assert!(vault.contains('1'), "one secret in the vault: {vault:?}");
    s.wait_text("model-backend-internal", "draining").await;
    s.wait_text("model-secret-api-key", "e2e-vault").await;
    s.wait_text("model-secret-db-password", "internal").await;
    s.close().await.unwrap();
}

#[tokio::test]
async fn an_unreachable_backend_is_refused_and_can_be_set_anyway() {
    let s = Session::start().await;
    s.open("/login").await;
    add_model(&s, "web", "iaas").await;
    add_vault(&s, "broken-vault").await;
    api(
        &s,
        "PATCH",
        "/secret-backends/broken-vault",
        json!({ "config": { "token": "bad" }, "force": true }),
    )
    .await;

    s.open_logged_in("/models/web").await;
    pick(&s, "broken-vault").await;
    s.click("set-backend").await;
    s.wait_text(
        "alert",
        "cannot ping backend \"broken-vault\": auth token invalid: permission denied",
    )
    .await;
    s.wait_text(
        "set-backend-unreachable",
        "new secrets will fail to be stored",
    )
    .await;
    s.wait_text("model-setting", "auto").await;

    s.click("set-backend-force").await;
    s.wait_text("set-backend-done", "now broken-vault").await;
    s.wait_gone("[data-testid=\"alert\"]").await;
    s.wait_text("model-setting", "broken-vault").await;
    s.wait_text("model-backend-broken-vault", "active").await;
    let model = api(&s, "GET", "/models/web", Value::Null).await;
    assert_eq!(model["secret-backend"], "broken-vault");
    s.close().await.unwrap();
}

#[tokio::test]
async fn a_model_changed_meanwhile_asks_for_a_reload() {
    let s = Session::start().await;
    s.open("/login").await;
    add_model(&s, "web", "iaas").await;
    add_vault(&s, "e2e-vault").await;

    s.open_logged_in("/models/web").await;
    s.wait_text("model-setting", "auto").await;
    // Someone else sets it while the page shows the old model.
    api(
        &s,
        "PUT",
        "/models/web/secret-backend",
        json!({ "secret-backend": "e2e-vault" }),
    )
    .await;

    pick(&s, "internal").await;
    s.click("set-backend").await;
    s.wait_text("alert", "was changed by someone else").await;
    s.testid("set-backend-conflict").await;
    s.click("reload").await;
    s.wait_text("model-setting", "e2e-vault").await;
    s.wait_gone("[data-testid=\"alert\"]").await;

    // The choice survived the reload; now it goes through.
    s.click("set-backend").await;
    s.wait_text("model-setting", "internal").await;
    s.close().await.unwrap();
}
