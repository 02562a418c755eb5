//! The add form: changing the type, filling it from a Juju `--config` file, the equivalent
//! commands, and where a refusal is shown.

use secret_backends_e2e::{Seed, Session, openbao};
use serde_json::json;

/// A session over `seed`, logged in on the add form.
async fn start_on_the_add_form(seed: Seed) -> Session {
    let s = Session::start_logged_in(seed, "/backends/new").await;
    s.testid("add-backend-form").await;
    s
}

async fn import_text(s: &Session, yaml: &str) {
    s.open_yaml_import().await;
    s.fill("yaml-text", yaml).await;
    s.click("yaml-apply").await;
}

#[tokio::test]
async fn changing_the_type_drops_the_test_result_and_keeps_each_types_values_apart() {
    let (addr, token) = openbao();
    let s = start_on_the_add_form(Seed::new()).await;
    s.fill("field-endpoint", &addr).await;
    s.fill("field-token", &token).await;
    s.test_connection_passes().await;

    s.click("type-kubernetes").await;
    s.testid("field-service-account").await;
    s.wait_gone("[data-testid=\"check-result\"]").await;
    // The vault token is not a kubernetes token, nor the vault endpoint its endpoint.
    assert_eq!(s.value("field-token").await, "");
    assert_eq!(s.value("field-endpoint").await, "");
    s.fill("field-token", "k8s-token").await;

    // Back to vault: what was typed for it is there again, the test result is not.
    s.click("type-vault").await;
    s.testid("field-mount-path").await;
    s.wait_value("field-token", &token).await;
    assert_eq!(s.value("field-endpoint").await, addr);
    assert!(!s.has("check-result").await);
    s.click("type-kubernetes").await;
    s.wait_value("field-token", "k8s-token").await;
    s.close().await.unwrap();
}

#[tokio::test]
async fn a_config_file_fills_the_rotation_and_a_second_file_replaces_the_first() {
    let s = start_on_the_add_form(Seed::new()).await;
    import_text(
        &s,
        "endpoint: http://10.0.0.1:8200\nnamespace: team-a\ntoken-rotate: 24h\n",
    )
    .await;
    // `token-rotate` is the rotation interval, as for `juju add-secret-backend`, not unknown.
    s.wait_text("yaml-result", "filled").await;
    assert!(!s.has("yaml-unknown").await);
    s.wait_value("field-token-rotate-interval", "24h").await;
    assert_eq!(s.value("field-namespace").await, "team-a");

    // A flow mapping, as YAML allows: it replaces what the first file filled.
    import_text(&s, "{endpoint: http://10.0.0.2:8200, token: t0}\n").await;
    s.wait_value("field-endpoint", "http://10.0.0.2:8200").await;
    assert_eq!(s.value("field-namespace").await, "");
    assert_eq!(s.value("field-token-rotate-interval").await, "");
    assert_eq!(s.value("field-token").await, "t0");

    // Anchors and aliases; then a file that cannot be read changes nothing.
    import_text(
        &s,
        "endpoint: &e http://10.0.0.3:8200\ntls-server-name: *e\n",
    )
    .await;
    s.wait_value("field-tls-server-name", "http://10.0.0.3:8200")
        .await;
    assert_eq!(s.value("field-token").await, "");
    import_text(&s, "endpoint: http://10.0.0.4:8200\ntoken: !secret x\n").await;
    s.wait_text(
        "yaml-import",
        "line 2: the tag \"!secret\" is not supported",
    )
    .await;
    assert_eq!(s.value("field-endpoint").await, "http://10.0.0.3:8200");
    s.close().await.unwrap();
}

#[tokio::test]
async fn after_an_import_the_command_box_also_offers_the_config_file_form() {
    let s = start_on_the_add_form(Seed::new()).await;
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
    s.open_yaml_import().await;
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
    let s = start_on_the_add_form(Seed::new().vault("taken")).await;

    // Refused in the browser.
    s.submit_vault_form("Bad_Name", &addr, &token).await;
    s.wait_css_text("#sbc-field-name-error", "lowercase").await;
    assert!(!s.has("alert").await, "not also in an alert above the form");
    let focused = s.js("return document.activeElement.id").await;
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
