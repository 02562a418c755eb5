//! The console's components in headless Chromium (wasm-bindgen-test): each test mounts a component
//! into a fresh element, then reads what an admin would see.

#![cfg(target_arch = "wasm32")]

use leptos::mount::mount_to;
use leptos::prelude::*;
use secret_backends_api::{BackendStatus, BackendType, SecretBackend};
use secret_backends_console::components::{ConfigView, StatusCell};
use secret_backends_console::form;
use serde_json::json;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn fresh_section() -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let section = document.create_element("section").unwrap();
    document.body().unwrap().append_child(&section).unwrap();
    section.dyn_into().unwrap()
}

fn text_of(root: &web_sys::HtmlElement, testid: &str) -> String {
    root.query_selector(&format!("[data-testid=\"{testid}\"]"))
        .unwrap()
        .unwrap_or_else(|| panic!("no {testid}"))
        .text_content()
        .unwrap_or_default()
}

fn vault_backend() -> SecretBackend {
    SecretBackend {
        id: "id".into(),
        name: "myvault".into(),
        backend_type: BackendType::Vault,
        built_in: false,
        config: serde_json::from_value(
            json!({"endpoint": "http://10.0.0.1:8200", "namespace": "team"}),
        )
        .unwrap(),
        sensitive_set: vec!["token".into()],
        token_rotate_interval: None,
        next_rotation: None,
        last_rotation: None,
        secrets: 3,
        status: BackendStatus::Error,
        message: Some("vault is sealed".into()),
        checked_at: None,
        models: vec![],
    }
}

#[wasm_bindgen_test]
fn config_view_shows_sensitive_keys_as_set_or_not_set() {
    let root = fresh_section();
    let _mounted = mount_to(
        root.clone(),
        || view! { <ConfigView backend=vault_backend() /> },
    );
    assert_eq!(
        text_of(&root, "config-endpoint"),
        "endpointhttp://10.0.0.1:8200"
    );
    let token = text_of(&root, "config-token");
    assert!(
        token.contains("set") && !token.contains("not set"),
        "{token}"
    );
    assert!(text_of(&root, "config-client-key").contains("not set"));
    assert!(text_of(&root, "config-mount-path").contains("not set"));
    // Every key of the vault schema has a row, in schema order.
    let rows = root.query_selector_all(".sbc-config__row").unwrap();
    assert_eq!(rows.length() as usize, BackendType::Vault.fields().len());
}

#[wasm_bindgen_test]
fn status_cell_reads_like_the_cli_table() {
    let root = fresh_section();
    let _mounted = mount_to(
        root.clone(),
        || view! { <StatusCell backend=vault_backend() /> },
    );
    assert_eq!(root.text_content().unwrap(), "error: vault is sealed");
    let active = fresh_section();
    let mut b = vault_backend();
    b.status = BackendStatus::Active;
    b.message = None;
    let _mounted = mount_to(
        active.clone(),
        move || view! { <StatusCell backend=b.clone() /> },
    );
    assert_eq!(active.text_content().unwrap(), "active");
}

#[wasm_bindgen_test]
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
#[wasm_bindgen_test]
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

#[wasm_bindgen_test]
async fn the_sensitive_field_replaces_or_resets_without_showing_the_value() {
    use secret_backends_console::components::SensitiveField;
    let root = fresh_section();
    let original = vault_backend();
    let edit = RwSignal::new(form::Edit::from_backend(&original));
    let spec = *BackendType::Vault.field("token").unwrap();
    let _mounted = mount_to(root.clone(), move || {
        view! { <SensitiveField spec=spec set=true edit=edit error=Signal::derive(|| None) /> }
    });
    let field = || {
        root.query_selector("[data-testid=\"field-token\"]")
            .unwrap()
    };
    assert!(text_of(&root, "sensitive-token").contains("set"));
    assert!(field().is_none(), "no input until Replace");

    let click = |id: &str| {
        root.query_selector(&format!("[data-testid=\"{id}\"]"))
            .unwrap()
            .unwrap()
            .dyn_into::<web_sys::HtmlElement>()
            .unwrap()
            .click()
    };
    click("replace-token");
    leptos::task::tick().await;
    let input: web_sys::HtmlInputElement =
        field().expect("an input after Replace").dyn_into().unwrap();
    assert_eq!(input.type_(), "password");
    assert_eq!(
        input.value(),
        "",
        "the stored value is never put in the input"
    );

    click("reset-token");
    leptos::task::tick().await;
    assert!(edit.with_untracked(|e| e.reset.contains("token")));
    assert!(text_of(&root, "sensitive-token").contains("will be cleared"));
}

#[wasm_bindgen_test]
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
