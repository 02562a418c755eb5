//! The backends list's filter and sort, as a plain function of the list and the admin's
//! choices, and counts in words. Tested in `tests/listing.rs`.

use secret_backends_api::{BackendStatus, SecretBackend};

/// A column to sort by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    Name,
    Type,
    Secrets,
    Status,
}

impl SortKey {
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Name => "Backend",
            SortKey::Type => "Type",
            SortKey::Secrets => "Secrets",
            SortKey::Status => "Status",
        }
    }
}

/// What the admin chose to see.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListView {
    /// Case-insensitive text matched against name, type, status and message.
    pub filter: String,
    pub sort: SortKey,
    pub descending: bool,
    pub hide_built_in: bool,
}

/// The rows to show, in order.
pub fn visible<'a>(backends: &'a [SecretBackend], view: &ListView) -> Vec<&'a SecretBackend> {
    let needle = view.filter.trim().to_lowercase();
    let mut rows: Vec<&SecretBackend> = backends
        .iter()
        .filter(|b| !(view.hide_built_in && b.built_in))
        .filter(|b| needle.is_empty() || matches(b, &needle))
        .collect();
    rows.sort_by(|a, b| {
        let order = match view.sort {
            SortKey::Name => a.name.cmp(&b.name),
            SortKey::Type => a
                .backend_type
                .as_str()
                .cmp(b.backend_type.as_str())
                .then_with(|| a.name.cmp(&b.name)),
            SortKey::Secrets => a.secrets.cmp(&b.secrets).then_with(|| a.name.cmp(&b.name)),
            SortKey::Status => status_rank(a)
                .cmp(&status_rank(b))
                .then_with(|| a.name.cmp(&b.name)),
        };
        if view.descending {
            order.reverse()
        } else {
            order
        }
    });
    rows
}

fn status_rank(b: &SecretBackend) -> u8 {
    match b.status {
        BackendStatus::Error => 0,
        BackendStatus::Active => 1,
    }
}

fn matches(b: &SecretBackend, needle: &str) -> bool {
    contains(&b.name, needle)
        || contains(b.backend_type.as_str(), needle)
        || contains(b.status.as_str(), needle)
        || b.message.as_deref().is_some_and(|m| contains(m, needle))
}

/// `haystack` contains `needle` (already lowercase), ignoring ASCII case, without allocating.
fn contains(haystack: &str, needle: &str) -> bool {
    haystack.len() >= needle.len()
        && haystack
            .as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// `n` followed by the noun in the number it takes in English: "1 secret", "2 secrets", "0 secrets".
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
