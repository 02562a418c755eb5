//! What an action looks like as a `juju` command. Plain functions, tested in `tests/commands.rs`.
//!
//! Sensitive values never appear in a command: they are replaced by placeholders (`token=<token>`)
//! that the admin fills in before running it. PEM texts are not inlined either: the command reads
//! them from a file (`ca-cert="$(cat ca-cert.pem)"`).

use secret_backends_api::{AddBackendRequest, BackendType, Config, UpdateBackendRequest};
use serde_json::Value;

/// `juju add-secret-backend <name> <type> key=value … [token-rotate=<d>] [--import-id id]`.
///
/// Keys come in the order of the type's schema, then any key the schema does not know (sorted).
pub fn add_command(request: &AddBackendRequest) -> String {
    let mut words = add_words(request, &request.config);
    if let Some(interval) = non_empty(&request.token_rotate_interval) {
        words.push(format!("token-rotate={}", shell_word(interval)));
    }
    push_import_id(&mut words, request);
    words.join(" ")
}

/// What the add form was filled from: a `--config` file's settings, typed as the form types them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImportedFile {
    /// The file's name when it was chosen as a file; `None` when its text was pasted.
    pub file_name: Option<String>,
    pub config: Config,
    /// Its `token-rotate`, as written.
    pub token_rotate: Option<String>,
}

/// The `--config` file's name when its text was pasted, not chosen as a file (the page asks the
/// admin to save the text under it).
pub const PASTED_CONFIG_FILE: &str = "config.yaml";

/// `juju add-secret-backend <name> <type> [key=value …] [token-rotate=<d>] --config <file>`: the
/// add command for a form filled from a file, with an argument for each thing the form changed
/// or added since (Juju reads the file, then lets `key=value` arguments override it).
///
/// `None` when the form no longer has a setting that the file has: no argument can take a key
/// out of the file, so only the `key=value` form ([`add_command`]) says what the form does.
pub fn add_command_with_file(request: &AddBackendRequest, file: &ImportedFile) -> Option<String> {
    let file_rotate = non_empty(&file.token_rotate);
    let rotate = non_empty(&request.token_rotate_interval);
    let dropped_key = file.config.keys().any(|k| !request.config.contains_key(k));
    if dropped_key || (file_rotate.is_some() && rotate.is_none()) {
        return None;
    }
    let changed: Config = request
        .config
        .iter()
        .filter(|(k, v)| file.config.get(*k) != Some(v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut words = add_words(request, &changed);
    if let Some(interval) = rotate.filter(|r| Some(*r) != file_rotate) {
        words.push(format!("token-rotate={}", shell_word(interval)));
    }
    words.push("--config".to_owned());
    words.push(match &file.file_name {
        Some(name) => shell_word(name),
        None => PASTED_CONFIG_FILE.to_owned(),
    });
    push_import_id(&mut words, request);
    Some(words.join(" "))
}

/// `juju add-secret-backend <name> <type>` and a `key=value` for each key of `config`: the
/// type's schema order, then keys the schema does not know (sorted).
fn add_words(request: &AddBackendRequest, config: &Config) -> Vec<String> {
    let mut words = vec![
        "juju".to_owned(),
        "add-secret-backend".to_owned(),
        shell_word(&request.name),
        shell_word(&request.backend_type),
    ];
    let fields = BackendType::parse(&request.backend_type)
        .map(BackendType::fields)
        .unwrap_or(&[]);
    for field in fields {
        if let Some(value) = config.get(field.name) {
            words.push(config_arg(field.name, value, field.sensitive));
        }
    }
    for (key, value) in config {
        if !fields.iter().any(|f| f.name == key) {
            words.push(config_arg(key, value, false));
        }
    }
    words
}

fn push_import_id(words: &mut Vec<String>, request: &AddBackendRequest) {
    if let Some(id) = non_empty(&request.import_id) {
        words.push("--import-id".to_owned());
        words.push(shell_word(id));
    }
}

/// `juju update-secret-backend <name> key=value … [name=<new>] [token-rotate=<d>] [--reset k1,k2] [--force]`.
///
/// The request does not say which type the backend is, so keys come sorted and sensitivity is
/// decided by the key's name ([`is_sensitive_key`]).
pub fn update_command(name: &str, request: &UpdateBackendRequest) -> String {
    let mut words = vec![
        "juju".to_owned(),
        "update-secret-backend".to_owned(),
        shell_word(name),
    ];
    for (key, value) in &request.config {
        words.push(config_arg(key, value, false));
    }
    if let Some(new_name) = non_empty(&request.name) {
        words.push(format!("name={}", shell_word(new_name)));
    }
    if let Some(interval) = non_empty(&request.token_rotate_interval) {
        words.push(format!("token-rotate={}", shell_word(interval)));
    }
    if !request.reset.is_empty() {
        words.push("--reset".to_owned());
        words.push(shell_word(&request.reset.join(",")));
    }
    if request.force {
        words.push("--force".to_owned());
    }
    words.join(" ")
}

/// `juju remove-secret-backend <name> [--force]`.
pub fn remove_command(name: &str, force: bool) -> String {
    let mut command = format!("juju remove-secret-backend {}", shell_word(name));
    if force {
        command.push_str(" --force");
    }
    command
}

/// `juju model-secret-backend -m <model> <backend>` (Juju 4).
pub fn model_command(model: &str, backend: &str) -> String {
    format!(
        "juju model-secret-backend -m {} {}",
        shell_word(model),
        shell_word(backend)
    )
}

/// The equivalent commands for setting a model's secret backend, labelled by the Juju version
/// that has them: 3.x sets the `secret-backend` model config key (its clients before 3.x's end
/// lack `model-secret-backend`); 4.x has a command of its own taking the backend's name.
pub fn model_commands(model: &str, backend: &str) -> Vec<(&'static str, String)> {
    let model = shell_word(model);
    let backend = shell_word(backend);
    vec![
        (
            "Juju 3.x",
            format!("juju model-config -m {model} secret-backend={backend}"),
        ),
        (
            "Juju 4.x",
            format!("juju model-secret-backend -m {model} {backend}"),
        ),
    ]
}

/// The config keys that are sensitive in every backend type.
///
/// A command built from an [`UpdateBackendRequest`] cannot look keys up in a schema, because the
/// request does not carry the backend's type. These three names are exactly the sensitive keys of
/// the schemas (vault: `token`, `client-key`; kubernetes: `token`, `password`, `client-key`), and
/// no type has a non-sensitive key of the same name, so the name alone decides. The tests check
/// this against [`BackendType::fields`].
pub const SENSITIVE_KEYS: [&str; 3] = ["token", "client-key", "password"];

/// Whether a config key is sensitive whatever the backend's type (see [`SENSITIVE_KEYS`]).
pub fn is_sensitive_key(key: &str) -> bool {
    SENSITIVE_KEYS.contains(&key)
}

/// Quotes a word for a POSIX shell when it needs it: single quotes, a `'` written as `'\''`.
pub fn shell_word(word: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./:@%+,=".contains(c);
    if !word.is_empty() && word.chars().all(safe) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The text of an optional field, when it has any.
pub(crate) fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.is_empty())
}

/// One `key=value` argument. A sensitive key (by the schema, or by name as a second guard) gets a
/// placeholder; PEM text and lists are read from a file named after the key.
fn config_arg(key: &str, value: &Value, sensitive: bool) -> String {
    let quoted_key = shell_word(key);
    if sensitive || is_sensitive_key(key) {
        return format!("{quoted_key}=<{key}>");
    }
    let from_file = || format!("{quoted_key}=\"$(cat {}.pem)\"", shell_word(key));
    match value {
        Value::String(text) if text.contains('\n') || text.starts_with("-----BEGIN") => from_file(),
        Value::String(text) => format!("{quoted_key}={}", shell_word(text)),
        Value::Array(items) if !items.is_empty() => from_file(),
        Value::Bool(b) => format!("{quoted_key}={b}"),
        Value::Number(n) => format!("{quoted_key}={n}"),
        Value::Null | Value::Array(_) => format!("{quoted_key}=''"),
        Value::Object(_) => format!("{quoted_key}={}", shell_word(&value.to_string())),
    }
}
