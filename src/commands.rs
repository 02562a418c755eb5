//! What an action looks like as a `juju` command, and the CLI's export shapes (`domain.md`
//! section 7); reading a Juju `--config` YAML file. Plain functions, tested in `tests/commands.rs`.
//!
//! Sensitive values never appear in a command: they are replaced by placeholders (`token=<token>`)
//! that the admin fills in before running it. PEM texts are not inlined either: the command reads
//! them from a file (`ca-cert="$(cat ca-cert.pem)"`).

use secret_backends_api::{
    AddBackendRequest, BackendType, Config, FieldKind, FieldSpec, GoDuration, SecretBackend,
    UpdateBackendRequest,
};
use serde::Serialize;
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// Commands

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

fn non_empty(value: &Option<String>) -> Option<&str> {
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

// ---------------------------------------------------------------------------------------------
// Exports

/// One backend as `juju secret-backends --format yaml|json` prints it: the fields of Juju's
/// `secretBackendDisplayDetails`, in its order, each omitted when Juju's tag says `omitempty`.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Exported<'a> {
    backend: &'static str,
    /// Go's `*time.Duration`: JSON writes it as integer nanoseconds, YAML (yaml.v2) as the
    /// duration's string; see [`rotate_interval_json`] and [`rotate_interval_yaml`].
    #[serde(skip_serializing_if = "Option::is_none")]
    token_rotate_interval: Option<Value>,
    #[serde(skip_serializing_if = "is_empty_config")]
    config: &'a Config,
    secrets: u64,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
    /// Juju prints the ID of external backends only: the built-in ones' IDs are the controller's
    /// and models' own UUIDs, which it keeps out of the listing.
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
}

fn is_empty_config(config: &&Config) -> bool {
    config.is_empty()
}

impl<'a> Exported<'a> {
    fn new(b: &'a SecretBackend, interval: fn(&str) -> Value) -> Self {
        Exported {
            backend: b.backend_type.as_str(),
            token_rotate_interval: non_empty(&b.token_rotate_interval).map(interval),
            config: &b.config,
            secrets: b.secrets,
            status: b.status.as_str(),
            message: non_empty(&b.message),
            id: (!b.built_in)
                .then_some(b.id.as_str())
                .filter(|id| !id.is_empty()),
        }
    }
}

/// A rotation interval as Go's `encoding/json` writes a `time.Duration`: integer nanoseconds.
/// (A text that is not a duration, which the service never sends, is kept as it is.)
fn rotate_interval_json(text: &str) -> Value {
    GoDuration::parse(text).map_or_else(|_| Value::from(text), |d| Value::from(d.as_nanos()))
}

/// A rotation interval as yaml.v2 writes a `time.Duration`: its `String()`, `"11h6m0s"`.
fn rotate_interval_yaml(text: &str) -> Value {
    GoDuration::parse(text).map_or_else(|_| Value::from(text), |d| Value::from(d.to_string()))
}

fn sorted_by_name(backends: &[SecretBackend]) -> Vec<&SecretBackend> {
    let mut sorted: Vec<&SecretBackend> = backends.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    sorted
}

/// The backends as `juju secret-backends --format yaml` prints them: a map keyed by name, sorted.
pub fn export_yaml(backends: &[SecretBackend]) -> String {
    if backends.is_empty() {
        return "{}\n".to_owned();
    }
    let mut out = String::new();
    for b in sorted_by_name(backends) {
        let e = Exported::new(b, rotate_interval_yaml);
        out.push_str(&yaml::scalar(&b.name));
        out.push_str(":\n");
        yaml::entry(&mut out, 2, "backend", &Value::from(e.backend));
        if let Some(interval) = &e.token_rotate_interval {
            yaml::entry(&mut out, 2, "token-rotate-interval", interval);
        }
        if !e.config.is_empty() {
            out.push_str("  config:\n");
            for (key, value) in e.config {
                yaml::entry(&mut out, 4, key, value);
            }
        }
        yaml::entry(&mut out, 2, "secrets", &Value::from(e.secrets));
        yaml::entry(&mut out, 2, "status", &Value::from(e.status));
        if let Some(message) = e.message {
            yaml::entry(&mut out, 2, "message", &Value::from(message));
        }
        if let Some(id) = e.id {
            yaml::entry(&mut out, 2, "id", &Value::from(id));
        }
    }
    out
}

/// The backends as `juju secret-backends --format json` prints them (pretty-printed): the same map.
pub fn export_json(backends: &[SecretBackend]) -> String {
    let map: std::collections::BTreeMap<&str, Exported> = backends
        .iter()
        .map(|b| (b.name.as_str(), Exported::new(b, rotate_interval_json)))
        .collect();
    let mut text = serde_json::to_string_pretty(&map).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}

/// A small YAML emitter for the export: block maps, block lists, plain scalars when safe,
/// double-quoted ones otherwise, `|` block scalars for multi-line text.
mod yaml {
    use serde_json::Value;

    /// `key: value` at `indent` spaces, with nested maps, lists and block scalars under it.
    pub fn entry(out: &mut String, indent: usize, key: &str, value: &Value) {
        let pad = " ".repeat(indent);
        out.push_str(&pad);
        out.push_str(&scalar(key));
        out.push(':');
        match value {
            Value::Object(map) if !map.is_empty() => {
                out.push('\n');
                for (k, v) in map {
                    entry(out, indent + 2, k, v);
                }
            }
            // Like Go's yaml.v2 (which Juju uses): the items of a list under a key are not indented.
            Value::Array(items) if !items.is_empty() => {
                out.push('\n');
                for item in items {
                    out.push_str(&pad);
                    out.push('-');
                    inline_or_block(out, indent, item);
                }
            }
            _ => inline_or_block(out, indent, value),
        }
    }

    /// The rest of a line after `key:` or `-`: ` value\n`, or a block scalar whose lines are
    /// indented two spaces more than the key or dash.
    fn inline_or_block(out: &mut String, indent: usize, value: &Value) {
        match value {
            Value::String(text) if block_safe(text) => block(out, indent + 2, text),
            Value::String(text) => {
                out.push(' ');
                out.push_str(&scalar(text));
                out.push('\n');
            }
            Value::Null => out.push_str(" null\n"),
            Value::Bool(_) | Value::Number(_) => {
                out.push(' ');
                out.push_str(&value.to_string());
                out.push('\n');
            }
            Value::Object(map) if map.is_empty() => out.push_str(" {}\n"),
            Value::Array(items) if items.is_empty() => out.push_str(" []\n"),
            // Nested collections inside a list (not in any backend's config): JSON is YAML's
            // flow style.
            Value::Object(_) | Value::Array(_) => {
                out.push(' ');
                out.push_str(&value.to_string());
                out.push('\n');
            }
        }
    }

    /// Multi-line text that a `|` block can hold exactly.
    fn block_safe(text: &str) -> bool {
        text.contains('\n')
            && !text.trim_matches('\n').is_empty()
            && text
                .chars()
                .all(|c| c == '\n' || c == '\t' || !needs_escape(c))
    }

    /// `|` (one final newline), `|-` (none) or `|+` (several), with an indentation indicator when
    /// the text starts with a space or an empty line (the parser could not guess it).
    fn block(out: &mut String, content_indent: usize, text: &str) {
        let body = text.trim_end_matches('\n');
        let newlines = text.len() - body.len();
        out.push_str(" |");
        if text.starts_with([' ', '\n']) {
            out.push('2');
        }
        out.push_str(match newlines {
            0 => "-",
            1 => "",
            _ => "+",
        });
        out.push('\n');
        let pad = " ".repeat(content_indent);
        for line in body.split('\n') {
            if !line.is_empty() {
                out.push_str(&pad);
                out.push_str(line);
            }
            out.push('\n');
        }
        for _ in 1..newlines {
            out.push('\n');
        }
    }

    /// A string on one line: plain when YAML reads it back as the same string, else double-quoted.
    pub fn scalar(text: &str) -> String {
        if plain_safe(text) {
            text.to_owned()
        } else {
            double_quoted(text)
        }
    }

    fn plain_safe(text: &str) -> bool {
        let Some(first) = text.chars().next() else {
            return false;
        };
        let last = text.chars().next_back().unwrap_or(first);
        !(first.is_whitespace()
            || last.is_whitespace()
            || "-?:,[]{}#&*!|>'\"%@`".contains(first)
            || text.starts_with("---")
            || text.starts_with("...")
            || text.contains(": ")
            || text.ends_with(':')
            || text.contains('#')
            || text
                .chars()
                .any(|c| c == '\t' || c == '\n' || needs_escape(c))
            || looks_like_other_type(text))
    }

    /// Words and numbers that YAML (1.1, as Go's yaml.v2 reads it, or 1.2) resolves to something
    /// other than a string.
    fn looks_like_other_type(text: &str) -> bool {
        let lower = text.to_ascii_lowercase();
        const WORDS: &[&str] = &[
            "true", "false", "yes", "no", "y", "n", "on", "off", "null", "~", "=", "<<",
        ];
        if WORDS.contains(&lower.as_str()) {
            return true;
        }
        let unsigned = lower.trim_start_matches(['+', '-']);
        if [".inf", ".nan"].contains(&unsigned)
            || unsigned.starts_with("0x")
            || unsigned.starts_with("0o")
            || unsigned.starts_with("0b")
        {
            return true;
        }
        // Decimal and float forms, with `_` separators or base-60 `1:20` (YAML 1.1).
        let starts_numeric = unsigned.starts_with(|c: char| c.is_ascii_digit() || c == '.');
        if starts_numeric
            && unsigned
                .chars()
                .all(|c| c.is_ascii_digit() || "._:".contains(c))
        {
            return true;
        }
        if lower.replace('_', "").parse::<f64>().is_ok() {
            return true;
        }
        // A date or timestamp, `2026-01-01…`.
        let bytes = text.as_bytes();
        bytes.len() >= 8 && bytes[..4].iter().all(u8::is_ascii_digit) && bytes[4] == b'-'
    }

    /// Characters a YAML stream may not hold as they are.
    fn needs_escape(c: char) -> bool {
        c.is_control()
            || matches!(
                c,
                '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
            )
    }

    /// `"…"` with JSON-style escapes (which YAML's double-quoted style reads the same way).
    fn double_quoted(text: &str) -> String {
        let mut out = String::with_capacity(text.len() + 2);
        out.push('"');
        for c in text.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                c if needs_escape(c) => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Reading a `--config` file

/// A Juju `--config` YAML file read for a backend type: the keys it knows, typed, and the keys it
/// does not know (reported to the admin, never dropped silently).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConfigFile {
    pub config: Config,
    pub unknown: Vec<String>,
    /// `token-rotate`, which Juju takes out of the file as the token rotation interval (as
    /// written; the form checks it).
    pub token_rotate: Option<String>,
}

/// Reads a Juju `--config` file: a YAML map of `key: value`, as `juju add-secret-backend` reads it.
///
/// The whole of YAML that a map of settings uses is understood (block and flow style, quoted and
/// block scalars, anchors, aliases and `<<` merge keys), by a real YAML parser. Known keys are
/// typed by their field's kind: booleans (`true`/`false`/`yes`/`no`/`on`/`off`, as Go's yaml.v2
/// reads them), lists of strings (a single value is a list of one), strings. `token-rotate` is
/// taken out of the config as the token rotation interval, as Juju does. What cannot be a setting
/// (several documents, a map as a known key's value, keys that are not text, custom tags) is
/// refused with the line it is on.
pub fn parse_config_yaml(backend_type: BackendType, text: &str) -> Result<ConfigFile, String> {
    let mut file = ConfigFile::default();
    for entry in config_yaml::parse(text)? {
        let line = entry.line;
        if entry.key == TOKEN_ROTATE_KEY {
            let interval = scalar_text(TOKEN_ROTATE_KEY, entry.value)
                .map_err(|e| format!("line {line}: {e}"))?;
            file.token_rotate = Some(interval);
            continue;
        }
        match backend_type.field(&entry.key) {
            None => file.unknown.push(entry.key),
            Some(field) => {
                let value = typed(field, entry.value).map_err(|e| format!("line {line}: {e}"))?;
                file.config.insert(entry.key, value);
            }
        }
    }
    file.unknown.sort();
    Ok(file)
}

/// The key of a `--config` file that Juju takes out of the config as the token rotation interval.
pub const TOKEN_ROTATE_KEY: &str = "token-rotate";

fn scalar_text(name: &str, node: config_yaml::Node) -> Result<String, String> {
    use config_yaml::Node;
    match node {
        Node::Scalar(text) => Ok(text),
        Node::Null => Err(format!("no value for {name:?}")),
        Node::List(_) => Err(format!("{name:?} expects a single value, not a list")),
        Node::Map(_) => Err(format!("{name:?} expects a single value, not a map")),
    }
}

fn typed(field: &FieldSpec, node: config_yaml::Node) -> Result<Value, String> {
    use config_yaml::Node;
    let name = field.name;
    match (field.kind, node) {
        (FieldKind::Bool, Node::Scalar(text)) => match text.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "y" => Ok(Value::Bool(true)),
            "false" | "no" | "off" | "n" => Ok(Value::Bool(false)),
            _ => Err(format!("{name:?} expects true or false, got {text:?}")),
        },
        (FieldKind::Bool, Node::List(_)) => {
            Err(format!("{name:?} expects true or false, not a list"))
        }
        (FieldKind::List, Node::List(items)) => items
            .into_iter()
            .map(|item| match item {
                Node::Scalar(text) => Ok(Value::String(text)),
                _ => Err(format!("{name:?} expects a list of texts")),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        (FieldKind::List, Node::Scalar(text)) => Ok(Value::Array(vec![Value::String(text)])),
        (_, node) => scalar_text(name, node).map(Value::String),
    }
}

/// A YAML document read into a small tree, from the events of `yaml_rust2`'s parser.
///
/// The tree is built without recursion and with limits (nesting depth, nodes after expanding
/// aliases), so no input can exhaust the stack or memory ("billion laughs").
mod config_yaml {
    use std::collections::HashMap;

    use yaml_rust2::parser::{Event, Parser, Tag};
    use yaml_rust2::scanner::{Marker, TScalarStyle};

    /// A value.
    #[derive(Debug, Clone)]
    pub enum Node {
        /// An empty value, `~` or `null`.
        Null,
        Scalar(String),
        List(Vec<Node>),
        Map(Vec<Entry>),
    }

    #[derive(Debug, Clone)]
    pub struct Entry {
        pub key: String,
        pub value: Node,
        /// The key's line, counted from 1.
        pub line: usize,
    }

    /// Deeper than any settings file; keeps the tree (and dropping it) far from the stack's end.
    const MAX_DEPTH: usize = 64;
    /// Nodes in the document once aliases are expanded.
    const MAX_NODES: usize = 100_000;

    /// A collection being read.
    enum Frame {
        List {
            anchor: usize,
            line: usize,
            items: Vec<Node>,
        },
        Map {
            anchor: usize,
            line: usize,
            entries: Vec<Entry>,
            /// The key read, waiting for its value (`None` for a `<<` merge key).
            key: Option<(Option<String>, usize)>,
            /// The maps merged in by `<<`, in order (the first one's keys win).
            merged: Vec<Entry>,
        },
    }

    fn size(node: &Node) -> usize {
        // Iterative: an alias can name a deep node.
        let mut count = 0;
        let mut pending = vec![node];
        while let Some(n) = pending.pop() {
            count += 1;
            match n {
                Node::List(items) => pending.extend(items),
                Node::Map(entries) => pending.extend(entries.iter().map(|e| &e.value)),
                Node::Null | Node::Scalar(_) => {}
            }
        }
        count
    }

    /// Tags of the YAML core schema; their values are read by the key's kind anyway.
    fn tag_is_supported(tag: &Tag) -> bool {
        (tag.handle == "tag:yaml.org,2002:" || tag.handle == "!!")
            && ["str", "int", "float", "bool", "null", "map", "seq"].contains(&tag.suffix.as_str())
    }

    fn describe(node: &Node) -> &'static str {
        match node {
            Node::Null => "nothing",
            Node::Scalar(_) => "a single value",
            Node::List(_) => "a list",
            Node::Map(_) => "a map",
        }
    }

    /// The top-level `key: value` entries of the only document in `text`.
    pub fn parse(text: &str) -> Result<Vec<Entry>, String> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut parser = Parser::new_from_str(text);
        let mut stack: Vec<Frame> = Vec::new();
        let mut anchors: HashMap<usize, Node> = HashMap::new();
        let mut root: Option<(Node, usize)> = None;
        let mut documents = 0;
        let mut nodes = 0;
        loop {
            let (event, mark): (Event, Marker) = parser
                .next_token()
                .map_err(|e| syntax_error(text, e.marker().line(), e.info()))?;
            let no = mark.line();
            // The node this event completes, if any.
            let (node, anchor, no) = match event {
                Event::StreamEnd => break,
                Event::DocumentStart => {
                    documents += 1;
                    if documents > 1 {
                        return Err(format!(
                            "line {no}: only one YAML document is supported (a \"---\" starts another)"
                        ));
                    }
                    continue;
                }
                Event::Nothing | Event::StreamStart | Event::DocumentEnd => continue,
                Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                    if let Some(tag) = tag.as_ref().filter(|t| !tag_is_supported(t)) {
                        return Err(unsupported_tag(no, tag));
                    }
                    if stack.len() >= MAX_DEPTH {
                        return Err(format!(
                            "line {no}: nested more than {MAX_DEPTH} levels deep"
                        ));
                    }
                    stack.push(if matches!(event, Event::SequenceStart(..)) {
                        Frame::List {
                            anchor,
                            line: no,
                            items: Vec::new(),
                        }
                    } else {
                        Frame::Map {
                            anchor,
                            line: no,
                            entries: Vec::new(),
                            key: None,
                            merged: Vec::new(),
                        }
                    });
                    continue;
                }
                Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                    Some(Frame::List {
                        anchor,
                        line,
                        items,
                    }) => (Node::List(items), anchor, line),
                    Some(Frame::Map {
                        anchor,
                        line,
                        mut entries,
                        merged,
                        ..
                    }) => {
                        for entry in merged {
                            if !entries.iter().any(|e| e.key == entry.key) {
                                entries.push(entry);
                            }
                        }
                        (Node::Map(entries), anchor, line)
                    }
                    None => return Err(format!("line {no}: unexpected end of a collection")),
                },
                Event::Scalar(text, style, anchor, tag) => {
                    let null_word = ["", "~", "null", "Null", "NULL"].contains(&text.as_str());
                    let node = match tag {
                        Some(tag) if !tag_is_supported(&tag) => {
                            return Err(unsupported_tag(no, &tag));
                        }
                        Some(tag) if tag.suffix == "null" => Node::Null,
                        Some(_) => Node::Scalar(text),
                        None if style == TScalarStyle::Plain && null_word => Node::Null,
                        None => Node::Scalar(text),
                    };
                    (node, anchor, no)
                }
                Event::Alias(id) => {
                    let node = anchors
                        .get(&id)
                        .cloned()
                        .ok_or_else(|| format!("line {no}: an alias names an unknown anchor"))?;
                    (node, 0, no)
                }
            };
            nodes += size(&node);
            if nodes > MAX_NODES {
                return Err(format!(
                    "line {no}: the file is too large once its aliases are expanded"
                ));
            }
            if anchor != 0 {
                anchors.insert(anchor, node.clone());
            }
            match stack.last_mut() {
                None => root = Some((node, no)),
                Some(Frame::List { items, .. }) => items.push(node),
                Some(Frame::Map {
                    entries,
                    key,
                    merged,
                    ..
                }) => match key.take() {
                    None => {
                        *key = Some(match node {
                            Node::Scalar(text) if text == "<<" => (None, no),
                            Node::Scalar(text) => (Some(text), no),
                            other => {
                                return Err(format!(
                                    "line {no}: a key must be text, not {}",
                                    describe(&other)
                                ));
                            }
                        });
                    }
                    Some((None, line)) => merge(merged, node, line)?,
                    Some((Some(k), line)) => {
                        if entries.iter().any(|e| e.key == k) {
                            return Err(format!("line {line}: duplicate key {k:?}"));
                        }
                        entries.push(Entry {
                            key: k,
                            value: node,
                            line,
                        });
                    }
                },
            }
        }
        match root {
            None | Some((Node::Null, _)) => Ok(Vec::new()),
            Some((Node::Map(entries), _)) => Ok(entries),
            Some((other, line)) => Err(format!(
                "line {line}: expected a map of \"key: value\" settings, found {}",
                describe(&other)
            )),
        }
    }

    /// The parser's error, on the line it concerns. A tab in indentation is named as such (the
    /// parser reports it as something else, sometimes on another line). The parser notices some
    /// mistakes only at the next token: an error on a blank line (or past the end) is the last
    /// line that has text.
    fn syntax_error(text: &str, line: usize, info: &str) -> String {
        let lines: Vec<&str> = text.lines().collect();
        let indented_by_tab = |l: &&str| {
            let rest = l.trim_start_matches([' ', '\t']);
            !rest.is_empty() && l[..l.len() - rest.len()].contains('\t')
        };
        if let Some(index) = lines[..(line + 1).min(lines.len())]
            .iter()
            .rposition(indented_by_tab)
        {
            return format!("line {}: tabs cannot indent YAML, use spaces", index + 1);
        }
        let has_text = |l: &&str| {
            let t = l.trim();
            !t.is_empty() && !t.starts_with('#')
        };
        let line = if lines.get(line.wrapping_sub(1)).is_some_and(has_text) {
            line
        } else {
            lines[..(line.saturating_sub(1)).min(lines.len())]
                .iter()
                .rposition(has_text)
                .map_or(line, |i| i + 1)
        };
        format!("line {line}: this is not valid YAML ({info})")
    }

    /// A `<<: *anchor` (or `<<: [*a, *b]`) merge key's value.
    fn merge(merged: &mut Vec<Entry>, node: Node, line: usize) -> Result<(), String> {
        let maps = match node {
            Node::Map(entries) => vec![entries],
            Node::List(items) if items.iter().all(|i| matches!(i, Node::Map(_))) => items
                .into_iter()
                .filter_map(|i| match i {
                    Node::Map(entries) => Some(entries),
                    _ => None,
                })
                .collect(),
            _ => {
                return Err(format!(
                    "line {line}: \"<<\" merges a map or a list of maps"
                ));
            }
        };
        for entry in maps.into_iter().flatten() {
            if !merged.iter().any(|e| e.key == entry.key) {
                merged.push(entry);
            }
        }
        Ok(())
    }

    fn unsupported_tag(no: usize, tag: &Tag) -> String {
        format!(
            "line {no}: the tag \"{}{}\" is not supported (write the value without it)",
            if tag.handle == "tag:yaml.org,2002:" {
                "!!"
            } else {
                &tag.handle
            },
            tag.suffix
        )
    }
}
