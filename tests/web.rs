//! The console's components in headless Chromium (wasm-bindgen-test): each test mounts a component
//! into a fresh element, then reads what an admin would see.

#![cfg(target_arch = "wasm32")]

use leptos::mount::mount_to;
use leptos::prelude::*;
use secret_backends_api::{BackendStatus, BackendType, SecretBackend};
use secret_backends_console::commands::remove_command;
use secret_backends_console::components::{CommandBox, ConfigView, StatusCell, download_text};
use secret_backends_console::form;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts `view` into a fresh element: the element, and what keeps the view mounted.
fn mounted<N: IntoView + 'static>(
    view: impl FnOnce() -> N + 'static,
) -> (web_sys::HtmlElement, Box<dyn std::any::Any>) {
    let document = web_sys::window().unwrap().document().unwrap();
    let section = document.create_element("section").unwrap();
    document.body().unwrap().append_child(&section).unwrap();
    let root: web_sys::HtmlElement = section.dyn_into().unwrap();
    let handle = mount_to(root.clone(), view);
    (root, Box::new(handle))
}

fn by_testid(root: &web_sys::HtmlElement, testid: &str) -> web_sys::Element {
    root.query_selector(&format!("[data-testid=\"{testid}\"]"))
        .unwrap()
        .unwrap_or_else(|| panic!("no {testid}"))
}

fn text_of(root: &web_sys::HtmlElement, testid: &str) -> String {
    by_testid(root, testid).text_content().unwrap_or_default()
}

fn vault_backend() -> SecretBackend {
    secret_backends_api::fixtures::sealed_vault()
}

#[wasm_bindgen_test]
fn config_view_shows_sensitive_keys_as_set_or_not_set() {
    let (root, _mounted) = mounted(|| view! { <ConfigView backend=vault_backend() /> });
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
    let (root, _mounted) = mounted(|| view! { <StatusCell backend=vault_backend() /> });
    assert_eq!(root.text_content().unwrap(), "error: vault is sealed");
    let mut b = vault_backend();
    b.status = BackendStatus::Active;
    b.message = None;
    let (active, _mounted) = mounted(move || view! { <StatusCell backend=b.clone() /> });
    assert_eq!(active.text_content().unwrap(), "active");
}

#[wasm_bindgen_test]
async fn the_sensitive_field_replaces_or_resets_without_showing_the_value() {
    use secret_backends_console::components::{EditedKey, SensitiveField};
    let original = vault_backend();
    let edit = RwSignal::new(form::Edit::from_backend(&original));
    let spec = *BackendType::Vault.field("token").unwrap();
    let (root, _mounted) = mounted(move || {
        let field = EditedKey {
            spec,
            edit,
            error: Signal::derive(|| None),
        };
        view! { <SensitiveField field=field set=true /> }
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
async fn command_box_shows_the_command_and_follows_it() {
    let command = RwSignal::new(remove_command("myvault", false));
    let (root, _mounted) = mounted(move || {
        view! { <CommandBox command=command testid="remove-command" /> }
    });
    assert!(
        root.text_content()
            .unwrap()
            .contains("Equivalent juju command")
    );
    assert_eq!(
        by_testid(&root, "remove-command").text_content().unwrap(),
        "juju remove-secret-backend myvault"
    );
    assert_eq!(
        by_testid(&root, "remove-command").tag_name().to_lowercase(),
        "code"
    );
    let copy = by_testid(&root, "remove-command-copy");
    assert_eq!(copy.tag_name(), "BUTTON");
    assert_eq!(
        copy.text_content().unwrap(),
        "Copy the juju command",
        "its accessible name"
    );
    command.set(remove_command("myvault", true));
    // Effects run on the next tick of the executor.
    leptos::task::tick().await;
    assert_eq!(
        by_testid(&root, "remove-command").text_content().unwrap(),
        "juju remove-secret-backend myvault --force"
    );
    // A click with or without clipboard access must not break anything.
    copy.unchecked_ref::<web_sys::HtmlElement>().click();
}

#[wasm_bindgen_test]
fn download_text_does_not_throw() {
    let links = || {
        web_sys::window()
            .unwrap()
            .document()
            .unwrap()
            .query_selector_all("a[download]")
            .unwrap()
            .length()
    };
    let before = links();
    download_text("secret-backends.yaml", "application/yaml", "{}\n");
    assert_eq!(before, links(), "the temporary link is removed");
}
