//! Turning what an admin typed into a request, with the shared crate's rules, so that the console
//! refuses exactly what the service would refuse, in the same words, before sending anything.

use secret_backends_api::validate::{self, Operation};
use secret_backends_api::{AddBackendRequest, BackendType, Config, FieldKind, ValidationError};
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
