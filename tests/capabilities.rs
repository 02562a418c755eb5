//! The console in front of controllers that offer different things (`GET /controller`), in
//! headless Chromium against a fake service: in front of a Juju controller each control the
//! controller does not offer is gone and the page says why (`not-offered-<capability>`); in front
//! of the embedded controller, or a service too old to say, every control is there and no reason.

#![cfg(target_arch = "wasm32")]

use secret_backends_api::fixtures;
use secret_backends_api::{
    BackendType, BackendTypes, Capabilities, ControllerInfo, ControllerKind, LastRotation, Model,
    ModelBackendState, ModelBackendStatus, ModelType, SecretBackend, SecretInfo,
};
use secret_backends_console::{ConsoleHandle, ConsoleOptions};
use serde_json::json;
use wasm_bindgen_test::*;

mod support;
use support::{admin, click, console_at, fake_service, has, requests, text_of, until};

wasm_bindgen_test_configure!(run_in_browser);

/// What the service reports in bridge mode.
fn juju() -> ControllerInfo {
    ControllerInfo {
        kind: ControllerKind::Juju,
        capabilities: Capabilities::core_only(),
    }
}

fn embedded() -> ControllerInfo {
    ControllerInfo {
        kind: ControllerKind::Embedded,
        capabilities: Capabilities::all(),
    }
}

/// A vault backend with everything the pages can show: rotation times, secrets, a model.
fn backend() -> SecretBackend {
    let mut b = fixtures::backend(
        "v",
        BackendType::Vault,
        json!({"endpoint": "http://10.0.0.1:8200"}),
    );
    b.token_rotate_interval = Some("1h".into());
    b.next_rotation = Some("2026-12-01T01:00:00Z".into());
    b.last_rotation = Some(LastRotation {
        at: "2026-12-01T00:00:00Z".into(),
        error: None,
    });
    b.secrets = 2;
    b.models = vec!["m".into()];
    b
}

fn model() -> Model {
    Model {
        name: "m".into(),
        uuid: "m-uuid".into(),
        model_type: ModelType::Iaas,
        secret_backend: "v".into(),
        effective_backend: "v".into(),
        secret_backends: [(
            "v".to_owned(),
            ModelBackendState {
                status: ModelBackendStatus::Active,
                secrets: 2,
            },
        )]
        .into(),
    }
}

/// The same data whatever the controller: only what it says it offers differs. `info: None` is a
/// service older than `GET /controller` (a 404).
fn serve(info: Option<ControllerInfo>) {
    let secret = SecretInfo {
        uri: "secret:abc".into(),
        label: "db".into(),
        revision: 1,
        backend: "v".into(),
    };
    let mut answers = json!({
        "GET /api/v1/whoami": [200, admin()],
        "GET /api/v1/secret-backends": [200, {"backends": [backend()]}],
        "GET /api/v1/secret-backends/v": [200, backend()],
        "GET /api/v1/backend-types": [200, BackendTypes::from_schema()],
        "GET /api/v1/audit": [200, {"entries": [
            {"id": 1, "at": "2026-12-01T00:00:00Z", "user": "admin", "action": "add",
             "backend": "v"}
        ]}],
        "GET /api/v1/models": [200, {"models": [model()]}],
        "GET /api/v1/models/m": [200, model()],
        "GET /api/v1/models/m/secrets": [200, {"secrets": [secret]}],
    });
    if let Some(info) = info {
        answers["GET /api/v1/controller"] = json!([200, info]);
    }
    fake_service(answers);
}

/// A console at `path`, logged in with a token unless it is the login page, once `ready` shows.
async fn open(path: &str, ready: &str) -> (web_sys::HtmlElement, ConsoleHandle) {
    let token = (path != "/login").then(|| "host-token".to_owned());
    let options = ConsoleOptions {
        token,
        ..ConsoleOptions::default()
    };
    let logged_in = options.token.is_some();
    let (root, handle) = console_at(path, options);
    until(ready, || has(&root, ready)).await;
    // Superusers' controls show once the console knows who holds the token.
    if logged_in {
        until("the user", || text_of(&root, "current-user") == "admin").await;
    }
    (root, handle)
}

/// Whether the service was asked `key` (`"GET /api/v1/audit"`).
fn asked(key: &str) -> bool {
    requests().iter().any(|r| r["key"] == key)
}

fn audit_link(root: &web_sys::HtmlElement) -> bool {
    root.query_selector("nav a[href=\"/audit\"]")
        .unwrap()
        .is_some()
}

fn any_reason(root: &web_sys::HtmlElement) -> bool {
    root.query_selector("[data-testid^=\"not-offered-\"], [data-testid=\"login-juju\"]")
        .unwrap()
        .is_some()
}

/// A page, the test id that says it is loaded, the controls that need more than the core API, and
/// in front of a Juju controller the reasons shown instead (test id, words of the sentence).
struct Expect<'a> {
    page: &'a str,
    ready: &'a str,
    controls: &'a [&'a str],
    reasons: &'a [(&'a str, &'a str)],
}

const PAGES: [Expect<'static>; 6] = [
    Expect {
        page: "/login",
        ready: "login-form",
        controls: &[],
        reasons: &[("login-juju", "Log in with a Juju user of this controller")],
    },
    Expect {
        page: "/backends",
        ready: "backend-row-v",
        controls: &[],
        reasons: &[("not-offered-change-feed", "Updates every 10 seconds")],
    },
    Expect {
        page: "/backends/v",
        ready: "backend-facts",
        controls: &[
            "rotate-now",
            "rotation-next",
            "rotation-last",
            "backend-audit",
        ],
        reasons: &[
            (
                "not-offered-rotation-times",
                "Rotation times are not reported by this Juju controller",
            ),
            (
                "not-offered-backend-usage",
                "Which models use a backend is not reported",
            ),
            (
                "not-offered-audit",
                "The audit trail of this Juju controller",
            ),
        ],
    },
    Expect {
        page: "/backends/new",
        ready: "add-submit",
        controls: &["test-connection"],
        reasons: &[(
            "not-offered-connection-test",
            "it checks the backend when it is added",
        )],
    },
    Expect {
        page: "/models",
        ready: "model-row-m",
        controls: &["model-backends-m"],
        reasons: &[("not-offered-backend-usage", "Which models use a backend")],
    },
    Expect {
        page: "/models/m",
        ready: "model-facts",
        controls: &["model-backends-table", "model-secrets-table"],
        reasons: &[
            ("not-offered-backend-usage", "Which models use a backend"),
            ("not-offered-secrets", "juju secrets lists them"),
        ],
    },
];

#[wasm_bindgen_test]
async fn in_front_of_juju_each_control_not_offered_gives_way_to_its_reason() {
    serve(Some(juju()));
    for expect in PAGES {
        let (root, _handle) = open(expect.page, expect.ready).await;
        for (reason, words) in expect.reasons {
            until(reason, || has(&root, reason)).await;
            let text = text_of(&root, reason);
            assert!(text.contains(words), "{}: {reason}: {text}", expect.page);
        }
        for control in expect.controls {
            assert!(!has(&root, control), "{}: {control}", expect.page);
        }
        assert!(!audit_link(&root), "{}: no link to the audit", expect.page);
    }
    assert!(
        has_rotation_interval().await,
        "the interval is config: it stays"
    );
    assert!(
        !asked("GET /api/v1/audit"),
        "the audit trail is not asked for"
    );
    assert!(!asked("GET /api/v1/models/m/secrets"), "nor the secrets");

    // Reached by its URL, the audit page says why instead of asking.
    {
        let (root, _handle) = open("/audit", "not-offered-audit").await;
        assert!(has(&root, "audit-page"));
        assert!(!asked("GET /api/v1/audit"));
    }
    // Removing: no claim about which models use it.
    let warning = remove_warning().await;
    assert!(
        warning.starts_with("It holds 2 secrets. Juju refuses"),
        "{warning}"
    );
}

/// What the remove dialog of `/backends/v` warns.
async fn remove_warning() -> String {
    let (root, _handle) = open("/backends/v", "remove-backend").await;
    click(&root, "remove-backend");
    until("the remove dialog", || has(&root, "remove-in-use")).await;
    text_of(&root, "remove-in-use")
}

/// The rotation interval of `/backends/v`: shown whatever the controller.
async fn has_rotation_interval() -> bool {
    let (root, _handle) = open("/backends/v", "backend-facts").await;
    text_of(&root, "rotation-interval") == "1h"
}

#[wasm_bindgen_test]
async fn in_front_of_the_embedded_controller_or_an_older_service_everything_is_offered() {
    for info in [Some(embedded()), None] {
        serve(info.clone());
        for expect in PAGES {
            let (root, _handle) = open(expect.page, expect.ready).await;
            for control in expect.controls {
                until(control, || has(&root, control)).await;
            }
            assert!(!any_reason(&root), "{}: {info:?}", expect.page);
            if expect.page != "/login" {
                until("the audit link", || audit_link(&root)).await;
            }
        }
        assert!(has_rotation_interval().await);
        {
            let (root, _handle) = open("/audit", "audit-row").await;
            assert!(!any_reason(&root));
        }
        assert!(remove_warning().await.contains("(models using it: m)"));
    }
}
