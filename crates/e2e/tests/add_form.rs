//! The add form: changing the type, filling it from a Juju `--config` file, the equivalent
//! commands, and where a refusal is shown.

use secret_backends_e2e::{Session, openbao};
use serde_json::json;

async fn add_page(s: &Session) {
    s.open("/backends/new").await;
    s.wait_path("/login").await;
    s.login_admin().await;
    s.wait_path("/backends/new").await;
    s.testid("add-backend-form").await;
}

async fn value(s: &Session, testid: &str) -> String {
    s.testid(testid)
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

/// Waits until the input with `testid` holds exactly `expected`.
async fn wait_value(s: &Session, testid: &str, expected: &str) {
    let deadline = tokio::time::Instant::now() + secret_backends_e2e::WAIT;
    loop {
        let now = value(s, testid).await;
        if now == expected {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{testid} holds {now:?}, expected {expected:?}"
        );
        s.next_frame().await;
    }
}

async fn import_text(s: &Session, yaml: &str) {
    if !s.testid("yaml-text").await.is_displayed().await.unwrap() {
        s.css("[data-testid=\"yaml-import\"] summary")
            .await
            .click()
            .await
            .unwrap();
    }
    s.fill("yaml-text", yaml).await;
    s.click("yaml-apply").await;
}

#[tokio::test]
async fn changing_the_type_drops_the_test_result_and_keeps_each_types_values_apart() {
    let (addr, token) = openbao();
    let s = Session::start().await;
    add_page(&s).await;
    s.fill("field-endpoint", &addr).await;
    s.fill("field-token", &token).await;
    s.click("test-connection").await;
    s.wait_text("check-result", "Connection test passed").await;

    s.click("type-kubernetes").await;
    s.testid("field-service-account").await;
    s.wait_gone("[data-testid=\"check-result\"]").await;
    // The vault token is not a kubernetes token, nor the vault endpoint its endpoint.
    assert_eq!(value(&s, "field-token").await, "");
    assert_eq!(value(&s, "field-endpoint").await, "");
    s.fill("field-token", "k8s-token").await;

    // Back to vault: what was typed for it is there again, the test result is not.
    s.click("type-vault").await;
    s.testid("field-mount-path").await;
    wait_value(&s, "field-token", &token).await;
    assert_eq!(value(&s, "field-endpoint").await, addr);
    assert!(!s.has("check-result").await);
    s.click("type-kubernetes").await;
    wait_value(&s, "field-token", "k8s-token").await;
    s.close().await.unwrap();
}

#[tokio::test]
async fn a_config_file_fills_the_rotation_and_a_second_file_replaces_the_first() {
    let s = Session::start().await;
    add_page(&s).await;
    import_text(
        &s,
        "endpoint: http://10.0.0.1:8200\nnamespace: team-a\ntoken-rotate: 24h\n",
    )
    .await;
    // `token-rotate` is the rotation interval, as for `juju add-secret-backend`, not unknown.
    s.wait_text("yaml-result", "filled").await;
    assert!(!s.has("yaml-unknown").await);
    wait_value(&s, "field-token-rotate-interval", "24h").await;
    assert_eq!(value(&s, "field-namespace").await, "team-a");

    // A flow mapping, as YAML allows: it replaces what the first file filled.
    import_text(&s, "{endpoint: http://10.0.0.2:8200, token: t0}\n").await;
    wait_value(&s, "field-endpoint", "http://10.0.0.2:8200").await;
    assert_eq!(value(&s, "field-namespace").await, "");
    assert_eq!(value(&s, "field-token-rotate-interval").await, "");
    assert_eq!(value(&s, "field-token").await, "t0");

    // Anchors and aliases; then a file that cannot be read changes nothing.
    import_text(
        &s,
        "endpoint: &e http://10.0.0.3:8200\ntls-server-name: *e\n",
    )
    .await;
    wait_value(&s, "field-tls-server-name", "http://10.0.0.3:8200").await;
    assert_eq!(value(&s, "field-token").await, "");
    import_text(&s, "endpoint: http://10.0.0.4:8200\ntoken: !secret x\n").await;
    s.wait_text(
        "yaml-import",
        "line 2: the tag \"!secret\" is not supported",
    )
    .await;
    assert_eq!(value(&s, "field-endpoint").await, "http://10.0.0.3:8200");
    s.close().await.unwrap();
}

#[tokio::test]
async fn after_an_import_the_command_box_also_offers_the_config_file_form() {
    let s = Session::start().await;
    add_page(&s).await;
    assert!(
        !s.has("add-command-config").await,
        "no file, no --config form"
    );
    s.fill("field-name", "myvault").await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault-prod.yaml");
    std::fs::write(
        &path,
        "endpoint: http://10.0.0.1:8200\ntoken: s.file-token\ntoken-rotate: 24h\n",
    )
    .unwrap();
    s.css("[data-testid=\"yaml-import\"] summary")
        .await
        .click()
        .await
        .unwrap();
    s.testid("yaml-file")
        .await
        .send_keys(path.to_str().unwrap())
        .await
        .unwrap();
    s.wait_text(
        "add-command-config",
        "juju add-secret-backend myvault vault --config vault-prod.yaml",
    )
    .await;
    // The key=value form is still there, with a placeholder for the token.
    let plain = s
        .wait_text("add-command", "endpoint=http://10.0.0.1:8200")
        .await;
    assert!(plain.contains("token=<token>") && plain.contains("token-rotate=24h"));
    assert!(!plain.contains("s.file-token"));

    // What the form changes after the import is passed as arguments that override the file.
    s.fill("field-namespace", "team-b").await;
    s.wait_text(
        "add-command-config",
        "juju add-secret-backend myvault vault namespace=team-b --config vault-prod.yaml",
    )
    .await;
    // A setting of the file taken out of the form cannot be said with --config.
    s.fill("field-token-rotate-interval", "").await;
    s.wait_gone("[data-testid=\"add-command-config\"]").await;
    s.close().await.unwrap();
}

#[tokio::test]
async fn a_refusal_that_names_a_field_is_shown_once_under_it() {
    let (addr, token) = openbao();
    let s = Session::start().await;
    s.seed_vault("taken", json!({})).await;
    add_page(&s).await;

    // Refused in the browser.
    s.fill("field-name", "Bad_Name").await;
    s.fill("field-endpoint", &addr).await;
    s.fill("field-token", &token).await;
    s.click("add-submit").await;
    s.wait_css_text("#sbc-field-name-error", "lowercase").await;
    assert!(!s.has("alert").await, "not also in an alert above the form");
    let focused = s
        .browser
        .execute("return document.activeElement.id", vec![])
        .await
        .unwrap();
    assert_eq!(
        focused,
        json!("sbc-field-name"),
        "the field takes the focus"
    );

    // Refused by the service, which names the field.
    s.fill("field-name", "taken").await;
    s.click("add-submit").await;
    s.wait_css_text(
        "#sbc-field-name-error",
        "secret backend \"taken\" already exists",
    )
    .await;
    assert!(!s.has("alert").await, "not also in an alert above the form");
    s.close().await.unwrap();
}
