//! The rules of `docs/rules.md` that need no store: backend names, strict config per type, the
//! token-rotate interval, and the merge of an update. Each refusal is a [`ValidationError`] whose
//! `detail` is the sentence an admin who knows Juju expects, and whose `field` names the input.
//! The name and password rules are in `names.rs`, re-exported here.

mod names;

pub use names::{
    MAX_NAME_LEN, MIN_PASSWORD_LEN, RESERVED_NAMES, backend_name, model_name, password, user_name,
};

use serde_json::Value;

use crate::certificate;
use crate::schema::{MAX_DNS_LABEL_LEN, MAX_HOST_NAME_LEN, MAX_LIST_ITEMS};
use crate::{
    AddBackendRequest, BackendType, Config, ErrorCode, FieldKind, FieldSpec, GoDuration,
    UpdateBackendRequest, ValidationError, ValueRule,
};

/// The shortest token-rotate interval.
pub const MIN_TOKEN_ROTATE: GoDuration = GoDuration::hours(1);

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
            // Before anything that quotes the value: a long one is never repeated back.
            check_len(key, spec, text)?;
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
            check_rule(key, spec, text)?;
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
            if items.len() > MAX_LIST_ITEMS {
                return Err(ValidationError::config_key(
                    key,
                    format!(
                        "{key}: {} entries not valid: at most {MAX_LIST_ITEMS}",
                        items.len()
                    ),
                ));
            }
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let Value::String(text) = item else {
                    return Err(bad("list of strings"));
                };
                if text.trim().is_empty() {
                    return Err(empty());
                }
                check_len(key, spec, text)?;
                if !is_pem(text) {
                    return Err(pem_error(key));
                }
                // A list entry is named by its place, as the ping names it.
                let entry = if value.is_array() {
                    format!("{key}[{i}]")
                } else {
                    key.to_owned()
                };
                check_rule(key, spec, text).map_err(|e| ValidationError {
                    detail: e.detail.replacen(key, &entry, 1),
                    ..e
                })?;
                out.push((*item).clone());
            }
            Ok(Value::Array(out))
        }
    }
}

/// The length limit of a key's schema; the value is not repeated back.
fn check_len(key: &str, spec: &FieldSpec, text: &str) -> Result<(), ValidationError> {
    let len = text.chars().count();
    if len > spec.max_len {
        return Err(ValidationError::config_key(
            key,
            format!(
                "{key}: value of {len} characters not valid: at most {} allowed",
                spec.max_len
            ),
        ));
    }
    Ok(())
}

/// The rule of a key's schema, for a value within its length limit. A sensitive value is never
/// repeated back.
fn check_rule(key: &str, spec: &FieldSpec, text: &str) -> Result<(), ValidationError> {
    let refuse = |detail: String| Err(ValidationError::config_key(key, detail));
    let Some(rule) = spec.rule else {
        return Ok(());
    };
    match rule {
        ValueRule::MountPath => {
            mount_path(text).or_else(|why| refuse(format!("{key}: {text:?} not valid: {why}")))
        }
        ValueRule::HostName if !is_host_name(text) => refuse(format!(
            "{key}: {text:?} not valid: expected a DNS host name such as vault.example.com"
        )),
        ValueRule::DnsLabel if !is_dns_label_k8s(text) => refuse(format!(
            "{key}: {text:?} not valid: use 1 to 63 lowercase letters, digits and \"-\", starting \
             and ending with a letter or digit"
        )),
        ValueRule::DnsSubdomain
            if text.len() > MAX_HOST_NAME_LEN || !text.split('.').all(is_dns_label_k8s) =>
        {
            refuse(format!(
                "{key}: {text:?} not valid: use lowercase letters, digits, \"-\" and \".\", \
                 starting and ending with a letter or digit"
            ))
        }
        ValueRule::HeaderValue if !text.bytes().all(|b| b.is_ascii_graphic()) => refuse(format!(
            "{key}: value not valid: use visible ASCII characters without spaces"
        )),
        ValueRule::Certificates => certificate::check_certificates(text)
            .or_else(|why| refuse(format!("{key}: certificate not valid: {why}"))),
        ValueRule::PrivateKey => certificate::check_private_key(text)
            .or_else(|why| refuse(format!("{key}: private key not valid: {why}"))),
        _ => Ok(()),
    }
}

/// The mount roots Vault keeps for itself: mounting under them is refused by Vault.
const VAULT_RESERVED_MOUNTS: [&str; 5] = ["sys", "auth", "audit", "cubbyhole", "identity"];

/// Vault's rules for a mount path (a leading or trailing `/` is dropped, as the service does).
fn mount_path(text: &str) -> Result<(), String> {
    let path = text.trim_matches('/');
    let segments: Vec<&str> = path.split('/').collect();
    let segment_ok = |s: &&str| {
        !s.is_empty()
            && *s != "."
            && *s != ".."
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    if path.is_empty() || !segments.iter().all(segment_ok) {
        return Err(
            "use letters, digits, \"-\", \"_\" and \".\", in segments separated by single \"/\""
                .to_owned(),
        );
    }
    if VAULT_RESERVED_MOUNTS.contains(&segments[0]) {
        return Err(format!("{:?} is reserved by Vault", segments[0]));
    }
    Ok(())
}

/// A DNS host name: labels of 1 to 63 letters, digits and `-`, not starting or ending with `-`.
fn is_host_name(text: &str) -> bool {
    let name = text.strip_suffix('.').unwrap_or(text);
    !name.is_empty()
        && name.len() <= MAX_HOST_NAME_LEN
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= MAX_DNS_LABEL_LEN
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// A Kubernetes DNS label (RFC 1123): lowercase letters, digits and `-`, 1 to 63 characters.
fn is_dns_label_k8s(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= MAX_DNS_LABEL_LEN
        && !text.starts_with('-')
        && !text.ends_with('-')
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
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

/// Checks a token-rotate interval (`docs/rules.md#token-rotation`). `Ok(None)` means rotation off: `0` on
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
            // Juju quotes the parsed duration, so "10m" reads "10m0s" (Go's `%q` of a Duration).
            format!(
                "token rotate interval {:?} less than 1h not valid",
                interval.to_string()
            ),
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

/// An add request that keeps every rule needing no store.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedAdd {
    pub backend_type: BackendType,
    /// The config, normalised.
    pub config: Config,
    pub token_rotate_interval: Option<GoDuration>,
}

/// The rules of an add that need no store: the name, a type users may add, the rotate interval,
/// the config of the type, and no empty `import-id`.
pub fn add_request(request: &AddBackendRequest) -> Result<CheckedAdd, ValidationError> {
    backend_name(&request.name)?;
    let backend_type = BackendType::parse(&request.backend_type)?;
    if !backend_type.user_managed() {
        return Err(ValidationError::field(
            "backend-type",
            format!(
                "secret backends of type {:?} cannot be added",
                backend_type.as_str()
            ),
        )
        .with_code(ErrorCode::NotSupported));
    }
    let interval = request
        .token_rotate_interval
        .as_deref()
        .map(|t| token_rotate_interval(backend_type, t, Operation::Add))
        .transpose()?
        .flatten();
    let config = backend(backend_type, &request.config, interval)?;
    if request
        .import_id
        .as_deref()
        .is_some_and(|id| id.trim().is_empty())
    {
        return Err(ValidationError::field(
            "import-id",
            "empty import-id not valid",
        ));
    }
    Ok(CheckedAdd {
        backend_type,
        config,
        token_rotate_interval: interval,
    })
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

/// Juju's refusal of an update that names nothing to change (`juju update-secret-backend myvault`).
pub const NOTHING_TO_UPDATE: &str = "must specify a config file or key/reset values";

/// Refuses an update that names nothing to change, as Juju's CLI does before calling the
/// controller. (`force` alone changes nothing: it only skips the ping.)
pub fn update_request(request: &UpdateBackendRequest) -> Result<(), ValidationError> {
    if request.name.is_none()
        && request.config.is_empty()
        && request.reset.is_empty()
        && request.token_rotate_interval.is_none()
    {
        return Err(ValidationError::request(NOTHING_TO_UPDATE));
    }
    Ok(())
}

/// Refuses an update whose every value is what the backend already has: there is nothing to save
/// or to record in the audit trail.
pub fn nothing_changes() -> ValidationError {
    ValidationError::request(format!(
        "{NOTHING_TO_UPDATE}: the given values are the backend's current ones"
    ))
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

    use crate::certificate::tests::{CERT as PEM, KEY};

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
            &cfg(json!({"endpoint": "http://x", "client-key": KEY})),
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
                &cfg(json!({"endpoint": "http://x", "client-cert": PEM, "client-key": KEY}))
            )
            .is_ok()
        );
    }

    #[test]
    fn malformed_pem_is_refused_naming_the_field() {
        let not_base64 = "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n";
        let vault = |key: &str, value: &str| {
            let mut c =
                cfg(json!({"endpoint": "https://v:8200", "client-cert": PEM, "client-key": KEY}));
            c.insert(key.to_owned(), json!(value));
            config(BackendType::Vault, &c)
        };
        for key in ["ca-cert", "client-cert"] {
            let e = vault(key, not_base64).unwrap_err();
            assert_eq!(e.code, ErrorCode::NotValid);
            assert_eq!(e.field.as_deref(), Some(&*format!("config.{key}")));
            assert_eq!(
                e.detail,
                format!("{key}: certificate not valid: the PEM block is not base64")
            );
        }
        let e = vault("ca-cert", KEY).unwrap_err();
        assert!(
            e.detail.contains("a key goes in client-key"),
            "{}",
            e.detail
        );

        let e = vault("client-key", PEM).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("config.client-key"));
        assert_eq!(
            e.detail,
            "client-key: private key not valid: no \"PRIVATE KEY\" PEM block found"
        );
        let broken_key =
            "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWJ5dGVz\n-----END PRIVATE KEY-----\n";
        let e = vault("client-key", broken_key).unwrap_err();
        assert!(!e.detail.contains("c2VjcmV0"), "{}", e.detail);

        let k8s = |key: &str, value: Value| {
            let mut c = cfg(json!({"endpoint": "https://k8s:6443", "namespace": "n"}));
            c.insert(key.to_owned(), value);
            config(BackendType::Kubernetes, &c)
        };
        let e = k8s("ca-cert", json!(not_base64)).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("config.ca-cert"));
        let e = k8s("ca-certs", json!([PEM, not_base64])).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("config.ca-certs"));
        assert_eq!(
            e.detail,
            "ca-certs[1]: certificate not valid: the PEM block is not base64"
        );
        assert!(k8s("ca-certs", json!([PEM, PEM])).is_ok());
        assert!(vault("ca-cert", &format!("{PEM}{PEM}")).is_ok());
    }

    #[test]
    fn every_key_has_a_length_limit() {
        for t in [BackendType::Vault, BackendType::Kubernetes] {
            for spec in t.fields().iter().filter(|f| f.kind != FieldKind::Bool) {
                assert!(
                    spec.max_len > 0 && spec.max_len <= 64 * 1024,
                    "{}",
                    spec.name
                );
                let mut c = cfg(json!({"endpoint": "https://h:1", "namespace": "n"}));
                let long = "a".repeat(spec.max_len + 1);
                c.insert(spec.name.to_owned(), json!(long));
                let e = config(t, &c).unwrap_err();
                assert_eq!(e.field.as_deref(), Some(&*format!("config.{}", spec.name)));
                if spec.kind != FieldKind::Pem && spec.kind != FieldKind::List {
                    assert!(
                        e.detail
                            .contains(&format!("at most {} allowed", spec.max_len)),
                        "{t} {}: {}",
                        spec.name,
                        e.detail
                    );
                }
                assert!(
                    !e.detail.contains(&long[..long.len().min(60)]),
                    "{}",
                    spec.name
                );
            }
        }
        let huge = "x".repeat(900 * 1024);
        let e = config(
            BackendType::Vault,
            &cfg(json!({"endpoint": "http://x", "mount-path": huge})),
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("config.mount-path"));
        assert_eq!(
            e.detail,
            "mount-path: value of 921600 characters not valid: at most 128 allowed"
        );
        let e = config(
            BackendType::Vault,
            &cfg(json!({"endpoint": format!("http://x/{}", "p".repeat(3000))})),
        )
        .unwrap_err();
        assert!(e.detail.contains("at most 2048"), "{}", e.detail);
    }

    #[test]
    fn mount_paths_follow_vaults_rules() {
        let ok = ["juju", "juju/secrets", "/juju/secrets/", "team-a/kv_1.0"];
        let bad = [
            "a//b",
            "../x",
            "a/./b",
            "a b",
            "k\u{e4}se",
            "a?b",
            "a#b",
            "a%2fb",
            "/",
        ];
        assert_vault_key("mount-path", &ok, &bad, "segments separated by");
        let reserved = [
            "sys",
            "sys/juju",
            "auth/x",
            "cubbyhole",
            "identity/a",
            "audit",
        ];
        assert_vault_key("mount-path", &[], &reserved, "is reserved by Vault");
    }

    /// Asserts that each of `ok` is a valid vault `key` and each of `bad` is refused on
    /// `config.<key>` with a detail containing `needle`; a failure names the value.
    #[track_caller]
    fn assert_vault_key(key: &str, ok: &[&str], bad: &[&str], needle: &str) {
        let check = |value: &str| {
            let mut c = cfg(json!({"endpoint": "http://x"}));
            c.insert(key.to_owned(), json!(value));
            config(BackendType::Vault, &c)
        };
        for value in ok {
            assert!(check(value).is_ok(), "{value}");
        }
        for value in bad {
            let e = check(value).unwrap_err();
            let field = format!("config.{key}");
            assert_eq!(e.field.as_deref(), Some(field.as_str()), "{value}");
            assert!(e.detail.contains(needle), "{value}: {}", e.detail);
        }
    }

    #[test]
    fn server_and_kubernetes_names_follow_dns_rules() {
        let ok = [
            "vault",
            "vault.example.com",
            "vault.example.com.",
            "10.0.0.1",
            "a-1.b",
        ];
        let too_long = format!("{}.com", "a".repeat(64));
        let bad = ["a b", "-x.com", "x-.com", "x_y.com", "a..b", &too_long];
        assert_vault_key("tls-server-name", &ok, &bad, "DNS host name");
        let k8s = |key: &str, value: &str| {
            let mut c = cfg(json!({"endpoint": "https://k8s:6443", "namespace": "n"}));
            c.insert(key.to_owned(), json!(value));
            config(BackendType::Kubernetes, &c)
        };
        assert!(k8s("namespace", "juju-secrets").is_ok());
        assert!(k8s("service-account", "juju.secrets-sa").is_ok());
        for bad in ["Secrets", "a.b", "-a", "a_b"] {
            let e = k8s("namespace", bad).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("config.namespace"), "{bad}");
        }
        let e = k8s("service-account", "My SA").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("config.service-account"));
    }

    #[test]
    fn header_values_are_checked_without_repeating_them() {
        let e = config(
            BackendType::Vault,
            &cfg(json!({"endpoint": "http://x", "token": "s.CANARY\nX-Injected: 1"})),
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("config.token"));
        assert_eq!(
            e.detail,
            "token: value not valid: use visible ASCII characters without spaces"
        );
        assert!(
            config(
                BackendType::Vault,
                &cfg(json!({"endpoint": "http://x", "token": "hvs.CAESIAbc-_.xyz"}))
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
            "token rotate interval \"10m0s\" less than 1h not valid"
        );
        assert_eq!(
            token_rotate_interval(t, "0.5h", Update).unwrap_err().detail,
            "token rotate interval \"30m0s\" less than 1h not valid"
        );
        assert_eq!(
            token_rotate_interval(t, "59m59.5s", Add)
                .unwrap_err()
                .detail,
            "token rotate interval \"59m59.5s\" less than 1h not valid"
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
    fn an_update_must_name_something_to_change() {
        let empty: UpdateBackendRequest = serde_json::from_value(json!({})).unwrap();
        let e = update_request(&empty).unwrap_err();
        assert_eq!(e.detail, "must specify a config file or key/reset values");
        assert_eq!(e.code, ErrorCode::NotValid);
        assert_eq!(e.field, None);
        let forced: UpdateBackendRequest = serde_json::from_value(json!({"force": true})).unwrap();
        assert!(update_request(&forced).is_err());
        for some in [
            json!({"name": "w"}),
            json!({"config": {"token": "t"}}),
            json!({"reset": ["namespace"]}),
            json!({"token-rotate-interval": "0"}),
        ] {
            let r: UpdateBackendRequest = serde_json::from_value(some.clone()).unwrap();
            assert!(update_request(&r).is_ok(), "{some}");
        }
        assert!(nothing_changes().detail.starts_with(NOTHING_TO_UPDATE));
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
