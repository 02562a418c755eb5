//! The exports as `juju secret-backends --format yaml|json` prints them (`src/export.rs`).

use secret_backends_api::fixtures::backend;
use secret_backends_api::{BackendStatus, BackendType, SecretBackend};
use secret_backends_console_core::export::{export_json, export_yaml};
use serde_json::{Value, json};

const PEM: &str = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n";

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

#[test]
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

#[test]
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

#[test]
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

#[test]
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
