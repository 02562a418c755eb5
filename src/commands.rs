//! What an action looks like as a `juju` command, and the CLI's export shapes (`domain.md`
//! section 7); reading a Juju `--config` YAML file. Plain functions, tested in `tests/commands.rs`.
//!
//! Sensitive values never appear in a command: they are replaced by placeholders (`token=<token>`)
//! that the admin fills in before running it. PEM texts are not inlined either: the command reads
//! them from a file (`ca-cert="$(cat ca-cert.pem)"`).

use secret_backends_api::{
    AddBackendRequest, BackendType, Config, FieldKind, FieldSpec, SecretBackend,
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
        if let Some(value) = request.config.get(field.name) {
            words.push(config_arg(field.name, value, field.sensitive));
        }
    }
    for (key, value) in &request.config {
        if !fields.iter().any(|f| f.name == key) {
            words.push(config_arg(key, value, false));
        }
    }
    if let Some(interval) = non_empty(&request.token_rotate_interval) {
        words.push(format!("token-rotate={}", shell_word(interval)));
    }
    if let Some(id) = non_empty(&request.import_id) {
        words.push("--import-id".to_owned());
        words.push(shell_word(id));
    }
    words.join(" ")
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

/// One backend as `juju secret-backends --format yaml|json` prints it, fields in Juju's order.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Exported<'a> {
    backend: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    token_rotate_interval: Option<&'a str>,
    #[serde(skip_serializing_if = "is_empty_config")]
    config: &'a Config,
    secrets: u64,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
    id: &'a str,
}

fn is_empty_config(config: &&Config) -> bool {
    config.is_empty()
}

impl<'a> Exported<'a> {
    fn new(b: &'a SecretBackend) -> Self {
        Exported {
            backend: b.backend_type.as_str(),
            token_rotate_interval: non_empty(&b.token_rotate_interval),
            config: &b.config,
            secrets: b.secrets,
            status: b.status.as_str(),
            message: non_empty(&b.message),
            id: &b.id,
        }
    }
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
        let e = Exported::new(b);
        out.push_str(&yaml::scalar(&b.name));
        out.push_str(":\n");
        yaml::entry(&mut out, 2, "backend", &Value::from(e.backend));
        if let Some(interval) = e.token_rotate_interval {
            yaml::entry(&mut out, 2, "token-rotate-interval", &Value::from(interval));
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
        yaml::entry(&mut out, 2, "id", &Value::from(e.id));
    }
    out
}

/// The backends as `juju secret-backends --format json` prints them (pretty-printed): the same map.
pub fn export_json(backends: &[SecretBackend]) -> String {
    let map: std::collections::BTreeMap<&str, Exported> = backends
        .iter()
        .map(|b| (b.name.as_str(), Exported::new(b)))
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
}

/// Reads a Juju `--config` file: a flat YAML map of `key: value`.
///
/// The subset understood: comments, blank lines, plain, single- and double-quoted scalars on one
/// line, `|` and `>` block scalars (with `-`/`+` chomping and an optional indentation digit), and
/// block lists (`- item` lines, items may be block scalars). Known keys are typed by their field's
/// kind: booleans (`true`/`false`/`yes`/`no`/`on`/`off`), lists of strings (a single value is a
/// list of one), strings. Anything else (nested maps, flow collections, anchors) is refused with
/// the line it is on.
pub fn parse_config_yaml(backend_type: BackendType, text: &str) -> Result<ConfigFile, String> {
    let mut file = ConfigFile::default();
    for entry in config_yaml::parse(text)? {
        match backend_type.field(&entry.key) {
            None => file.unknown.push(entry.key),
            Some(field) => {
                let value =
                    typed(field, entry.value).map_err(|e| format!("line {}: {e}", entry.line))?;
                file.config.insert(entry.key, value);
            }
        }
    }
    file.unknown.sort();
    Ok(file)
}

fn typed(field: &FieldSpec, node: config_yaml::Node) -> Result<Value, String> {
    use config_yaml::Node;
    let name = field.name;
    match (field.kind, node) {
        (FieldKind::Bool, Node::Scalar(text)) => match text.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" => Ok(Value::Bool(true)),
            "false" | "no" | "off" => Ok(Value::Bool(false)),
            _ => Err(format!("{name:?} expects true or false, got {text:?}")),
        },
        (FieldKind::Bool, Node::List(_)) => {
            Err(format!("{name:?} expects true or false, not a list"))
        }
        (FieldKind::List, Node::List(items)) => {
            Ok(Value::Array(items.into_iter().map(Value::String).collect()))
        }
        (FieldKind::List, Node::Scalar(text)) => Ok(Value::Array(vec![Value::String(text)])),
        (_, Node::Scalar(text)) => Ok(Value::String(text)),
        (_, Node::List(_)) => Err(format!("{name:?} expects a single value, not a list")),
    }
}

/// A line-based reader for the flat-map subset of YAML that `--config` files use.
mod config_yaml {
    /// A value: one string, or a block list of strings.
    #[derive(Debug)]
    pub enum Node {
        Scalar(String),
        List(Vec<String>),
    }

    #[derive(Debug)]
    pub struct Entry {
        pub key: String,
        pub value: Node,
        /// The key's line, counted from 1.
        pub line: usize,
    }

    pub fn parse(text: &str) -> Result<Vec<Entry>, String> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        Parser {
            lines: text.lines().collect(),
            pos: 0,
        }
        .entries()
    }

    struct Parser<'a> {
        lines: Vec<&'a str>,
        /// The next line to read (0-based).
        pos: usize,
    }

    fn indent_of(line: &str) -> usize {
        line.len() - line.trim_start_matches(' ').len()
    }

    fn is_list_item(rest: &str) -> bool {
        rest == "-" || rest.starts_with("- ")
    }

    fn unexpected_indentation(no: usize) -> String {
        format!(
            "line {no}: unexpected indentation (a flat \"key: value\" map is expected; \
             write a multi-line value as a \"|\" block)"
        )
    }

    impl<'a> Parser<'a> {
        /// The next line that is neither blank nor a comment, without consuming it: its index,
        /// its text and its indentation. A tab in the indentation is an error.
        fn peek(&self) -> Result<Option<(usize, &'a str, usize)>, String> {
            for (index, line) in self.lines.iter().enumerate().skip(self.pos) {
                let rest = line.trim_start_matches([' ', '\t']);
                if rest.is_empty() || rest.starts_with('#') {
                    continue;
                }
                if line[..line.len() - rest.len()].contains('\t') {
                    return Err(format!(
                        "line {}: tabs cannot indent YAML, use spaces",
                        index + 1
                    ));
                }
                return Ok(Some((index, line, indent_of(line))));
            }
            Ok(None)
        }

        fn entries(mut self) -> Result<Vec<Entry>, String> {
            let mut entries: Vec<Entry> = Vec::new();
            let mut map_indent = None;
            while let Some((index, line, indent)) = self.peek()? {
                let no = index + 1;
                let rest = &line[indent..];
                self.pos = index + 1;
                if rest.trim_end() == "---" || rest.trim_end() == "..." {
                    if map_indent.is_none() && rest.trim_end() == "---" {
                        continue;
                    }
                    return Err(format!("line {no}: only one YAML document is supported"));
                }
                let map_indent = *map_indent.get_or_insert(indent);
                if indent != map_indent {
                    return Err(unexpected_indentation(no));
                }
                let (key, after) = split_key(rest, no)?
                    .ok_or_else(|| format!("line {no}: expected \"key: value\""))?;
                if entries.iter().any(|e| e.key == key) {
                    return Err(format!("line {no}: duplicate key {key:?}"));
                }
                let value = self.value(after, map_indent, no, &key)?;
                entries.push(Entry {
                    key,
                    value,
                    line: no,
                });
            }
            Ok(entries)
        }

        /// The value after `key:` on line `no`; the key sits at `parent` spaces.
        fn value(
            &mut self,
            after: &str,
            parent: usize,
            no: usize,
            key: &str,
        ) -> Result<Node, String> {
            let v = after.trim_start();
            if v.is_empty() || v.starts_with('#') {
                return match self.peek()? {
                    Some((_, line, indent))
                        if indent >= parent && is_list_item(&line[indent..]) =>
                    {
                        Ok(Node::List(self.list(indent, parent)?))
                    }
                    Some((index, _, indent)) if indent > parent => {
                        Err(unexpected_indentation(index + 1))
                    }
                    _ => Err(format!("line {no}: no value for {key:?}")),
                };
            }
            if v.starts_with(['|', '>']) {
                return Ok(Node::Scalar(self.block(v, parent, no)?));
            }
            if is_list_item(v) {
                return Err(format!(
                    "line {no}: a list starts on the line after its key, one \"- item\" a line"
                ));
            }
            Ok(Node::Scalar(inline(v, no)?))
        }

        /// The `- item` lines of a list whose dashes sit at `dash` spaces, under a key at `parent`.
        fn list(&mut self, dash: usize, parent: usize) -> Result<Vec<String>, String> {
            let mut items = Vec::new();
            while let Some((index, line, indent)) = self.peek()? {
                let no = index + 1;
                let rest = &line[indent..];
                if indent < dash || (indent == dash && dash == parent && !is_list_item(rest)) {
                    break;
                }
                if indent > dash {
                    return Err(unexpected_indentation(no));
                }
                if !is_list_item(rest) {
                    return Err(format!("line {no}: expected a list item \"- value\""));
                }
                self.pos = index + 1;
                let item = rest[1..].trim_start();
                if item.is_empty() || item.starts_with('#') {
                    return Err(format!("line {no}: empty list item"));
                }
                let text = if item.starts_with(['|', '>']) {
                    self.block(item, dash, no)?
                } else if is_list_item(item) {
                    return Err(format!("line {no}: lists of lists are not supported"));
                } else {
                    inline(item, no)?
                };
                items.push(text);
            }
            Ok(items)
        }

        /// A `|` or `>` block scalar whose header is on line `no`, under a node at `parent` spaces.
        fn block(&mut self, header: &str, parent: usize, no: usize) -> Result<String, String> {
            let literal = header.starts_with('|');
            let (chomp, explicit, tail) = block_header(&header[1..]);
            if !(tail.trim().is_empty()
                || (tail.starts_with([' ', '\t']) && tail.trim_start().starts_with('#')))
            {
                return Err(format!(
                    "line {no}: invalid block scalar header {header:?} (expected |, |-, |+, > …)"
                ));
            }
            // The content's indentation: given, or that of the first non-blank line.
            let content_indent = match explicit {
                Some(m) => Some(parent + m),
                None => self.lines[self.pos..]
                    .iter()
                    .find(|l| !l.trim().is_empty())
                    .map(|l| indent_of(l))
                    .filter(|&i| i > parent),
            };
            let mut lines: Vec<&str> = Vec::new();
            if let Some(ci) = content_indent {
                while let Some(line) = self.lines.get(self.pos) {
                    if line.trim().is_empty() {
                        lines.push(line.get(ci..).unwrap_or(""));
                    } else if indent_of(line) >= ci {
                        lines.push(&line[ci..]);
                    } else {
                        break;
                    }
                    self.pos += 1;
                }
            }
            let last = lines.iter().rposition(|l| !l.trim().is_empty());
            let (body, trailing) = match last {
                Some(i) => (&lines[..=i], lines.len() - i - 1),
                None => (&lines[..0], lines.len()),
            };
            let mut text = if literal { body.join("\n") } else { fold(body) };
            match chomp {
                Chomp::Strip => {}
                Chomp::Clip if !body.is_empty() => text.push('\n'),
                Chomp::Clip => {}
                Chomp::Keep => {
                    if !body.is_empty() {
                        text.push('\n');
                    }
                    text.push_str(&"\n".repeat(trailing));
                }
            }
            Ok(text)
        }
    }

    #[derive(Clone, Copy)]
    enum Chomp {
        /// `-`: no final newline.
        Strip,
        /// (default): one final newline.
        Clip,
        /// `+`: every final newline.
        Keep,
    }

    /// The indicators after `|` or `>` (`-`, `+`, an indentation digit, in either order), and
    /// what follows them.
    fn block_header(indicators: &str) -> (Chomp, Option<usize>, &str) {
        let mut chomp = None;
        let mut explicit = None;
        let mut used = 0;
        for c in indicators.chars() {
            match c {
                '-' if chomp.is_none() => chomp = Some(Chomp::Strip),
                '+' if chomp.is_none() => chomp = Some(Chomp::Keep),
                '1'..='9' if explicit.is_none() => explicit = c.to_digit(10).map(|d| d as usize),
                _ => break,
            }
            used += 1;
        }
        (chomp.unwrap_or(Chomp::Clip), explicit, &indicators[used..])
    }

    /// `>` folding: a line break between two ordinary lines becomes a space, an empty line a
    /// newline; more-indented lines keep their breaks.
    fn fold(body: &[&str]) -> String {
        let mut out = String::new();
        let mut previous_more_indented: Option<bool> = None;
        let mut empties = 0;
        for line in body {
            if line.trim().is_empty() {
                empties += 1;
                continue;
            }
            let more_indented = line.starts_with([' ', '\t']);
            match previous_more_indented {
                None => out.push_str(&"\n".repeat(empties)),
                Some(false) if !more_indented && empties == 0 => out.push(' '),
                Some(false) if !more_indented => out.push_str(&"\n".repeat(empties)),
                Some(_) => out.push_str(&"\n".repeat(empties + 1)),
            }
            out.push_str(line);
            previous_more_indented = Some(more_indented);
            empties = 0;
        }
        out
    }

    /// Splits `key: rest` (the key plain or quoted); `None` when the line is not a map entry.
    fn split_key(line: &str, no: usize) -> Result<Option<(String, &str)>, String> {
        if line.starts_with(['"', '\'']) {
            let (key, rest) = quoted(line, no)?;
            return Ok(rest
                .strip_prefix(':')
                .filter(|r| r.is_empty() || r.starts_with([' ', '\t']))
                .map(|r| (key, r)));
        }
        if line.starts_with([
            '-', '?', '[', '{', '&', '*', '!', '|', '>', '%', '@', '`', '#',
        ]) {
            return Ok(None);
        }
        let colon = line.char_indices().find(|&(i, c)| {
            c == ':' && matches!(line[i + 1..].chars().next(), None | Some(' ' | '\t'))
        });
        let Some((i, _)) = colon else {
            return Ok(None);
        };
        let key = line[..i].trim_end();
        if key.is_empty() || key.contains(" #") {
            return Ok(None);
        }
        Ok(Some((key.to_owned(), &line[i + 1..])))
    }

    /// A scalar written on one line: quoted, or plain up to a ` #` comment.
    fn inline(v: &str, no: usize) -> Result<String, String> {
        if v.starts_with(['"', '\'']) {
            let (text, rest) = quoted(v, no)?;
            let rest_trimmed = rest.trim_start();
            if !(rest_trimmed.is_empty()
                || (rest.starts_with([' ', '\t']) && rest_trimmed.starts_with('#')))
            {
                return Err(format!(
                    "line {no}: unexpected text after the closing quote"
                ));
            }
            return Ok(text);
        }
        if v.starts_with(['[', '{']) {
            return Err(format!(
                "line {no}: flow collections (\"[…]\", \"{{…}}\") are not supported, \
                 write a list as \"- item\" lines"
            ));
        }
        if v.starts_with(['&', '*', '!']) {
            return Err(format!(
                "line {no}: anchors, aliases and tags are not supported"
            ));
        }
        if v.starts_with([',', ']', '}', '%', '@', '`'])
            || v.starts_with("? ")
            || v.starts_with(": ")
        {
            return Err(format!(
                "line {no}: a value starting with {:?} must be quoted",
                &v[..1]
            ));
        }
        let mut end = v.len();
        let mut previous = ' ';
        for (i, c) in v.char_indices() {
            if c == '#' && (previous == ' ' || previous == '\t') {
                end = i;
                break;
            }
            previous = c;
        }
        let text = v[..end].trim_end();
        if text.contains(": ") || text.contains(":\t") || text.ends_with(':') {
            return Err(format!(
                "line {no}: a value containing \": \" must be quoted (nested maps are not supported)"
            ));
        }
        Ok(text.to_owned())
    }

    /// A single- or double-quoted scalar at the start of `s`, and the text after it.
    fn quoted(s: &str, no: usize) -> Result<(String, &str), String> {
        let quote = s.chars().next().unwrap_or('"');
        let mut out = String::new();
        let mut chars = s.char_indices().skip(1).peekable();
        while let Some((i, c)) = chars.next() {
            if c == quote {
                if quote == '\'' && chars.peek().is_some_and(|&(_, n)| n == '\'') {
                    chars.next();
                    out.push('\'');
                    continue;
                }
                return Ok((out, &s[i + 1..]));
            }
            if c == '\\' && quote == '"' {
                let Some((_, e)) = chars.next() else {
                    break;
                };
                let hex_digits = match e {
                    'x' => 2,
                    'u' => 4,
                    'U' => 8,
                    _ => 0,
                };
                if hex_digits > 0 {
                    let digits: String = (0..hex_digits)
                        .filter_map(|_| chars.next().map(|(_, d)| d))
                        .collect();
                    let c = u32::from_str_radix(&digits, 16)
                        .ok()
                        .filter(|_| digits.len() == hex_digits)
                        .and_then(char::from_u32)
                        .ok_or_else(|| {
                            format!("line {no}: invalid escape \"\\{e}{digits}\" in a double-quoted string")
                        })?;
                    out.push(c);
                    continue;
                }
                out.push(match e {
                    '0' => '\0',
                    'a' => '\x07',
                    'b' => '\x08',
                    't' | '\t' => '\t',
                    'n' => '\n',
                    'v' => '\x0b',
                    'f' => '\x0c',
                    'r' => '\r',
                    'e' => '\x1b',
                    ' ' => ' ',
                    '"' => '"',
                    '/' => '/',
                    '\\' => '\\',
                    'N' => '\u{85}',
                    '_' => '\u{a0}',
                    'L' => '\u{2028}',
                    'P' => '\u{2029}',
                    other => {
                        return Err(format!(
                            "line {no}: unknown escape \"\\{other}\" in a double-quoted string"
                        ));
                    }
                });
                continue;
            }
            out.push(c);
        }
        let style = if quote == '"' { "double" } else { "single" };
        Err(format!(
            "line {no}: unterminated {style}-quoted string (a quoted value must end on its line)"
        ))
    }
}
