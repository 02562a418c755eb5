//! The `juju` commands, the exports and the `--config` reader (`src/commands.rs`), and the
//! CommandBox component, in headless Chromium (wasm-bindgen-test).

#![cfg(target_arch = "wasm32")]

use leptos::mount::mount_to;
use leptos::prelude::*;
use secret_backends_api::{
    AddBackendRequest, BackendStatus, BackendType, Config, SecretBackend, UpdateBackendRequest,
};
use secret_backends_console::commands::{
    ConfigFile, ImportedFile, SENSITIVE_KEYS, add_command, add_command_with_file, export_json,
    export_yaml, is_sensitive_key, model_command, model_commands, parse_config_yaml,
    remove_command, shell_word, update_command,
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
fn add_command_with_file_passes_the_file_and_what_the_form_changed_since() {
    let file = ImportedFile {
        file_name: Some("vault prod.yaml".into()),
        config: cfg(json!({
            "endpoint": "http://10.0.0.1:8200",
            "token": CANARY,
            "namespace": "a",
        })),
        token_rotate: Some("24h".into()),
    };
    let mut request = AddBackendRequest {
        name: "myvault".into(),
        backend_type: "vault".into(),
        config: file.config.clone(),
        token_rotate_interval: Some("24h".into()),
        ..Default::default()
    };
    // Nothing changed since the import: the file says it all.
    assert_eq!(
        add_command_with_file(&request, &file).as_deref(),
        Some("juju add-secret-backend myvault vault --config 'vault prod.yaml'")
    );
    // A changed value, an added one, a changed interval: arguments that override the file.
    request.config.insert("namespace".into(), json!("b"));
    request.config.insert("mount-path".into(), json!("kv"));
    request.token_rotate_interval = Some("48h".into());
    let command = add_command_with_file(&request, &file).unwrap();
    assert_eq!(
        command,
        "juju add-secret-backend myvault vault namespace=b mount-path=kv token-rotate=48h \
         --config 'vault prod.yaml'"
    );
    // A changed sensitive value is a placeholder, as in the key=value form.
    request.config.insert("token".into(), json!("s.other"));
    let command = add_command_with_file(&request, &file).unwrap();
    assert!(command.contains(" token=<token> "), "{command}");
    assert!(!command.contains("s.other") && !command.contains(CANARY));
    // Pasted text has no file name: the one the page asks to save it under.
    let pasted = ImportedFile {
        file_name: None,
        ..file.clone()
    };
    assert!(
        add_command_with_file(&request, &pasted)
            .unwrap()
            .ends_with(" --config config.yaml")
    );
    // A setting of the file taken out of the form cannot be said with --config.
    request.config.remove("namespace");
    assert_eq!(add_command_with_file(&request, &file), None);
    request.config.insert("namespace".into(), json!("a"));
    request.token_rotate_interval = None;
    assert_eq!(add_command_with_file(&request, &file), None);
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

#[wasm_bindgen_test]
fn model_commands_give_the_3x_and_4x_forms_labelled() {
    assert_eq!(
        model_commands("mymodel", "myvault"),
        vec![
            (
                "Juju 3.x",
                "juju model-config -m mymodel secret-backend=myvault".to_owned()
            ),
            (
                "Juju 4.x",
                "juju model-secret-backend -m mymodel myvault".to_owned()
            ),
        ]
    );
    // Words are quoted for the shell, in both forms.
    let commands = model_commands("admin/my model", "it's");
    assert_eq!(
        commands[0].1,
        r"juju model-config -m 'admin/my model' secret-backend='it'\''s'"
    );
    assert_eq!(
        commands[1].1,
        r"juju model-secret-backend -m 'admin/my model' 'it'\''s'"
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
fn exports_print_ids_of_external_backends_only_and_durations_as_go_does() {
    // A built-in backend's ID is a controller's or model's UUID: Juju leaves it out.
    let mut model_k8s = backend("prod-local", BackendType::Kubernetes, json!({}));
    model_k8s.built_in = true;
    model_k8s.id = "6f1c0a57-model-uuid-local".into();
    let mut vault = backend("v", BackendType::Vault, json!({}));
    vault.token_rotate_interval = Some("24h".into());
    let yaml = export_yaml(&[model_k8s.clone(), vault.clone()]);
    assert!(!yaml.contains("6f1c0a57"), "{yaml}");
    assert!(yaml.contains("\n  id: v-id\n"), "{yaml}");
    // yaml.v2 writes a time.Duration with its String().
    assert!(
        yaml.contains("\n  token-rotate-interval: 24h0m0s\n"),
        "{yaml}"
    );
    let json: Value = serde_json::from_str(&export_json(&[model_k8s, vault])).unwrap();
    assert_eq!(json["prod-local"].get("id"), None);
    assert_eq!(json["v"]["id"], "v-id");
    // encoding/json writes a time.Duration as integer nanoseconds.
    assert_eq!(
        json["v"]["token-rotate-interval"],
        json!(86_400_000_000_000_u64)
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
            },
            "myvault": {
                "backend": "vault",
                "token-rotate-interval": 39_960_000_000_000_u64,
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
            token_rotate: None,
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
    assert!(
        err(
            BackendType::Vault,
            "endpoint: http://x\n# fine\nthis is not yaml\n"
        )
        .starts_with("line 3: this is not valid YAML"),
    );
    assert_eq!(
        err(
            BackendType::Kubernetes,
            "endpoint: h\nskip-tls-verify: maybe\n"
        ),
        "line 2: \"skip-tls-verify\" expects true or false, got \"maybe\""
    );
    assert!(
        err(BackendType::Vault, "endpoint: h\ntoken: \"open\n")
            .starts_with("line 2: this is not valid YAML"),
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
            .starts_with("line 2: this is not valid YAML"),
    );
    assert!(
        err(BackendType::Vault, "ca-cert: |\n  a\n b\n")
            .starts_with("line 3: this is not valid YAML")
    );
    assert_eq!(
        err(BackendType::Vault, "namespace:\nendpoint: h\n"),
        "line 1: no value for \"namespace\""
    );
    assert!(err(BackendType::Vault, "endpoint: a: b\n").starts_with("line 1: this is not valid"));
    assert_eq!(
        err(BackendType::Vault, "endpoint:\n  - a\n"),
        "line 1: \"endpoint\" expects a single value, not a list"
    );
    assert_eq!(
        err(BackendType::Vault, "endpoint: {url: h}\n"),
        "line 1: \"endpoint\" expects a single value, not a map"
    );
    // What a settings file cannot be is named, with its line.
    assert_eq!(
        err(BackendType::Vault, "- endpoint\n- h\n"),
        "line 1: expected a map of \"key: value\" settings, found a list"
    );
    assert_eq!(
        err(BackendType::Vault, "endpoint: h\n---\ntoken: t\n"),
        "line 2: only one YAML document is supported (a \"---\" starts another)"
    );
    assert_eq!(
        err(BackendType::Vault, "endpoint: h\ntoken: !vault t\n"),
        "line 2: the tag \"!vault\" is not supported (write the value without it)"
    );
    assert_eq!(
        err(BackendType::Vault, "endpoint: h\n? [a, b]\n: c\n"),
        "line 2: a key must be text, not a list"
    );
    assert!(err(BackendType::Vault, "endpoint: *nowhere\n").contains("unknown anchor"));
    assert_eq!(
        err(BackendType::Vault, "token-rotate: [1h]\n"),
        "line 1: \"token-rotate\" expects a single value, not a list"
    );
}

#[wasm_bindgen_test]
fn config_file_token_rotate_is_the_rotation_interval_not_a_config_key() {
    let text = "endpoint: https://10.0.0.1:8200\ntoken-rotate: 24h\ntoken: s.x\n";
    let file = parse_config_yaml(BackendType::Vault, text).unwrap();
    assert_eq!(file.token_rotate.as_deref(), Some("24h"));
    assert!(file.unknown.is_empty(), "{:?}", file.unknown);
    assert!(!file.config.contains_key("token-rotate"));
    assert_eq!(file.config["endpoint"], json!("https://10.0.0.1:8200"));
    // Kept as written whatever the type; the form checks it (kubernetes does not rotate).
    let file = parse_config_yaml(BackendType::Kubernetes, "token-rotate: '90m'\n").unwrap();
    assert_eq!(file.token_rotate.as_deref(), Some("90m"));
    assert!(file.unknown.is_empty());
}

#[wasm_bindgen_test]
fn config_file_flow_mappings_anchors_aliases_and_merges() {
    let file = parse_config_yaml(
        BackendType::Vault,
        "{endpoint: http://x, token: t, token-rotate: 1h}",
    )
    .unwrap();
    assert_eq!(
        Value::Object(file.config.clone().into_iter().collect()),
        json!({"endpoint": "http://x", "token": "t"})
    );
    assert_eq!(file.token_rotate.as_deref(), Some("1h"));

    let text = "\
defaults: &defaults
  endpoint: https://vault.internal:8200
  namespace: &ns team-a
  tls-server-name: vault.internal
<<: *defaults
namespace: team-b
mount-path: *ns
token: \"s.\\u0041b\"
ca-cert: |-
  -----BEGIN CERTIFICATE-----
  MIIBszCCAVmgAwIBAgIU
  -----END CERTIFICATE-----
";
    let file = parse_config_yaml(BackendType::Vault, text).unwrap();
    assert_eq!(
        Value::Object(file.config.clone().into_iter().collect()),
        json!({
            // Merged in by `<<`; a key written in the map itself wins.
            "endpoint": "https://vault.internal:8200",
            "tls-server-name": "vault.internal",
            "namespace": "team-b",
            "mount-path": "team-a",
            "token": "s.Ab",
            "ca-cert": PEM.trim_end(),
        })
    );
    assert_eq!(file.unknown, vec!["defaults".to_owned()]);

    // Flow lists, multi-line flow maps and quoted scalars over several lines.
    let text = "ca-certs: [a, 'b', \"c\"]\nendpoint: {\n  }\n";
    assert!(parse_config_yaml(BackendType::Kubernetes, text).is_err());
    let text = "ca-certs: [a, 'b', \"c\"]\nnamespace: 'one\n  two'\n";
    let file = parse_config_yaml(BackendType::Kubernetes, text).unwrap();
    assert_eq!(file.config["ca-certs"], json!(["a", "b", "c"]));
    assert_eq!(file.config["namespace"], json!("one two"));
}

#[wasm_bindgen_test]
fn config_file_limits_keep_hostile_files_cheap() {
    let deep = "[".repeat(10_000);
    assert!(
        parse_config_yaml(BackendType::Vault, &deep)
            .unwrap_err()
            .starts_with("line 1: ")
    );
    let deep: String = (0..200).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
    assert_eq!(
        parse_config_yaml(BackendType::Vault, &deep).unwrap_err(),
        "line 65: nested more than 64 levels deep"
    );
    // A "billion laughs": each line is ten of the one before.
    let mut text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n".to_owned();
    for i in 1..9 {
        let p = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{p}"); 10].join(", ")
        ));
    }
    assert!(
        parse_config_yaml(BackendType::Vault, &text)
            .unwrap_err()
            .contains("too large once its aliases are expanded")
    );
}

/// The reader never panics, whatever it is given: arbitrary text, and text made of YAML's
/// punctuation, indentation and keys (where a reader's corner cases are).
#[wasm_bindgen_test]
fn config_file_reader_never_panics() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config as RunnerConfig, TestRunner};
    // A runner counts its cases over all its runs: one runner per run.
    let runner = || {
        TestRunner::new(RunnerConfig {
            cases: 1500,
            failure_persistence: None,
            ..RunnerConfig::default()
        })
    };
    let arbitrary = any::<String>();
    let yamlish = proptest::string::string_regex(
        "([a-z-]{1,12}|[ \\t\\n:,#&*!|>'\"\\[\\]{}?<%@`~-]|-----BEGIN|\\|-|\\n  |\\n    |<<|---|\\.\\.\\.){0,60}",
    )
    .unwrap();
    let runs = std::cell::Cell::new(0);
    for backend_type in [BackendType::Vault, BackendType::Kubernetes] {
        runner()
            .run(&arbitrary, |text| {
                runs.set(runs.get() + 1);
                let _ = parse_config_yaml(backend_type, &text);
                Ok(())
            })
            .unwrap();
        runner()
            .run(&yamlish, |text| {
                runs.set(runs.get() + 1);
                let _ = parse_config_yaml(backend_type, &text);
                Ok(())
            })
            .unwrap();
    }
    assert!(runs.get() >= 4 * 1500, "{} cases", runs.get());
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
