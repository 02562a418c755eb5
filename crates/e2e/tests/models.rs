//! The models pages in headless Chromium: the list, a model's backends, and setting its backend
//! (including a backend that does not answer, and a model someone else changed meanwhile).
//!
//! Data is made through the REST API, as any client would.

use reqwest::Method;
use secret_backends_e2e::{Api, Session};
use serde_json::{Value, json};

/// A session with the IaaS model `web` (its backend `auto`) and the vault backend `vault`.
async fn start_with_web_and(vault: &str) -> (Session, Api) {
    let s = Session::start().await;
    let api = s.api().await;
    api.add_model("web", "iaas").await;
    api.add_vault(vault).await;
    (s, api)
}

/// Goes to the models list through the header's link (no page load, so the login is kept).
async fn go_to_models(s: &Session) {
    s.click_css(".sbc-header__nav a[href$=\"/models\"]").await;
    s.wait_path("/models").await;
}

#[tokio::test]
async fn the_models_list_shows_each_model_and_its_effective_backend() {
    let s = Session::start().await;
    let api = s.api().await;
    api.add_model("web", "iaas").await;
    api.add_model("k8s", "caas").await;

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
    s.follow_link_in("model-row-k8s", "/models/k8s").await;
    s.wait_text("model-type", "caas").await;
    s.wait_text("model-setting", "auto").await;
    s.wait_text("model-effective", "k8s-local").await;
    s.wait_text("model-backend-k8s-local", "active").await;
    s.testid("model-secrets-empty").await;
    s.close().await.unwrap();
}

#[tokio::test]
async fn setting_a_vault_backend_moves_new_secrets_and_shows_the_old_one_draining() {
    let (s, api) = start_with_web_and("e2e-vault").await;
    let before = api.add_secret("web", "db-password").await;
    assert_eq!(before["backend"], "internal");

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

    s.pick_backend("e2e-vault").await;
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

    let after = api.add_secret("web", "api-key").await;
    assert_eq!(after["backend"], "e2e-vault");

    go_to_models(&s).await;
    s.wait_text("model-setting-web", "e2e-vault").await;
    s.wait_text(
        "model-backends-web",
        "e2e-vault: active, 1 secret · internal: draining, 1 secret",
    )
    .await;

    s.follow_link_in("model-row-web", "/models/web").await;
    let vault = s.wait_text("model-backend-e2e-vault", "active").await;
    assert!(vault.contains('1'), "one secret in the vault: {vault:?}");
    s.wait_text("model-backend-internal", "draining").await;
    s.wait_text("model-secret-api-key", "e2e-vault").await;
    s.wait_text("model-secret-db-password", "internal").await;
    s.close().await.unwrap();
}

#[tokio::test]
async fn an_unreachable_backend_is_refused_and_can_be_set_anyway() {
    let (s, api) = start_with_web_and("broken-vault").await;
    let bad_token = json!({ "config": { "token": "bad" }, "force": true });
    api.send(Method::PATCH, "/secret-backends/broken-vault", bad_token)
        .await;

    s.open_logged_in("/models/web").await;
    s.set_model_backend("broken-vault").await;
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
    let model = api.send(Method::GET, "/models/web", Value::Null).await;
    assert_eq!(model["secret-backend"], "broken-vault");
    s.close().await.unwrap();
}

#[tokio::test]
async fn a_model_changed_meanwhile_asks_for_a_reload() {
    let (s, api) = start_with_web_and("e2e-vault").await;

    s.open_logged_in("/models/web").await;
    s.wait_text("model-setting", "auto").await;
    // Someone else sets it while the page shows the old model.
    let theirs = json!({ "secret-backend": "e2e-vault" });
    api.send(Method::PUT, "/models/web/secret-backend", theirs)
        .await;

    s.set_model_backend("internal").await;
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
