//! The console in headless Chromium against the real service and OpenBao.

use secret_backends_e2e::{Seed, Session, forced_config_change, openbao};
use serde_json::json;

/// A token that must never reach the page, a URL or browser storage.
const CANARY: &str = "CANARY-e2e-4b1d-never-leak";

#[tokio::test]
async fn admin_adds_opens_and_removes_a_vault_backend() {
    let (bao_addr, bao_token) = openbao();
    let s = Session::start().await;

    // A deep link asks for a login, then lands where it pointed.
    s.open_logged_in("/backends").await;
    s.testid("backend-row-internal").await;
    s.wait_text("backend-status-internal", "active").await;

    s.click("add-backend").await;
    s.wait_path("/backends/new").await;
    s.fill_vault_form("e2e-vault", &bao_addr, &bao_token).await;
    let token_type = s.testid("field-token").await.attr("type").await.unwrap();
    assert_eq!(
        token_type.as_deref(),
        Some("password"),
        "the token is typed into a password field"
    );

    s.test_connection_passes().await;
    s.wait_text("check-step-authenticated", "the token is valid")
        .await;

    s.click("add-submit").await;
    s.wait_path("/backends/e2e-vault").await;
    s.wait_text("backend-name", "e2e-vault").await;
    s.wait_text("backend-status", "active").await;
    s.wait_text("config-endpoint", &bao_addr).await;
    let token_row = s.wait_text("config-token", "set").await;
    assert!(!token_row.contains(&bao_token));
    assert!(
        !s.source_contains(&bao_token).await,
        "the token value never reaches the page"
    );

    // A reload keeps the login (the session cookie): the list opens at once.
    s.open("/backends").await;
    assert_eq!(s.logged_in_user().await.as_deref(), Some("admin"));
    s.wait_text("backend-status-e2e-vault", "active").await;
    s.follow_link_in("backend-row-e2e-vault", "/backends/e2e-vault")
        .await;

    s.click("remove-backend").await;
    s.testid("remove-dialog").await;
    let confirm = s.testid("remove-confirm").await;
    assert!(
        !confirm.is_enabled().await.unwrap(),
        "disabled until the name is typed"
    );
    s.confirm_remove("e2e-vault").await;
    s.wait_removed_from_list("e2e-vault").await;
    s.testid("backend-row-internal").await;
    s.close().await.unwrap();
}

#[tokio::test]
async fn a_refused_add_shows_the_service_words_and_keeps_the_form() {
    let (bao_addr, _) = openbao();
    let s = Session::start().await;
    s.open("/login").await;
    s.login_admin().await;
    s.wait_path("/backends").await;
    // A reload keeps the login (the session cookie): the form opens at once.
    s.open("/backends/new").await;
    assert_eq!(s.logged_in_user().await.as_deref(), Some("admin"));
    s.wait_state("ready").await;

    // Refused in the browser, by the shared rules, before anything is sent.
    s.fill("field-name", "Bad_Name").await;
    s.fill("field-endpoint", &bao_addr).await;
    s.click("add-submit").await;
    // Shown under the field it is about (not also in the page's alert).
    s.wait_css_text("#sbc-field-name-error", "lowercase letters")
        .await;

    // Refused by the service: the ping fails on a token OpenBao does not know.
    s.fill("field-name", "e2e-refused").await;
    s.fill("field-token", CANARY).await;
    s.click("add-submit").await;
    s.wait_text("alert", "auth token invalid: permission denied")
        .await;
    assert_eq!(
        s.value("field-name").await,
        "e2e-refused",
        "the form keeps what was typed"
    );
    assert_eq!(s.value("field-endpoint").await, bao_addr);

    assert!(!s.url_contains(CANARY).await);
    assert!(!s.browser_storage().await.contains(CANARY));
    let alert = s.testid("alert").await.text().await.unwrap();
    assert!(!alert.contains(CANARY));

    s.open_logged_in("/backends").await;
    s.testid("backend-row-internal").await;
    assert!(
        !s.has("backend-row-e2e-refused").await,
        "a refused add stores nothing"
    );
    s.close().await.unwrap();
}

/// A forced removal moves the content of a backend that answers and says nothing more; one of a
/// backend that does not answer lands on the list with the service's sentence naming the secret
/// left behind, until the admin goes elsewhere.
#[tokio::test]
async fn a_forced_removal_shows_the_secrets_whose_content_was_left_behind() {
    // "gone" holds a token its vault refuses (saved with force: not pinged), so it cannot be read.
    let unreachable = forced_config_change(json!({"token": "not-a-token"}));
    let seed = Seed::new()
        .vault_used_by("moved", "m1")
        .vault_used_by("gone", "m2")
        .update("gone", unreachable);
    let s = Session::start_logged_in(seed, "/backends/moved").await;
    let api = s.api().await;
    let m2_secrets = api
        .send(reqwest::Method::GET, "/models/m2/secrets", json!(null))
        .await;
    let uri = m2_secrets["secrets"][0]["uri"].as_str().unwrap().to_owned();

    s.click("remove-backend").await;
    s.click("remove-force").await;
    s.confirm_remove("moved").await;
    s.wait_removed_from_list("moved").await;
    assert!(
        !s.has("removed-left-behind").await,
        "nothing was left behind"
    );

    s.follow_link_in("backend-row-gone", "/backends/gone").await;
    s.click("remove-backend").await;
    s.click("remove-force").await;
    s.confirm_remove("gone").await;
    s.wait_removed_from_list("gone").await;
    let said = s
        .wait_text(
            "removed-left-behind",
            "the content of 1 secret could not be moved",
        )
        .await;
    assert!(
        said.contains(&format!("{uri} revision 1 (\"db\" in model \"m2\")")),
        "{said}"
    );
    assert_eq!(s.accessibility_violations().await, Vec::<String>::new());
    s.follow_link_in("backend-row-internal", "/backends/internal")
        .await;
    s.wait_gone("[data-testid=\"removed-left-behind\"]").await;
    s.close().await.unwrap();
}
