//! The `juju` commands, the exports and the `--config` reader (`src/commands.rs`), and the
//! CommandBox component, in headless Chromium (wasm-bindgen-test).

#![cfg(target_arch = "wasm32")]

use leptos::mount::mount_to;
use leptos::prelude::*;
use secret_backends_api::{
    AddBackendRequest, BackendStatus, BackendType, Config, SecretBackend, UpdateBackendRequest,
};
use secret_backends_console::commands::{
    ConfigFile, SENSITIVE_KEYS, add_command, export_json, export_yaml, is_sensitive_key,
    model_command, parse_config_yaml, remove_command, shell_word, update_command,
};
use secret_backends_console::components::{CommandBox, download_text};
use serde_json::{Value, json};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A value that must never show up in a command.
const CANARY: &str = "s.CANARY-4f1d9";
const PEM: &str = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n";

fn cfg(v: Value) -> Config {
    serde_json::from_value(v).unwrap()
}

fn backend(name: &str, backend_type: BackendType, config: Value) -> SecretBackend {
    SecretBackend {
        id: format!("{name}-id"),
        name: name.into(),
        backend_type,
        built_in: false,
        config: cfg(config),
        sensitive_set: vec![],
        token_rotate_interval: None,
        next_rotation: None,
        last_rotation: None,
        secrets: 0,
        status: BackendStatus::Active,
        message: None,
        checked_at: None,
        models: vec![],
    }
}

// ---------------------------------------------------------------------------------------------
// Commands

#[wasm_bindgen_test]
fn add_command_puts_placeholders_for_sensitive_values() {
    let request = AddBackendRequest {
        name: "myvault".into(),
        backend_type: "vault".into(),
        config: cfg(json!({
            "endpoint": "http://10.0.0.1:8200",
            "token": CANARY,
            "client-cert": PEM,
            "client-key": format!("-----BEGIN PRIVATE KEY-----\n{CANARY}\n-----END PRIVATE KEY-----\n"),
        })),
        ..Default::default()
    };
    let command = add_command(&request);
    assert!(!command.contains(CANARY), "{command}");
    assert!(
        !command.contains("MIIB"),
        "PEM is read from a file: {command}"
    );
    assert_eq!(
        command,
        "juju add-secret-backend myvault vault endpoint=http://10.0.0.1:8200 token=<token> \
         client-cert=\"$(cat client-cert.pem)\" client-key=<client-key>"
    );

    let k8s = AddBackendRequest {
        name: "k8s".into(),
        backend_type: "kubernetes".into(),
        config: cfg(json!({
            "endpoint": "https://10.0.0.2:6443",
            "namespace": "secrets",
            "username": "admin",
            "password": CANARY,
        })),
        ..Default::default()
    };
    let command = add_command(&k8s);
    assert!(!command.contains(CANARY), "{command}");
    assert!(command.contains(" password=<password>"), "{command}");
}

#[wasm_bindgen_test]
fn add_command_follows_the_schema_order_then_unknown_keys_sorted() {
    let request = AddBackendRequest {
        name: "k8s".into(),
        backend_type: "kubernetes".into(),
        config: cfg(json!({
            "skip-tls-verify": true,
            "zz-extra": "z",
            "ca-certs": [PEM, PEM],
            "namespace": "secrets",
            "aa-extra": "a",
            "endpoint": "https://10.0.0.2:6443",
            "prefer-incluster-address": false,
            "service-account": "juju-secrets",
        })),
        token_rotate_interval: Some("24h".into()),
        import_id: Some("0f9a-import".into()),
    };
    assert_eq!(
        add_command(&request),
        "juju add-secret-backend k8s kubernetes endpoint=https://10.0.0.2:6443 namespace=secrets \
         service-account=juju-secrets ca-certs=\"$(cat ca-certs.pem)\" skip-tls-verify=true \
         prefer-incluster-address=false aa-extra=a zz-extra=z token-rotate=24h --import-id 0f9a-import"
    );
}

#[wasm_bindgen_test]
fn add_command_quotes_values_for_the_shell() {
    let request = AddBackendRequest {
        name: "myvault".into(),
        backend_type: "vault".into(),
        config: cfg(json!({
            "endpoint": "http://vault:8200",
            "namespace": "team a's",
            "mount-path": "$HOME/secrets",
            "tls-server-name": "",
        })),
        ..Default::default()
    };
    assert_eq!(
        add_command(&request),
        r#"juju add-secret-backend myvault vault endpoint=http://vault:8200 namespace='team a'\''s' mount-path='$HOME/secrets' tls-server-name=''"#
    );
    assert_eq!(shell_word("plain-1.2/x:y"), "plain-1.2/x:y");
    assert_eq!(shell_word("a b"), "'a b'");
    assert_eq!(shell_word("it's"), r"'it'\''s'");
    assert_eq!(shell_word("~root"), "'~root'");
    assert_eq!(shell_word(""), "''");
}

#[wasm_bindgen_test]
fn update_command_writes_every_option() {
    let request = UpdateBackendRequest {
        name: Some("newvault".into()),
        config: cfg(json!({
            "token": CANARY,
            "namespace": "team b",
            "ca-cert": PEM,
        })),
        reset: vec!["mount-path".into(), "tls-server-name".into()],
        token_rotate_interval: Some("0".into()),
        force: true,
    };
    let command = update_command("myvault", &request);
    assert!(!command.contains(CANARY), "{command}");
    assert_eq!(
        command,
        "juju update-secret-backend myvault ca-cert=\"$(cat ca-cert.pem)\" namespace='team b' \
         token=<token> name=newvault token-rotate=0 --reset mount-path,tls-server-name --force"
    );
    assert_eq!(
        update_command("myvault", &UpdateBackendRequest::default()),
        "juju update-secret-backend myvault"
    );
    let k8s = UpdateBackendRequest {
        config: cfg(json!({"password": CANARY, "client-key": CANARY, "skip-tls-verify": true})),
        ..Default::default()
    };
    assert_eq!(
        update_command("k8s", &k8s),
        "juju update-secret-backend k8s client-key=<client-key> password=<password> \
         skip-tls-verify=true"
    );
}

#[wasm_bindgen_test]
fn sensitive_key_names_are_the_sensitive_keys_of_every_schema() {
    for t in BackendType::ALL {
        for f in t.fields() {
            assert_eq!(
                is_sensitive_key(f.name),
                f.sensitive,
                "{t} {}: the update command decides by name",
                f.name
            );
        }
    }
    for key in SENSITIVE_KEYS {
        assert!(
            BackendType::ALL
                .iter()
                .any(|t| t.field(key).is_some_and(|f| f.sensitive)),
            "{key}"
        );
    }
}

#[wasm_bindgen_test]
fn remove_and_model_commands() {
    assert_eq!(
        remove_command("myvault", false),
        "juju remove-secret-backend myvault"
    );
    assert_eq!(
        remove_command("myvault", true),
        "juju remove-secret-backend myvault --force"
    );
    assert_eq!(
        model_command("mymodel", "myvault"),
        "juju model-secret-backend -m mymodel myvault"
    );
}

// ---------------------------------------------------------------------------------------------
// Exports

fn exported_backends() -> Vec<SecretBackend> {
    let mut vault = backend(
        "myvault",
        BackendType::Vault,
        json!({"endpoint": "http://vault"}),
    );
    vault.id = "vault-id".into();
    vault.token_rotate_interval = Some("11h6m0s".into());
    vault.secrets = 666;
    vault.status = BackendStatus::Error;
    vault.message = Some("vault is sealed".into());
    vault.sensitive_set = vec!["token".into()];
    let mut internal = backend("internal", BackendType::Controller, json!({}));
    internal.id = "deadbeef-controller".into();
    internal.built_in = true;
    internal.secrets = 3;
    // Given out of order: the export sorts by name.
    vec![vault, internal]
}

#[wasm_bindgen_test]
fn export_yaml_prints_what_juju_secret_backends_prints() {
    assert_eq!(
        export_yaml(&exported_backends()),
        "internal:
  backend: controller
  secrets: 3
  status: active
  id: deadbeef-controller
myvault:
  backend: vault
  token-rotate-interval: 11h6m0s
  config:
    endpoint: http://vault
  secrets: 666
  status: error
  message: vault is sealed
  id: vault-id
"
    );
    assert_eq!(export_yaml(&[]), "{}\n");
}

#[wasm_bindgen_test]
fn export_yaml_quotes_strings_and_writes_pem_as_blocks() {
    let mut k8s = backend(
        "k8s",
        BackendType::Kubernetes,
        json!({
            "ca-cert": PEM,
            "ca-certs": [PEM, "one line"],
            "namespace": "8200",
            "password": "yes",
            "service-account": " padded",
            "skip-tls-verify": true,
            "token": "a: b # c",
            "username": "say \"hi\"\tnow",
            "client-cert": "no final newline\nsecond",
            "endpoint": "",
        }),
    );
    k8s.message = Some("backend not reachable: dial tcp 10.0.0.2:6443: connection refused".into());
    assert_eq!(
        export_yaml(&[k8s]),
        r#"k8s:
  backend: kubernetes
  config:
    ca-cert: |
      -----BEGIN CERTIFICATE-----
      MIIBszCCAVmgAwIBAgIU
      -----END CERTIFICATE-----
    ca-certs:
    - |
      -----BEGIN CERTIFICATE-----
      MIIBszCCAVmgAwIBAgIU
      -----END CERTIFICATE-----
    - one line
    client-cert: |-
      no final newline
      second
    endpoint: ""
    namespace: "8200"
    password: "yes"
    service-account: " padded"
    skip-tls-verify: true
    token: "a: b # c"
    username: "say \"hi\"\tnow"
  secrets: 0
  status: active
  message: "backend not reachable: dial tcp 10.0.0.2:6443: connection refused"
  id: k8s-id
"#
    );
}

#[wasm_bindgen_test]
fn export_json_has_the_same_shape() {
    let text = export_json(&exported_backends());
    assert!(text.ends_with("}\n"), "{text}");
    assert!(
        text.contains("\n  \"internal\": {"),
        "pretty-printed: {text}"
    );
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        v,
        json!({
            "internal": {
                "backend": "controller",
                "secrets": 3,
                "status": "active",
                "id": "deadbeef-controller",
            },
            "myvault": {
                "backend": "vault",
                "token-rotate-interval": "11h6m0s",
                "config": {"endpoint": "http://vault"},
                "secrets": 666,
                "status": "error",
                "message": "vault is sealed",
                "id": "vault-id",
            },
        })
    );
    // Keys in Juju's order within a backend.
    let vault = &text[text.find("\"myvault\"").unwrap()..];
    let at = |k: &str| vault.find(&format!("\"{k}\"")).unwrap();
    assert!(at("backend") < at("token-rotate-interval"));
    assert!(at("token-rotate-interval") < at("config"));
    assert!(at("config") < at("secrets"));
    assert!(at("secrets") < at("status"));
    assert!(at("status") < at("message"));
    assert!(at("message") < at("id"));
    assert_eq!(export_json(&[]), "{}\n");
}

// ---------------------------------------------------------------------------------------------
// Reading a --config file

#[wasm_bindgen_test]
fn config_file_with_a_pem_block_comments_and_unknown_keys() {
    let text = "\
# Vault for production
endpoint: https://10.0.0.1:8200   # the VIP

token: 's.it''s'
namespace: \"team\\tA\"
ca-cert: |
  -----BEGIN CERTIFICATE-----
  MIIBszCCAVmgAwIBAgIU
  -----END CERTIFICATE-----

# unknown keys are reported
role-id: abc
approle: true
";
    let file = parse_config_yaml(BackendType::Vault, text).unwrap();
    assert_eq!(
        file,
        ConfigFile {
            config: cfg(json!({
                "endpoint": "https://10.0.0.1:8200",
                "token": "s.it's",
                "namespace": "team\tA",
                "ca-cert": PEM,
            })),
            unknown: vec!["approle".into(), "role-id".into()],
        }
    );
}

#[wasm_bindgen_test]
fn config_file_with_lists_and_booleans() {
    let text = "\
---
endpoint: https://10.0.0.2:6443
namespace: 'true'
ca-certs:
  - |
    -----BEGIN CERTIFICATE-----
    MIIBszCCAVmgAwIBAgIU
    -----END CERTIFICATE-----
  # a second CA
  - one line
skip-tls-verify: yes
prefer-incluster-address: False
service-account: 8200
";
    let file = parse_config_yaml(BackendType::Kubernetes, text).unwrap();
    assert_eq!(
        Value::Object(file.config.clone().into_iter().collect()),
        json!({
            "endpoint": "https://10.0.0.2:6443",
            "namespace": "true",
            "ca-certs": [PEM, "one line"],
            "skip-tls-verify": true,
            "prefer-incluster-address": false,
            "service-account": "8200",
        })
    );
    assert!(file.unknown.is_empty());

    // Items at the key's own indentation (as Go's yaml.v2 writes them), and one value for a list.
    let text = "ca-certs:\n- a\n- \"b\"\nca-cert: |-\n  x\nendpoint: h\n";
    let file = parse_config_yaml(BackendType::Kubernetes, text).unwrap();
    assert_eq!(file.config["ca-certs"], json!(["a", "b"]));
    assert_eq!(file.config["ca-cert"], json!("x"));
    let file = parse_config_yaml(BackendType::Kubernetes, "ca-certs: |\n  pem\n").unwrap();
    assert_eq!(file.config["ca-certs"], json!(["pem\n"]));
}

#[wasm_bindgen_test]
fn config_file_block_scalar_styles() {
    let text = "\
namespace: >
  folded
  text

  new paragraph
mount-path: |-
  kept
   indented
tls-server-name: |+
  keep

endpoint: |2
    two extra
";
    let file = parse_config_yaml(BackendType::Vault, text).unwrap();
    assert_eq!(
        file.config["namespace"],
        json!("folded text\nnew paragraph\n")
    );
    assert_eq!(file.config["mount-path"], json!("kept\n indented"));
    assert_eq!(file.config["tls-server-name"], json!("keep\n\n"));
    assert_eq!(file.config["endpoint"], json!("  two extra\n"));
    // Everything else is an empty file.
    assert_eq!(
        parse_config_yaml(BackendType::Vault, "# nothing\n\n").unwrap(),
        ConfigFile::default()
    );
}

#[wasm_bindgen_test]
fn config_file_errors_name_the_line() {
    let err = |t: BackendType, text: &str| parse_config_yaml(t, text).unwrap_err();
    assert_eq!(
        err(
            BackendType::Vault,
            "endpoint: http://x\n# fine\nthis is not yaml\n"
        ),
        "line 3: expected \"key: value\""
    );
    assert_eq!(
        err(
            BackendType::Kubernetes,
            "endpoint: h\nskip-tls-verify: maybe\n"
        ),
        "line 2: \"skip-tls-verify\" expects true or false, got \"maybe\""
    );
    assert_eq!(
        err(BackendType::Vault, "endpoint: h\ntoken: \"open\n"),
        "line 2: unterminated double-quoted string (a quoted value must end on its line)"
    );
    assert_eq!(
        err(BackendType::Vault, "token: a\ntoken: b\n"),
        "line 2: duplicate key \"token\""
    );
    assert_eq!(
        err(BackendType::Vault, "endpoint: h\n\ttoken: b\n"),
        "line 2: tabs cannot indent YAML, use spaces"
    );
    assert!(
        err(BackendType::Vault, "endpoint: h\n  token: b\n")
            .starts_with("line 2: unexpected indentation"),
    );
    assert!(
        err(BackendType::Vault, "ca-cert: |\n  a\n b\n")
            .starts_with("line 3: unexpected indentation")
    );
    assert_eq!(
        err(BackendType::Vault, "namespace:\nendpoint: h\n"),
        "line 1: no value for \"namespace\""
    );
    assert!(err(BackendType::Vault, "endpoint: [a, b]\n").starts_with("line 1: flow collections"));
    assert!(err(BackendType::Vault, "endpoint: a: b\n").starts_with("line 1: a value containing"));
    assert_eq!(
        err(BackendType::Vault, "endpoint:\n  - a\n"),
        "line 1: \"endpoint\" expects a single value, not a list"
    );
}

// ---------------------------------------------------------------------------------------------
// The component

fn fresh_section() -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let section = document.create_element("section").unwrap();
    document.body().unwrap().append_child(&section).unwrap();
    section.dyn_into().unwrap()
}

fn by_testid(root: &web_sys::HtmlElement, testid: &str) -> web_sys::Element {
    root.query_selector(&format!("[data-testid=\"{testid}\"]"))
        .unwrap()
        .unwrap_or_else(|| panic!("no {testid}"))
}

#[wasm_bindgen_test]
async fn command_box_shows_the_command_and_follows_it() {
    let root = fresh_section();
    let command = RwSignal::new(remove_command("myvault", false));
    let _mounted = mount_to(root.clone(), move || {
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
    let before = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .query_selector_all("a[download]")
        .unwrap()
        .length();
    download_text("secret-backends.yaml", "application/yaml", "{}\n");
    let after = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .query_selector_all("a[download]")
        .unwrap()
        .length();
    assert_eq!(before, after, "the temporary link is removed");
}
