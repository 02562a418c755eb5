//! The backends as `juju secret-backends --format yaml|json` prints them, for the list's export.
//! Plain functions, tested in `tests/export.rs`.

use secret_backends_api::{Config, GoDuration, SecretBackend};
use serde::Serialize;
use serde_json::Value;

use crate::commands::non_empty;

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
    let map: std::collections::BTreeMap<&str, Exported<'_>> = backends
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
