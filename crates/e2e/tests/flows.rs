//! Every backend flow of the console in headless Chromium against the real service and OpenBao:
//! list (filter, sort, hide, live updates), detail (reveal, check, rotate), edit (review, stale,
//! force), remove (in use, force), add (kubernetes form, YAML import) and a read-only user.

use secret_backends_api::{Access, AddUserRequest, UpdateBackendRequest};
use secret_backends_controller::controller::{Backends, Users};
use secret_backends_e2e::{Session, admin, openbao};
use serde_json::json;

const CANARY: &str = "CANARY-flows-9c2e-never-leak";

#[tokio::test]
async fn the_list_filters_sorts_hides_built_ins_and_follows_other_admins() {
    let s = Session::start().await;
    s.seed_vault("alpha", json!({})).await;
    s.seed_vault("beta", json!({})).await;
    s.open_logged_in("/backends").await;
    s.wait_count("[data-testid^=\"backend-row-\"]", 3).await;
    s.wait_text("backend-status-alpha", "checked").await;

    s.fill("filter", "alp").await;
    s.wait_count("[data-testid^=\"backend-row-\"]", 1).await;
    s.testid("backend-row-alpha").await;
    s.wait_text("backends-count", "1 of 3 backends").await;
    s.fill("filter", "zzz").await;
    s.testid("backends-empty").await;
    s.fill("filter", "").await;
    s.click("hide-built-in").await;
    s.wait_count("[data-testid^=\"backend-row-\"]", 2).await;
    assert!(!s.has("backend-row-internal").await);

    s.click("sort-backend").await; // already by name: now descending
    s.wait_count("[data-testid^=\"backend-row-\"]", 2).await;
    let names = s.texts("[data-testid^=\"backend-row-\"] th a").await;
    assert_eq!(names, ["beta", "alpha"]);

    // Another admin adds a backend: this list shows it without a reload.
    let other = s.another().await;
    other.open_logged_in("/backends/new").await;
    let (addr, token) = openbao();
    other.fill("field-name", "gamma").await;
    other.fill("field-endpoint", &addr).await;
    other.fill("field-token", &token).await;
    other.click("add-submit").await;
    other.wait_path("/backends/gamma").await;
    s.testid("backend-row-gamma").await;
    other.close().await.unwrap();
    s.close().await.unwrap();
}

#[tokio::test]
async fn edit_reviews_the_changes_then_saves_without_showing_secrets() {
    let (_, token) = openbao();
    let s = Session::start().await;
    s.seed_vault("ed", json!({"mount-path": "first"})).await;
    s.open_logged_in("/backends/ed").await;
    s.click("edit-backend").await;
    s.wait_path("/backends/ed/edit").await;
    let endpoint = s.testid("field-endpoint").await;
    assert_eq!(
        endpoint.attr("readonly").await.unwrap().as_deref(),
        Some("true"),
        "immutable keys are read-only"
    );
    s.wait_text("sensitive-token", "set").await;
    assert!(
        !s.browser.source().await.unwrap().contains(&token),
        "the stored token never reaches the page"
    );

    s.fill("field-mount-path", "second").await;
    s.click("replace-token").await;
    s.fill("field-token", &token).await;
    s.click("review-changes").await;
    s.wait_text("change-mount-path", "\"first\" → \"second\"")
        .await;
    let token_change = s.wait_text("change-token", "changed").await;
    assert!(!token_change.contains(&token));
    s.click("save").await;
    s.wait_path("/backends/ed").await;
    s.wait_text("config-mount-path", "second").await;
    s.close().await.unwrap();
}

#[tokio::test]
async fn a_stale_edit_says_so_and_reloads() {
    let s = Session::start().await;
    s.seed_vault("st", json!({"mount-path": "mine"})).await;
    s.open_logged_in("/backends/st/edit").await;
    s.testid("field-mount-path").await;
    // Someone else saves first.
    s.controller
        .backend_update(
            &admin(),
            "st",
            UpdateBackendRequest {
                config: serde_json::from_value(json!({"mount-path": "theirs"})).unwrap(),
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
    s.fill("field-mount-path", "ours").await;
    s.click("review-changes").await;
    s.click("save").await;
    s.wait_text("stale-edit", "Someone else changed this backend")
        .await;
    s.click("reload").await;
    let deadline = tokio::time::Instant::now() + secret_backends_e2e::WAIT;
    loop {
        let value = s
            .testid("field-mount-path")
            .await
            .prop("value")
            .await
            .unwrap();
        if value.as_deref() == Some("theirs") {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the reload shows their version: {value:?}"
        );
        s.next_frame().await;
    }
    s.close().await.unwrap();
}

#[tokio::test]
async fn an_unreachable_backend_can_be_saved_with_force_explained() {
    let s = Session::start().await;
    s.seed_vault("un", json!({})).await;
    s.open_logged_in("/backends/un/edit").await;
    s.click("replace-token").await;
    s.fill("field-token", CANARY).await;
    s.click("review-changes").await;
    s.click("save").await;
    s.wait_text("alert", "auth token invalid: permission denied")
        .await;
    s.wait_text("unreachable", "save anyway").await;
    s.click("save-force").await;
    s.wait_path("/backends/un").await;
    assert!(!s.browser.source().await.unwrap().contains(CANARY));
    assert!(!s.browser_storage().await.contains(CANARY));
    s.close().await.unwrap();
}

#[tokio::test]
async fn reveal_shows_values_until_hidden_and_check_and_rotate_work() {
    let (_, token) = openbao();
    let s = Session::start().await;
    s.seed_vault("rv", json!({})).await;
    s.controller
        .backend_update(
            &admin(),
            "rv",
            UpdateBackendRequest {
                token_rotate_interval: Some("2h".into()),
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
    s.open_logged_in("/backends/rv").await;
    s.wait_text("config-token", "set").await;
    s.click("reveal").await;
    s.wait_text("revealed-token", &token).await;
    assert!(
        !s.browser_storage().await.contains(&token),
        "revealed values never reach browser storage"
    );
    assert!(
        !s.browser
            .current_url()
            .await
            .unwrap()
            .as_str()
            .contains(&token)
    );
    s.click("hide-values").await;
    s.wait_gone("[data-testid=\"revealed-token\"]").await;
    s.testid("reveal").await;

    s.click("check-now").await;
    s.wait_text("backend-status", "active").await;
    s.wait_text("rotation-interval", "2h0m0s").await;
    s.click("rotate-now").await;
    s.click("rotate-confirm").await;
    s.wait_text("rotation-last", "succeeded").await;
    s.testid("backend-audit").await;
    s.wait_text("backend-audit", "rotate").await;
    s.close().await.unwrap();
}

#[tokio::test]
async fn removing_a_backend_in_use_explains_and_offers_force() {
    let s = Session::start().await;
    s.seed_vault("used", json!({})).await;
    s.seed_model("m1", Some("used")).await;
    s.seed_secret("m1", "db").await;
    s.open_logged_in("/backends/used").await;
    s.wait_text("backend-models", "m1").await;
    s.click("remove-backend").await;
    s.wait_text("remove-in-use", "m1").await;
    s.fill("remove-confirm-input", "used").await;
    s.click("remove-confirm").await;
    s.wait_text("alert", "backend \"used\" still contains secret content")
        .await;
    s.click("remove-force").await;
    s.click("remove-confirm").await;
    s.wait_path("/backends").await;
    s.wait_gone("[data-testid=\"backend-row-used\"]").await;
    s.close().await.unwrap();
}

#[tokio::test]
async fn a_read_only_user_is_not_offered_what_they_may_not_do() {
    let s = Session::start().await;
    s.seed_vault("ro", json!({})).await;
    s.controller
        .user_add(
            &admin(),
            AddUserRequest {
                name: "viewer".into(),
                password: "viewer-password".into(),
                access: Access::Login,
                models: Default::default(),
            },
        )
        .await
        .unwrap();
    s.open("/backends").await;
    s.wait_path("/login").await;
    s.login_as("viewer", "viewer-password").await;
    s.wait_path("/backends").await;
    s.testid("backend-row-ro").await;
    s.wait_text("current-user", "viewer").await;
    assert!(!s.has("add-backend").await);
    s.css("[data-testid=\"backend-row-ro\"] a")
        .await
        .click()
        .await
        .unwrap();
    s.wait_path("/backends/ro").await;
    s.wait_text("config-token", "set").await;
    for control in ["edit-backend", "remove-backend", "reveal", "rotate-now"] {
        assert!(
            !s.has(control).await,
            "{control} is offered to a read-only user"
        );
    }
    s.close().await.unwrap();
}

#[tokio::test]
async fn the_add_form_follows_the_type_and_reads_a_juju_config_file() {
    let (addr, _) = openbao();
    let s = Session::start().await;
    s.open_logged_in("/backends/new").await;
    s.click("type-kubernetes").await;
    s.testid("field-service-account").await;
    s.testid("field-skip-tls-verify").await;
    s.click("type-vault").await;
    s.testid("field-mount-path").await;
    assert!(!s.has("field-service-account").await);

    s.css("[data-testid=\"yaml-import\"] summary")
        .await
        .click()
        .await
        .unwrap();
    s.fill(
        "yaml-text",
        &format!("# a Juju --config file\nendpoint: {addr}\ntoken: {CANARY}\ncolour: red\n"),
    )
    .await;
    s.click("yaml-apply").await;
    s.wait_text("yaml-unknown", "colour").await;
    let endpoint = s
        .testid("field-endpoint")
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(endpoint.as_deref(), Some(addr.as_str()));
    let command = s.wait_text("add-command", "juju add-secret-backend").await;
    assert!(
        !command.contains(CANARY),
        "the command has a placeholder, not the token: {command}"
    );
    s.close().await.unwrap();
}

#[tokio::test]
async fn export_and_the_audit_trail() {
    let (_, token) = openbao();
    let s = Session::start().await;
    s.seed_vault("ex", json!({"mount-path": "juju"})).await;
    s.open_logged_in("/backends").await;
    s.testid("backend-row-ex").await;
    s.click("export").await;
    let yaml = s.wait_text("export-text", "ex:").await;
    assert!(
        yaml.contains("backend: vault") && yaml.contains("mount-path: juju"),
        "{yaml}"
    );
    assert!(!yaml.contains(&token), "no sensitive value in an export");
    s.click("export-json").await;
    s.wait_text("export-text", "\"backend\": \"vault\"").await;

    s.css("a[href=\"/audit\"]").await.click().await.unwrap();
    s.wait_path("/audit").await;
    s.wait_text("audit-table", "add").await;
    s.fill("audit-filter", "nothing-matches-this").await;
    s.wait_count("[data-testid=\"audit-row\"]", 0).await;
    s.fill("audit-filter", "ex").await;
    s.wait_count("[data-testid=\"audit-row\"]", 1).await;
    assert!(
        !s.texts("[data-testid=\"audit-row\"]")
            .await
            .concat()
            .contains(&token)
    );
    s.close().await.unwrap();
}
