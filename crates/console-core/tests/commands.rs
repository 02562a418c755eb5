//! The `juju` commands (`src/commands.rs`).

use secret_backends_api::{AddBackendRequest, BackendType, Config, UpdateBackendRequest};
use secret_backends_console_core::commands::{
    ImportedFile, SENSITIVE_KEYS, add_command, add_command_with_file, is_sensitive_key,
    model_command, model_commands, remove_command, shell_word, update_command,
};
use serde_json::{Value, json};

/// A value that must never show up in a command.
const CANARY: &str = "s.CANARY-4f1d9";
const PEM: &str = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n";

fn cfg(v: Value) -> Config {
    serde_json::from_value(v).unwrap()
}

/// An add request with no interval and no import id.
fn add_request(name: &str, backend_type: &str, config: Config) -> AddBackendRequest {
    AddBackendRequest {
        name: name.into(),
        backend_type: backend_type.into(),
        config,
        ..Default::default()
    }
}

#[test]
fn add_command_puts_placeholders_for_sensitive_values() {
    let request = add_request(
        "myvault",
        "vault",
        cfg(json!({
            "endpoint": "http://10.0.0.1:8200",
            "token": CANARY,
            "client-cert": PEM,
            "client-key": format!("-----BEGIN PRIVATE KEY-----\n{CANARY}\n-----END PRIVATE KEY-----\n"),
        })),
    );
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

    let k8s = add_request(
        "k8s",
        "kubernetes",
        cfg(json!({
            "endpoint": "https://10.0.0.2:6443",
            "namespace": "secrets",
            "username": "admin",
            "password": CANARY,
        })),
    );
    let command = add_command(&k8s);
    assert!(!command.contains(CANARY), "{command}");
    assert!(command.contains(" password=<password>"), "{command}");
}

#[test]
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

#[test]
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

#[test]
fn add_command_quotes_values_for_the_shell() {
    let request = add_request(
        "myvault",
        "vault",
        cfg(json!({
            "endpoint": "http://vault:8200",
            "namespace": "team a's",
            "mount-path": "$HOME/secrets",
            "tls-server-name": "",
        })),
    );
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

#[test]
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

#[test]
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

#[test]
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

#[test]
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
