//! Every backend flow of the console in headless Chromium against the real service and OpenBao:
//! list (filter, sort, hide, live updates), detail (reveal, check, rotate), edit (review, stale,
//! force), remove (in use, force), add (kubernetes form, YAML import) and a read-only user.

use secret_backends_e2e::{Seed, Session, VIEWER, VIEWER_PASSWORD, openbao};

const CANARY: &str = "CANARY-flows-9c2e-never-leak";

#[tokio::test]
async fn the_list_filters_sorts_hides_built_ins_and_follows_other_admins() {
    let s = Session::start_logged_in(Seed::new().vault("alpha").vault("beta"), "/backends").await;
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
    other.submit_vault_form("gamma", &addr, &token).await;
    other.wait_path("/backends/gamma").await;
    s.testid("backend-row-gamma").await;
    other.close().await.unwrap();
    s.close().await.unwrap();
}

#[tokio::test]
async fn edit_reviews_the_changes_then_saves_without_showing_secrets() {
    let (_, token) = openbao();
    let s =
        Session::start_logged_in(Seed::new().vault_mounted("ed", "first"), "/backends/ed").await;
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
        !s.source_contains(&token).await,
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
    let s = Session::start_logged_in(Seed::new().vault_mounted("st", "mine"), "/backends/st/edit")
        .await;
    s.testid("field-mount-path").await;
    // Someone else saves first.
    s.seed(Seed::new().remount("st", "theirs")).await;
    s.fill("field-mount-path", "ours").await;
    s.click("review-changes").await;
    s.click("save").await;
    s.wait_text("stale-edit", "Someone else changed this backend")
        .await;
    s.click("reload").await;
    // The reload shows their version.
    s.wait_value("field-mount-path", "theirs").await;
    s.close().await.unwrap();
}

#[tokio::test]
async fn an_unreachable_backend_can_be_saved_with_force_explained() {
    let s = Session::start_logged_in(Seed::new().vault("un"), "/backends/un/edit").await;
    s.click("replace-token").await;
    s.fill("field-token", CANARY).await;
    s.click("review-changes").await;
    s.click("save").await;
    s.wait_text("alert", "auth token invalid: permission denied")
        .await;
    s.wait_text("unreachable", "save anyway").await;
    s.click("save-force").await;
    s.wait_path("/backends/un").await;
    assert!(!s.source_contains(CANARY).await);
    assert!(!s.browser_storage().await.contains(CANARY));
    s.close().await.unwrap();
}

#[tokio::test]
async fn reveal_shows_values_until_hidden_and_check_and_rotate_work() {
    let (_, token) = openbao();
    let seed = Seed::new().vault("rv").rotate_every("rv", "2h");
    let s = Session::start_logged_in(seed, "/backends/rv").await;
    s.wait_text("config-token", "set").await;
    s.click("reveal").await;
    s.wait_text("revealed-token", &token).await;
    assert!(
        !s.browser_storage().await.contains(&token),
        "revealed values never reach browser storage"
    );
    assert!(!s.url_contains(&token).await);
    s.click("hide-values").await;
    s.wait_gone("[data-testid=\"revealed-token\"]").await;
    s.testid("reveal").await;

    s.click("check-now").await;
    s.wait_text("backend-status", "active").await;
    s.wait_text("rotation-interval", "2h0m0s").await;
    s.rotate_now().await;
    s.testid("backend-audit").await;
    s.wait_text("backend-audit", "rotate").await;
    s.close().await.unwrap();
}

#[tokio::test]
async fn removing_a_backend_in_use_explains_and_offers_force() {
    let s =
        Session::start_logged_in(Seed::new().vault_used_by("used", "m1"), "/backends/used").await;
    s.wait_text("backend-models", "m1").await;
    s.click("remove-backend").await;
    s.wait_text("remove-in-use", "m1").await;
    s.confirm_remove("used").await;
    s.wait_text("alert", "backend \"used\" still contains secret content")
        .await;
    s.click("remove-force").await;
    s.click("remove-confirm").await;
    s.wait_removed_from_list("used").await;
    s.close().await.unwrap();
}

#[tokio::test]
async fn a_read_only_user_is_not_offered_what_they_may_not_do() {
    let s = Session::start_with(Seed::new().vault("ro").viewer()).await;
    s.open_logged_in_as("/backends", VIEWER, VIEWER_PASSWORD)
        .await;
    s.testid("backend-row-ro").await;
    s.wait_text("current-user", VIEWER).await;
    assert!(!s.has("add-backend").await);
    s.follow_link_in("backend-row-ro", "/backends/ro").await;
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
    let s = Session::start_logged_in(Seed::new(), "/backends/new").await;
    s.click("type-kubernetes").await;
    s.testid("field-service-account").await;
    s.testid("field-skip-tls-verify").await;
    s.click("type-vault").await;
    s.testid("field-mount-path").await;
    assert!(!s.has("field-service-account").await);

    s.open_yaml_import().await;
    s.fill(
        "yaml-text",
        &format!("# a Juju --config file\nendpoint: {addr}\ntoken: {CANARY}\ncolour: red\n"),
    )
    .await;
    s.click("yaml-apply").await;
    s.wait_text("yaml-unknown", "colour").await;
    assert_eq!(s.value("field-endpoint").await, addr);
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
    let s = Session::start_logged_in(Seed::new().vault_mounted("ex", "juju"), "/backends").await;
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

    s.click_css("a[href=\"/audit\"]").await;
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
