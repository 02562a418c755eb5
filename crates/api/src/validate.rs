//! The rules of `domain.md` that need no store: backend names, strict config per type, the
//! token-rotate interval, and the merge of an update. Each refusal is a [`ValidationError`] whose
//! `detail` is the sentence an admin who knows Juju expects, and whose `field` names the input.

use serde_json::Value;

use crate::{BackendType, Config, ErrorCode, FieldKind, FieldSpec, GoDuration, ValidationError};

/// Names an admin can never give a backend (the Juju 4 set).
pub const RESERVED_NAMES: [&str; 3] = ["internal", "auto", "kubernetes"];

/// The longest backend name.
pub const MAX_NAME_LEN: usize = 63;

/// The shortest token-rotate interval.
pub const MIN_TOKEN_ROTATE: GoDuration = GoDuration::hours(1);

/// Checks a name for a user backend (on add and on rename).
pub fn backend_name(name: &str) -> Result<(), ValidationError> {
    let err = |detail: String| ValidationError::field("name", detail);
    if name.is_empty() {
        return Err(err("missing backend name not valid".to_owned()));
    }
    if RESERVED_NAMES.contains(&name) {
        return Err(err(format!("reserved name {name:?} not valid")));
    }
    if name.ends_with("-local") {
        return Err(err(format!(
            "backend name {name:?} not valid: names ending in \"-local\" are reserved for the \
             built-in backends of Kubernetes models"
        )));
    }
    if !is_dns_label(name) {
        return Err(err(format!(
            "backend name {name:?} not valid: use 1 to {MAX_NAME_LEN} lowercase letters, digits \
             and \"-\", starting with a letter and not ending in \"-\" (this keeps URLs and juju commands simple)"
        )));
    }
    Ok(())
}

/// Checks a model name (Juju's rule: lowercase letters, digits and `-`, starting with a letter).
pub fn model_name(name: &str) -> Result<(), ValidationError> {
    entity_name("model", name)
}

/// Checks a user name (the same rule as model names).
pub fn user_name(name: &str) -> Result<(), ValidationError> {
    entity_name("user", name)
}

fn entity_name(kind: &str, name: &str) -> Result<(), ValidationError> {
    if is_dns_label(name) {
        return Ok(());
    }
    Err(ValidationError::field(
        "name",
        format!(
            "{kind} name {name:?} not valid: use lowercase letters, digits and \"-\", starting with \
             a letter and not ending in \"-\""
        ),
    ))
}

fn is_dns_label(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && name.len() <= MAX_NAME_LEN
        && !name.ends_with('-')
}

/// Validates a complete config of a type and returns it normalised (booleans written as text
/// become booleans, a single PEM text for a list becomes a list of one).
pub fn config(backend_type: BackendType, config: &Config) -> Result<Config, ValidationError> {
    let mut normalised = Config::new();
    for (key, value) in config {
        let Some(spec) = backend_type.field(key) else {
            return Err(ValidationError::config_key(
                key,
                format!("unknown key {key:?}"),
            ));
        };
        normalised.insert(key.clone(), value_of(key, spec, value)?);
    }
    for spec in backend_type.fields() {
        if spec.required && !normalised.contains_key(spec.name) {
            return Err(ValidationError::config_key(
                spec.name,
                format!("{}: expected string, got nothing", spec.name),
            ));
        }
    }
    let prefix = backend_type.error_prefix();
    match (
        normalised.contains_key("client-cert"),
        normalised.contains_key("client-key"),
    ) {
        (true, false) => {
            return Err(ValidationError::config_key(
                "client-key",
                format!("{prefix} config missing client key not valid"),
            ));
        }
        (false, true) => {
            return Err(ValidationError::config_key(
                "client-cert",
                format!("{prefix} config missing client certificate not valid"),
            ));
        }
        _ => {}
    }
    Ok(normalised)
}

/// Checks one value against its kind and returns it normalised.
fn value_of(key: &str, spec: &FieldSpec, value: &Value) -> Result<Value, ValidationError> {
    let kind = spec.kind;
    let bad = |expected: &str| {
        // A sensitive value is never repeated back, even when it has the wrong type.
        let got = if spec.sensitive {
            kind_of(value).to_owned()
        } else {
            describe(value)
        };
        ValidationError::config_key(key, format!("{key}: expected {expected}, got {got}"))
    };
    let empty = || {
        ValidationError::config_key(
            key,
            format!("{key}: empty value not valid (to clear a key, reset it)"),
        )
    };
    match kind {
        FieldKind::String | FieldKind::Url | FieldKind::Pem => {
            let Value::String(text) = value else {
                return Err(bad("string"));
            };
            if text.trim().is_empty() {
                return Err(empty());
            }
            if kind == FieldKind::Url && !is_url(text) {
                return Err(ValidationError::config_key(
                    key,
                    format!(
                        "{key}: {text:?} not valid: expected a URL such as https://10.0.0.1:8200"
                    ),
                ));
            }
            if kind == FieldKind::Pem && !is_pem(text) {
                return Err(pem_error(key));
            }
            Ok(value.clone())
        }
        FieldKind::Bool => match value {
            Value::Bool(_) => Ok(value.clone()),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
            Value::String(s) if s.trim().is_empty() => Err(empty()),
            _ => Err(bad("bool")),
        },
        FieldKind::List => {
            let items: Vec<&Value> = match value {
                Value::Array(items) => items.iter().collect(),
                Value::String(_) => vec![value],
                _ => return Err(bad("list of strings")),
            };
            if items.is_empty() {
                return Err(empty());
            }
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                let Value::String(text) = item else {
                    return Err(bad("list of strings"));
                };
                if text.trim().is_empty() {
                    return Err(empty());
                }
                if !is_pem(text) {
                    return Err(pem_error(key));
                }
                out.push(item.clone());
            }
            Ok(Value::Array(out))
        }
    }
}

fn pem_error(key: &str) -> ValidationError {
    ValidationError::config_key(
        key,
        format!(
            "{key}: expected PEM text starting with \"-----BEGIN\" (paste the content, not a file path)"
        ),
    )
}

/// The JSON type of a value, without the value.
fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "map",
    }
}

/// How Juju's schema errors describe a value: `bool(true)`, `string("x")`, `list`.
fn describe(value: &Value) -> String {
    match value {
        Value::Null => "nothing".to_owned(),
        Value::Bool(b) => format!("bool({b})"),
        Value::Number(n) => format!("number({n})"),
        Value::String(s) => format!("string({s:?})"),
        Value::Array(_) => "list".to_owned(),
        Value::Object(_) => "map".to_owned(),
    }
}

fn is_url(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once("://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    matches!(scheme, "http" | "https")
        && !host.is_empty()
        && !host.starts_with(':')
        && !text.chars().any(char::is_whitespace)
}

fn is_pem(text: &str) -> bool {
    text.trim_start().starts_with("-----BEGIN ")
}

/// When an interval is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Add,
    Update,
}

/// Checks a token-rotate interval (`domain.md` section 3). `Ok(None)` means rotation off: `0` on
/// update.
pub fn token_rotate_interval(
    backend_type: BackendType,
    text: &str,
    operation: Operation,
) -> Result<Option<GoDuration>, ValidationError> {
    const FIELD: &str = "token-rotate-interval";
    if !backend_type.token_rotate() {
        return Err(ValidationError::field(
            FIELD,
            format!(
                "token refresh on secret backend of type {:?} not supported",
                backend_type.as_str()
            ),
        )
        .with_code(ErrorCode::NotSupported));
    }
    let interval = GoDuration::parse(text).map_err(|e| {
        ValidationError::field(
            FIELD,
            format!(
                "token rotate interval {text:?} not valid: {e}; use a Go duration such as \"1h\", \
                 \"90m\" or \"168h\" (units h, m, s; there is no \"d\")"
            ),
        )
    })?;
    if interval.is_zero() {
        return match operation {
            Operation::Add => Err(ValidationError::field(
                FIELD,
                "token rotate interval cannot be 0",
            )),
            Operation::Update => Ok(None),
        };
    }
    if interval < MIN_TOKEN_ROTATE {
        return Err(ValidationError::field(
            FIELD,
            format!("token rotate interval {text:?} less than 1h not valid"),
        ));
    }
    Ok(Some(interval))
}

/// The whole of an add, or of an update's result: config of the type plus the cross-field rules
/// that involve the rotate interval.
pub fn backend(
    backend_type: BackendType,
    config_in: &Config,
    rotate: Option<GoDuration>,
) -> Result<Config, ValidationError> {
    let normalised = config(backend_type, config_in)?;
    if backend_type == BackendType::Kubernetes
        && rotate.is_some()
        && !normalised.contains_key("service-account")
    {
        return Err(ValidationError::config_key(
            "service-account",
            "k8s config missing service account not valid",
        ));
    }
    Ok(normalised)
}

/// Steps 1 to 4 of an update: overlay `set` on `stored`, delete `reset` keys, refuse a change to an
/// immutable key, and validate the result. Returns the merged config.
pub fn merge_config(
    backend_type: BackendType,
    stored: &Config,
    set: &Config,
    reset: &[String],
) -> Result<Config, ValidationError> {
    let mut merged = stored.clone();
    for (key, value) in set {
        merged.insert(key.clone(), value.clone());
    }
    for key in reset {
        if backend_type.field(key).is_none() {
            return Err(ValidationError::field(
                "reset",
                format!("unknown key {key:?}"),
            ));
        }
        if set.contains_key(key) {
            return Err(ValidationError::field(
                "reset",
                format!("key {key:?} cannot be both set and reset"),
            ));
        }
        merged.remove(key);
    }
    let merged = config(backend_type, &merged)?;
    for spec in backend_type.fields().iter().filter(|f| f.immutable) {
        if stored.get(spec.name) != merged.get(spec.name) {
            return Err(ValidationError::config_key(
                spec.name,
                format!("cannot change immutable field {:?}", spec.name),
            ));
        }
    }
    Ok(merged)
}

/// Splits a config into what may be shown and the names of the sensitive keys that hold a value.
pub fn mask_sensitive(backend_type: BackendType, config: &Config) -> (Config, Vec<String>) {
    let mut shown = Config::new();
    let mut set = Vec::new();
    for (key, value) in config {
        if backend_type.field(key).is_some_and(|f| f.sensitive) {
            set.push(key.clone());
        } else {
            shown.insert(key.clone(), value.clone());
        }
    }
    (shown, set)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cfg(v: Value) -> Config {
        serde_json::from_value(v).unwrap()
    }

    const PEM: &str = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

    #[test]
    fn names_follow_the_rules() {
        assert!(backend_name("myvault").is_ok());
        assert!(backend_name("v-2").is_ok());
        assert_eq!(
            backend_name("").unwrap_err().detail,
            "missing backend name not valid"
        );
        for reserved in RESERVED_NAMES {
            let e = backend_name(reserved).unwrap_err();
            assert_eq!(e.detail, format!("reserved name {reserved:?} not valid"));
            assert_eq!(e.field.as_deref(), Some("name"));
        }
        assert!(
            backend_name("mymodel-local")
                .unwrap_err()
                .detail
                .contains("-local")
        );
        for bad in ["MyVault", "1vault", "-v", "vault_x", "vault x", "välkommen"] {
            assert!(
                backend_name(bad).unwrap_err().detail.contains("lowercase"),
                "{bad}"
            );
        }
        assert!(backend_name(&"a".repeat(63)).is_ok());
        assert!(backend_name(&"a".repeat(64)).is_err());
    }

    #[test]
    fn vault_config_is_strict() {
        let ok = cfg(json!({"endpoint": "http://127.0.0.1:8200", "token": "t"}));
        assert_eq!(config(BackendType::Vault, &ok).unwrap(), ok);

        let e = config(
            BackendType::Vault,
            &cfg(json!({"endpoint": "http://x", "tokn": "t"})),
        )
        .unwrap_err();
        assert_eq!(e.detail, "unknown key \"tokn\"");
        assert_eq!(e.field.as_deref(), Some("config.tokn"));

        let e = config(BackendType::Vault, &cfg(json!({"token": "t"}))).unwrap_err();
        assert_eq!(e.detail, "endpoint: expected string, got nothing");
        assert_eq!(e.field.as_deref(), Some("config.endpoint"));

        let e = config(
            BackendType::Vault,
            &cfg(json!({"endpoint": "http://x", "token": ""})),
        )
        .unwrap_err();
        assert!(e.detail.contains("empty value"), "{}", e.detail);

        let e = config(BackendType::Vault, &cfg(json!({"endpoint": true}))).unwrap_err();
        assert_eq!(e.detail, "endpoint: expected string, got bool(true)");

        let e = config(BackendType::Vault, &cfg(json!({"endpoint": "vault:8200"}))).unwrap_err();
        assert!(e.detail.contains("expected a URL"), "{}", e.detail);

        let e = config(
            BackendType::Vault,
            &cfg(json!({"endpoint": "http://x", "ca-cert": "/etc/ca.pem"})),
        )
        .unwrap_err();
        assert!(e.detail.contains("not a file path"), "{}", e.detail);
    }

    #[test]
    fn a_sensitive_value_of_the_wrong_type_is_not_repeated() {
        let e = config(
            BackendType::Vault,
            &cfg(json!({"endpoint": "http://x", "token": 987654321})),
        )
        .unwrap_err();
        assert_eq!(e.detail, "token: expected string, got number");
        assert!(!e.detail.contains("987654321"));
    }

    #[test]
    fn client_cert_and_key_come_together() {
        let e = config(
            BackendType::Vault,
            &cfg(json!({"endpoint": "http://x", "client-cert": PEM})),
        )
        .unwrap_err();
        assert_eq!(e.detail, "vault config missing client key not valid");
        let e = config(
            BackendType::Vault,
            &cfg(json!({"endpoint": "http://x", "client-key": PEM})),
        )
        .unwrap_err();
        assert_eq!(
            e.detail,
            "vault config missing client certificate not valid"
        );
        let e = config(
            BackendType::Kubernetes,
            &cfg(json!({"endpoint": "http://x", "namespace": "n", "client-cert": PEM})),
        )
        .unwrap_err();
        assert_eq!(e.detail, "k8s config missing client key not valid");
        assert!(
            config(
                BackendType::Vault,
                &cfg(json!({"endpoint": "http://x", "client-cert": PEM, "client-key": PEM}))
            )
            .is_ok()
        );
    }

    #[test]
    fn kubernetes_values_are_normalised() {
        let c = config(
            BackendType::Kubernetes,
            &cfg(json!({"endpoint": "https://k8s:6443", "namespace": "n",
                        "skip-tls-verify": "true", "ca-certs": PEM})),
        )
        .unwrap();
        assert_eq!(c["skip-tls-verify"], json!(true));
        assert_eq!(c["ca-certs"], json!([PEM]));
        let e = config(
            BackendType::Kubernetes,
            &cfg(json!({"endpoint": "https://k8s:6443"})),
        )
        .unwrap_err();
        assert_eq!(e.detail, "namespace: expected string, got nothing");
    }

    #[test]
    fn kubernetes_rotation_needs_a_service_account() {
        let c = cfg(json!({"endpoint": "https://k8s:6443", "namespace": "n"}));
        assert!(backend(BackendType::Kubernetes, &c, None).is_ok());
        let e = backend(BackendType::Kubernetes, &c, Some(GoDuration::hours(2))).unwrap_err();
        assert_eq!(e.detail, "k8s config missing service account not valid");
    }

    #[test]
    fn token_rotate_interval_rules() {
        use Operation::*;
        let t = BackendType::Vault;
        assert_eq!(
            token_rotate_interval(t, "1h", Add).unwrap(),
            Some(GoDuration::hours(1))
        );
        assert_eq!(token_rotate_interval(t, "0", Update).unwrap(), None);
        assert_eq!(
            token_rotate_interval(t, "0", Add).unwrap_err().detail,
            "token rotate interval cannot be 0"
        );
        assert_eq!(
            token_rotate_interval(t, "10m", Add).unwrap_err().detail,
            "token rotate interval \"10m\" less than 1h not valid"
        );
        let e = token_rotate_interval(t, "7d", Add).unwrap_err();
        assert!(e.detail.contains("Go duration"), "{}", e.detail);
        assert!(e.detail.contains("\"7d\""), "{}", e.detail);
        let e = token_rotate_interval(BackendType::Controller, "1h", Add).unwrap_err();
        assert_eq!(
            e.detail,
            "token refresh on secret backend of type \"controller\" not supported"
        );
        assert_eq!(e.code, ErrorCode::NotSupported);
    }

    #[test]
    fn update_merges_resets_and_guards_immutable_keys() {
        let t = BackendType::Vault;
        let stored = cfg(json!({"endpoint": "http://x", "token": "old", "namespace": "ns"}));
        let merged = merge_config(
            t,
            &stored,
            &cfg(json!({"token": "new"})),
            &["namespace".to_owned()],
        )
        .unwrap();
        assert_eq!(merged, cfg(json!({"endpoint": "http://x", "token": "new"})));

        let e = merge_config(t, &stored, &cfg(json!({"endpoint": "http://y"})), &[]).unwrap_err();
        assert_eq!(e.detail, "cannot change immutable field \"endpoint\"");
        let e = merge_config(t, &stored, &Config::new(), &["endpoint".to_owned()]).unwrap_err();
        assert!(e.detail.contains("endpoint"), "{}", e.detail);
        let e = merge_config(t, &stored, &Config::new(), &["nope".to_owned()]).unwrap_err();
        assert_eq!(e.detail, "unknown key \"nope\"");
    }

    #[test]
    fn masking_keeps_sensitive_values_out() {
        let c = cfg(
            json!({"endpoint": "http://x", "token": "CANARY", "client-key": PEM,
                            "client-cert": PEM}),
        );
        let (shown, set) = mask_sensitive(BackendType::Vault, &c);
        assert!(!serde_json::to_string(&shown).unwrap().contains("CANARY"));
        assert_eq!(set, vec!["client-key".to_owned(), "token".to_owned()]);
        assert!(shown.contains_key("client-cert"));
    }
}
