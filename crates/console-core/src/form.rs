//! Turning what an admin typed into a request, with the shared crate's rules, so that the console
//! refuses exactly what the service would refuse, in the same words, before sending anything.
//! Tested in `tests/form.rs`.

use secret_backends_api::validate::{self, Operation};
use secret_backends_api::{
    AddBackendRequest, BackendType, Config, FieldKind, GoDuration, ValidationError,
};
use serde_json::Value;

/// The config of a form: every non-blank value, typed as its field's kind.
pub fn config_from_inputs<'a>(
    backend_type: BackendType,
    inputs: impl IntoIterator<Item = (&'a str, String)>,
) -> Config {
    let mut config = Config::new();
    for (key, text) in inputs {
        if text.trim().is_empty() {
            continue;
        }
        let value = match backend_type.field(key).map(|f| f.kind) {
            Some(FieldKind::Bool) => Value::Bool(text.trim().eq_ignore_ascii_case("true")),
            Some(FieldKind::List) => Value::Array(
                split_pem_blocks(&text)
                    .into_iter()
                    .map(Value::String)
                    .collect(),
            ),
            _ => Value::String(text.trim().to_owned()),
        };
        config.insert(key.to_owned(), value);
    }
    config
}

/// Validates an add form and builds its request.
pub fn add_request(
    name: &str,
    backend_type: BackendType,
    config: Config,
    token_rotate_interval: &str,
) -> Result<AddBackendRequest, ValidationError> {
    let name = name.trim();
    validate::backend_name(name)?;
    let interval = token_rotate_interval.trim();
    let rotate = if interval.is_empty() {
        None
    } else {
        validate::token_rotate_interval(backend_type, interval, Operation::Add)?
    };
    let config = validate::backend(backend_type, &config, rotate)?;
    Ok(AddBackendRequest {
        name: name.to_owned(),
        backend_type: backend_type.as_str().to_owned(),
        config,
        token_rotate_interval: (!interval.is_empty()).then(|| interval.to_owned()),
        import_id: None,
    })
}

/// Several PEM blocks pasted in one text area, one per list item.
fn split_pem_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        if line.starts_with("-----BEGIN ") && !current.trim().is_empty() {
            blocks.push(std::mem::take(&mut current));
        }
        current.push_str(line);
        current.push('\n');
    }
    if !current.trim().is_empty() {
        blocks.push(current);
    }
    blocks
}

/// What an admin changed on the edit page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Edit {
    pub name: String,
    /// Non-sensitive keys as typed (all of them, changed or not).
    pub values: std::collections::BTreeMap<String, String>,
    /// New values for sensitive keys the admin chose to replace.
    pub replaced: std::collections::BTreeMap<String, String>,
    /// Keys to reset to their default (delete).
    pub reset: std::collections::BTreeSet<String>,
    /// The interval as typed: empty keeps it, `0` turns rotation off.
    pub rotate: String,
}

impl Edit {
    /// The edit page's starting point: the backend as it is.
    pub fn from_backend(backend: &secret_backends_api::SecretBackend) -> Edit {
        Edit {
            name: backend.name.clone(),
            values: backend
                .backend_type
                .fields()
                .iter()
                .filter(|f| !f.sensitive)
                .map(|f| {
                    let text = backend
                        .config
                        .get(f.name)
                        .map(value_text)
                        .unwrap_or_default();
                    (f.name.to_owned(), text)
                })
                .collect(),
            replaced: Default::default(),
            reset: Default::default(),
            rotate: backend.token_rotate_interval.clone().unwrap_or_default(),
        }
    }
}

/// One line of the review: what will change. Sensitive keys say "changed", never a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub key: String,
    pub description: String,
}

/// Builds the update from an edit, checked with the shared rules (immutable keys, unknown keys,
/// empty values, pairs, durations, names) before anything is sent; and the review of it.
pub fn update_request(
    original: &secret_backends_api::SecretBackend,
    edit: &Edit,
    force: bool,
) -> Result<(secret_backends_api::UpdateBackendRequest, Vec<Change>), ValidationError> {
    let backend_type = original.backend_type;
    let mut set = Config::new();
    let mut changes = Vec::new();
    let typed = config_from_inputs(
        backend_type,
        edit.values
            .iter()
            .filter(|(k, _)| !edit.reset.contains(*k))
            .map(|(k, v)| (k.as_str(), v.clone())),
    );
    for (key, value) in &typed {
        if original.config.get(key) != Some(value) {
            let before = original.config.get(key).map(value_text);
            changes.push(Change {
                key: key.clone(),
                description: match before {
                    Some(b) => format!("{key}: {} → {}", short(&b), short(&value_text(value))),
                    None => format!("{key}: set to {}", short(&value_text(value))),
                },
            });
            set.insert(key.clone(), value.clone());
        }
    }
    // A non-sensitive key emptied by the admin is a reset.
    let mut reset: Vec<String> = edit.reset.iter().cloned().collect();
    for (key, text) in &edit.values {
        if text.trim().is_empty() && original.config.contains_key(key) && !reset.contains(key) {
            reset.push(key.clone());
        }
    }
    for (key, text) in &edit.replaced {
        if text.trim().is_empty() || edit.reset.contains(key) {
            continue;
        }
        set.insert(key.clone(), Value::String(text.trim().to_owned()));
        changes.push(Change {
            key: key.clone(),
            description: format!("{key}: changed (sensitive: the value is not shown)"),
        });
    }
    reset.sort();
    for key in &reset {
        let was_set = original.config.contains_key(key) || original.sensitive_set.contains(key);
        if was_set {
            changes.push(Change {
                key: key.clone(),
                description: format!("{key}: reset to its default (cleared)"),
            });
        }
    }
    reset.retain(|k| original.config.contains_key(k) || original.sensitive_set.contains(k));

    // Check the merged result as the service will: the stored config with a stand-in for each
    // sensitive value (the console never has those), then the changes.
    let mut stored = original.config.clone();
    for key in &original.sensitive_set {
        let stand_in = match backend_type.field(key).map(|f| f.kind) {
            Some(FieldKind::Pem) => "-----BEGIN PRIVATE KEY-----\n(set)\n-----END PRIVATE KEY-----",
            _ => "(set)",
        };
        stored.insert(key.clone(), Value::String(stand_in.to_owned()));
    }
    let merged = validate::merge_config(backend_type, &stored, &set, &reset)?;

    let name = edit.name.trim();
    let new_name = if name != original.name {
        validate::backend_name(name)?;
        changes.push(Change {
            key: "name".to_owned(),
            description: format!("name: {} → {name}", original.name),
        });
        Some(name.to_owned())
    } else {
        None
    };

    let rotate_text = edit.rotate.trim();
    let current = original.token_rotate_interval.as_deref().unwrap_or("");
    let (rotate, interval) = if rotate_text.is_empty() || rotate_text == current {
        (
            None,
            original
                .token_rotate_interval
                .as_deref()
                .and_then(|t| GoDuration::parse(t).ok()),
        )
    } else {
        let parsed = validate::token_rotate_interval(backend_type, rotate_text, Operation::Update)?;
        changes.push(Change {
            key: "token-rotate-interval".to_owned(),
            description: match parsed {
                None => "token rotation: turned off".to_owned(),
                Some(d) => format!(
                    "token rotation: {} → every {d}",
                    if current.is_empty() { "off" } else { current }
                ),
            },
        });
        (Some(rotate_text.to_owned()), parsed)
    };
    validate::backend(backend_type, &merged, interval)?;

    Ok((
        secret_backends_api::UpdateBackendRequest {
            name: new_name,
            config: set,
            reset,
            token_rotate_interval: rotate,
            force,
        },
        changes,
    ))
}

/// A value as the text an input shows.
pub fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(value_text).collect::<Vec<_>>().join("\n"),
        other => other.to_string(),
    }
}

/// A long value (a PEM block) shortened for the review.
fn short(text: &str) -> String {
    let one_line = text.lines().next().unwrap_or_default();
    if text.lines().count() > 1 || one_line.chars().count() > 60 {
        format!("{:?}…", one_line.chars().take(40).collect::<String>())
    } else {
        format!("{one_line:?}")
    }
}
