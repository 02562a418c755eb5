//! Reading a Juju `--config` YAML file (`src/config_file.rs`).

use proptest::prelude::*;
use secret_backends_api::{BackendType, Config};
use secret_backends_console_core::config_file::{ConfigFile, parse_config_yaml};
use serde_json::{Value, json};

const PEM: &str = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n";

/// Asserts that the file's config is `expected`, one JSON object.
#[track_caller]
fn assert_config(file: &ConfigFile, expected: Value) {
    let config = Value::Object(file.config.clone().into_iter().collect());
    assert_eq!(config, expected);
}

fn cfg(v: Value) -> Config {
    serde_json::from_value(v).unwrap()
}

#[test]
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

#[test]
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
    assert_config(
        &file,
        json!({
            "endpoint": "https://10.0.0.2:6443",
            "namespace": "true",
            "ca-certs": [PEM, "one line"],
            "skip-tls-verify": true,
            "prefer-incluster-address": false,
            "service-account": "8200",
        }),
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

#[test]
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

#[test]
fn config_file_errors_name_the_line() {
    let err = |t: BackendType, text: &str| parse_config_yaml(t, text).unwrap_err();
    // Each refusal names its line; what a settings file cannot be is named too.
    let exact = [
        ("token: a\ntoken: b\n", "line 2: duplicate key \"token\""),
        (
            "endpoint: h\n\ttoken: b\n",
            "line 2: tabs cannot indent YAML, use spaces",
        ),
        (
            "namespace:\nendpoint: h\n",
            "line 1: no value for \"namespace\"",
        ),
        (
            "endpoint:\n  - a\n",
            "line 1: \"endpoint\" expects a single value, not a list",
        ),
        (
            "endpoint: {url: h}\n",
            "line 1: \"endpoint\" expects a single value, not a map",
        ),
        (
            "- endpoint\n- h\n",
            "line 1: expected a map of \"key: value\" settings, found a list",
        ),
        (
            "endpoint: h\n---\ntoken: t\n",
            "line 2: only one YAML document is supported (a \"---\" starts another)",
        ),
        (
            "endpoint: h\ntoken: !vault t\n",
            "line 2: the tag \"!vault\" is not supported (write the value without it)",
        ),
        (
            "endpoint: h\n? [a, b]\n: c\n",
            "line 2: a key must be text, not a list",
        ),
        (
            "token-rotate: [1h]\n",
            "line 1: \"token-rotate\" expects a single value, not a list",
        ),
    ];
    for (text, expected) in exact {
        assert_eq!(err(BackendType::Vault, text), expected, "{text:?}");
    }
    assert_eq!(
        err(
            BackendType::Kubernetes,
            "endpoint: h\nskip-tls-verify: maybe\n"
        ),
        "line 2: \"skip-tls-verify\" expects true or false, got \"maybe\""
    );
    // Syntax errors name the line, then the parser's own words.
    let starting = [
        (
            "endpoint: http://x\n# fine\nthis is not yaml\n",
            "line 3: this is not valid YAML",
        ),
        (
            "endpoint: h\ntoken: \"open\n",
            "line 2: this is not valid YAML",
        ),
        (
            "endpoint: h\n  token: b\n",
            "line 2: this is not valid YAML",
        ),
        ("ca-cert: |\n  a\n b\n", "line 3: this is not valid YAML"),
        ("endpoint: a: b\n", "line 1: this is not valid"),
    ];
    for (text, start) in starting {
        let error = err(BackendType::Vault, text);
        assert!(error.starts_with(start), "{text:?}: {error}");
    }
    let error = err(BackendType::Vault, "endpoint: *nowhere\n");
    assert!(error.contains("unknown anchor"), "{error}");
}

#[test]
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

#[test]
fn config_file_flow_mappings_anchors_aliases_and_merges() {
    let file = parse_config_yaml(
        BackendType::Vault,
        "{endpoint: http://x, token: t, token-rotate: 1h}",
    )
    .unwrap();
    assert_config(&file, json!({"endpoint": "http://x", "token": "t"}));
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
    assert_config(
        &file,
        json!({
            // Merged in by `<<`; a key written in the map itself wins.
            "endpoint": "https://vault.internal:8200",
            "tls-server-name": "vault.internal",
            "namespace": "team-b",
            "mount-path": "team-a",
            "token": "s.Ab",
            "ca-cert": PEM.trim_end(),
        }),
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

#[test]
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

// The reader never panics, whatever it is given: arbitrary text, and text made of YAML's
// punctuation, indentation and keys (where a reader's corner cases are). Each case is read for
// both types that have a `--config` file.
proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn config_file_reader_never_panics_on_arbitrary_text(text in any::<String>()) {
        for backend_type in [BackendType::Vault, BackendType::Kubernetes] {
            let _ = parse_config_yaml(backend_type, &text);
        }
    }

    #[test]
    fn config_file_reader_never_panics_on_yaml_like_text(
        text in "([a-z-]{1,12}|[ \\t\\n:,#&*!|>'\"\\[\\]{}?<%@`~-]|-----BEGIN|\\|-|\\n  |\\n    |<<|---|\\.\\.\\.){0,60}",
    ) {
        for backend_type in [BackendType::Vault, BackendType::Kubernetes] {
            let _ = parse_config_yaml(backend_type, &text);
        }
    }
}
