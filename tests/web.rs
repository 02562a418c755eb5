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

mod support;
use support::{by_testid, text_of};

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

// ---------------------------------------------------------------------------------------------
// The console's login: a fake service in place of `window.fetch`.

mod login {
    use secret_backends_api::ErrorCode;
    use secret_backends_console::ConsoleOptions;
    use serde_json::{Value, json};
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::*;

    use super::support::{
        TABS, admin, by_testid, click, console_at, fake_service, has, pathname, problem, requests,
        run, standalone, text_of, until,
    };

    fn closed_channels() -> u64 {
        run("return window.__sbcClosed;", &Value::Null)
            .as_u64()
            .unwrap()
    }

    fn log_in(root: &web_sys::HtmlElement) {
        for (id, text) in [("login-username", "admin"), ("login-password", "pw")] {
            let input: web_sys::HtmlInputElement = by_testid(root, id).dyn_into().unwrap();
            input.set_value(text);
            input
                .dispatch_event(&web_sys::Event::new("input").unwrap())
                .unwrap();
        }
        click(root, "login-submit");
    }

    /// Whether any request carried `header`; and whether every one did.
    fn carried(header: &str) -> (bool, bool) {
        let requests = requests();
        let has = |r: &Value| r["headers"].get(header).is_some();
        (requests.iter().any(has), requests.iter().all(has))
    }

    #[wasm_bindgen_test]
    async fn the_standalone_console_opens_the_page_while_the_browser_session_lives() {
        fake_service(json!({
            "GET /api/v1/whoami": [200, admin()],
            "GET /api/v1/secret-backends": [200, {"backends": []}],
        }));
        let closed = closed_channels();
        let (root, mut handle) = console_at("/backends", standalone());
        until("the backends page", || has(&root, "backends-page")).await;
        until("the user's name", || {
            text_of(&root, "current-user") == "admin"
        })
        .await;
        assert!(!has(&root, "login-form"));
        assert_eq!(pathname(), "/backends", "no detour through the login");
        let requests = requests();
        assert_eq!(requests[0]["key"], "GET /api/v1/whoami", "{requests:?}");
        assert!(
            requests
                .iter()
                .all(|r| r["headers"]["x-requested-by"] == TABS),
            "every request says it comes from the console: {requests:?}"
        );
        assert!(!carried("authorization").0, "the page holds no token");

        // Another tab logged out: this one shows the login, remembering no page.
        run(
            "const c = new BroadcastChannel(args); c.postMessage({type: 'logged-out'}); c.close();",
            &json!(TABS),
        );
        until("the login page", || has(&root, "login-form")).await;
        assert!(!has(&root, "current-user"));
        assert_eq!(pathname(), "/login");

        handle.unmount();
        assert_eq!(
            closed_channels(),
            closed + 2,
            "the console's end of the channel goes with it (and the test's own)"
        );
    }

    #[wasm_bindgen_test]
    async fn the_standalone_console_logs_in_with_a_cookie_and_logs_out_every_tab() {
        fake_service(json!({
            "GET /api/v1/whoami": [401, problem(ErrorCode::Unauthorized)],
            "POST /api/v1/auth/login": [200, {"user": admin(), "expires": "2026-12-01T09:00:00Z"}],
            "POST /api/v1/auth/logout": [204, null],
            "GET /api/v1/secret-backends": [200, {"backends": []}],
        }));
        let (root, _handle) = console_at("/backends", standalone());
        until("the login page", || has(&root, "login-form")).await;
        assert_eq!(pathname(), "/login");
        log_in(&root);
        until("the backends page", || has(&root, "backends-page")).await;
        until("the user's name", || {
            text_of(&root, "current-user") == "admin"
        })
        .await;
        let login = requests()
            .into_iter()
            .find(|r| r["key"] == "POST /api/v1/auth/login")
            .unwrap();
        let body: Value = serde_json::from_str(login["body"].as_str().unwrap()).unwrap();
        assert_eq!(body["session"], "cookie");
        assert_eq!(carried("x-requested-by"), (true, true));
        assert!(!carried("authorization").0, "the page holds no token");

        run(
            "window.__sbcHeard = [];
             window.__sbcListener = new BroadcastChannel(args);
             window.__sbcListener.onmessage = e => window.__sbcHeard.push(e.data);",
            &json!(TABS),
        );
        click(&root, "logout");
        until("the other tabs told", || {
            run("return window.__sbcHeard;", &Value::Null) == json!([{"type": "logged-out"}])
        })
        .await;
        run("window.__sbcListener.close();", &Value::Null);
        let logout = requests()
            .into_iter()
            .find(|r| r["key"] == "POST /api/v1/auth/logout")
            .expect("the service is told first");
        assert_eq!(logout["headers"]["x-requested-by"], TABS);
        until("the login page", || has(&root, "login-form")).await;
    }

    #[wasm_bindgen_test]
    async fn a_console_mounted_by_a_host_keeps_its_login_token_in_memory() {
        fake_service(json!({
            "POST /api/v1/auth/login": [200, {
                "token": "host-login-token", "user": admin(), "expires": "2026-12-01T09:00:00Z"
            }],
            "GET /api/v1/secret-backends": [200, {"backends": []}],
        }));
        let (root, _handle) = console_at("/backends", ConsoleOptions::default());
        until("the login page", || has(&root, "login-form")).await;
        assert!(
            requests()
                .iter()
                .all(|r| r["key"] == "GET /api/v1/controller"),
            "no question about a cookie (only which controller it is)"
        );
        log_in(&root);
        until("the backends page", || has(&root, "backends-page")).await;
        let requests = requests();
        let login = requests
            .iter()
            .find(|r| r["key"] == "POST /api/v1/auth/login")
            .unwrap();
        let body: Value = serde_json::from_str(login["body"].as_str().unwrap()).unwrap();
        assert_eq!(body["session"], "token");
        let list = requests
            .iter()
            .find(|r| r["key"] == "GET /api/v1/secret-backends")
            .unwrap();
        assert_eq!(list["headers"]["authorization"], "Bearer host-login-token");
        assert!(!carried("x-requested-by").0, "{requests:?}");
    }
}
