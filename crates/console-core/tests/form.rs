//! The form-to-request mapping (`src/form.rs`): what the console refuses before sending, and the
//! review of an edit.

use secret_backends_api::{BackendType, SecretBackend};
use secret_backends_console_core::form;
use serde_json::json;

fn vault_backend() -> SecretBackend {
    secret_backends_api::fixtures::sealed_vault()
}

#[test]
fn add_form_refuses_what_the_service_refuses() {
    let config = form::config_from_inputs(
        BackendType::Vault,
        [
            ("endpoint", "http://10.0.0.1:8200".to_owned()),
            ("token", "  ".to_owned()),
        ],
    );
    assert!(!config.contains_key("token"), "blank inputs are not sent");
    let e = form::add_request("internal", BackendType::Vault, config.clone(), "").unwrap_err();
    assert_eq!(e.detail, "reserved name \"internal\" not valid");
    let e = form::add_request("v", BackendType::Vault, config.clone(), "7d").unwrap_err();
    assert_eq!(e.field.as_deref(), Some("token-rotate-interval"));
    let e = form::add_request("v", BackendType::Vault, Default::default(), "").unwrap_err();
    assert_eq!(e.detail, "endpoint: expected string, got nothing");
    let ok = form::add_request(" v ", BackendType::Vault, config, "24h").unwrap();
    assert_eq!(ok.name, "v");
    assert_eq!(ok.token_rotate_interval.as_deref(), Some("24h"));
}

/// The review lists what changes; a replaced sensitive key says "changed", never its value.
#[test]
fn the_review_of_an_edit_names_changes_without_sensitive_values() {
    let mut original = vault_backend();
    original.config.insert("mount-path".into(), json!("first"));
    let mut edit = form::Edit::from_backend(&original);
    edit.values.insert("mount-path".into(), "second".into());
    edit.replaced
        .insert("token".into(), "CANARY-web-token".into());
    edit.reset.insert("namespace".into());
    edit.name = "renamed".into();
    edit.rotate = "0".into();
    let (request, changes) = form::update_request(&original, &edit, false).unwrap();
    assert_eq!(request.config["mount-path"], json!("second"));
    assert_eq!(request.config["token"], json!("CANARY-web-token"));
    assert_eq!(request.reset, vec!["namespace".to_owned()]);
    assert_eq!(request.name.as_deref(), Some("renamed"));
    assert_eq!(request.token_rotate_interval.as_deref(), Some("0"));
    let text: Vec<String> = changes.iter().map(|c| c.description.clone()).collect();
    assert!(
        text.contains(&"mount-path: \"first\" → \"second\"".to_owned()),
        "{text:?}"
    );
    assert!(text.iter().any(|t| t.starts_with("token: changed")));
    assert!(!text.iter().any(|t| t.contains("CANARY")), "{text:?}");
    assert!(text.iter().any(|t| t.contains("namespace: reset")));

    // Nothing typed: nothing to review.
    let (_, none) =
        form::update_request(&original, &form::Edit::from_backend(&original), false).unwrap();
    assert!(none.is_empty(), "{none:?}");
    // The shared rules refuse what the service would.
    let mut bad = form::Edit::from_backend(&original);
    bad.values
        .insert("endpoint".into(), "http://elsewhere:8200".into());
    let e = form::update_request(&original, &bad, false).unwrap_err();
    assert_eq!(e.detail, "cannot change immutable field \"endpoint\"");
    let mut bad = form::Edit::from_backend(&original);
    bad.rotate = "10m".into();
    assert!(
        form::update_request(&original, &bad, false)
            .unwrap_err()
            .detail
            .contains("less than 1h")
    );
}

#[test]
fn kubernetes_form_values_are_typed_from_the_schema() {
    // A real certificate: the shared rules parse PEM before the other checks.
    let pem = secret_backends_api::fixtures::CERT;
    let config = form::config_from_inputs(
        BackendType::Kubernetes,
        [
            ("endpoint", "https://k8s:6443".to_owned()),
            ("namespace", "ns".to_owned()),
            ("skip-tls-verify", "true".to_owned()),
            ("ca-certs", format!("{pem}{pem}")),
        ],
    );
    assert_eq!(config["skip-tls-verify"], json!(true));
    assert_eq!(
        config["ca-certs"].as_array().unwrap().len(),
        2,
        "one list item per PEM block"
    );
    let e = form::add_request("k", BackendType::Kubernetes, config, "1h").unwrap_err();
    assert_eq!(e.detail, "k8s config missing service account not valid");
}
