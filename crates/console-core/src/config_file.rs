//! Reading a Juju `--config` YAML file into the add form's settings. Plain functions, tested in
//! `tests/config_file.rs`.

use secret_backends_api::{BackendType, Config, FieldKind, FieldSpec};
use serde_json::Value;

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
