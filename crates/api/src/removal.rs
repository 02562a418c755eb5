//! The answer of a forced removal that could not move every secret's content out of the backend
//! first: which secrets' content was left behind, and the sentence that says so. The service
//! builds the sentence for the answer and the audit trail; the console shows it.

use serde::{Deserialize, Serialize};

/// A secret with content (some or all of its revisions) left in a removed backend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct LeftBehind {
    pub model: String,
    pub uri: String,
    pub label: String,
    /// The revisions whose content was left behind, in ascending order.
    pub revisions: Vec<u64>,
    /// Why it could not be moved, in the backend's words (never content).
    pub reason: String,
}

/// What a removal did, when it could not do all of it: the backend is gone, but the content of
/// `left-behind` is lost to the controller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct RemovedBackend {
    pub name: String,
    /// The sentence of [`removed_message`].
    pub message: String,
    pub left_behind: Vec<LeftBehind>,
}

impl RemovedBackend {
    pub fn new(name: &str, left_behind: Vec<LeftBehind>) -> RemovedBackend {
        RemovedBackend {
            name: name.to_owned(),
            message: removed_message(name, &left_behind),
            left_behind,
        }
    }
}

/// `secret backend "v" removed`, and when content was left behind, which and why:
/// `; the content of 2 secrets could not be moved: secret:… revisions 1, 2 ("db" in model "m1"),
/// secret:… revision 1 ("api" in model "m2"): vault is sealed`.
pub fn removed_message(name: &str, left_behind: &[LeftBehind]) -> String {
    let removed = format!("secret backend {name:?} removed");
    if left_behind.is_empty() {
        return removed;
    }
    format!("{removed}; {}", left_behind_sentence(left_behind))
}

/// `the content of 2 secrets could not be moved: ` and the secrets left behind, each with its
/// revisions, then the reasons (each said once).
pub fn left_behind_sentence(left_behind: &[LeftBehind]) -> String {
    let count = match left_behind.len() {
        1 => "1 secret".to_owned(),
        n => format!("{n} secrets"),
    };
    let secrets: Vec<String> = left_behind
        .iter()
        .map(|s| {
            let numbers: Vec<String> = s.revisions.iter().map(u64::to_string).collect();
            let word = if s.revisions.len() == 1 {
                "revision"
            } else {
                "revisions"
            };
            format!(
                "{} {word} {} ({:?} in model {:?})",
                s.uri,
                numbers.join(", "),
                s.label,
                s.model
            )
        })
        .collect();
    let mut reasons: Vec<&str> = Vec::new();
    for s in left_behind {
        if !reasons.contains(&s.reason.as_str()) {
            reasons.push(&s.reason);
        }
    }
    format!(
        "the content of {count} could not be moved: {}: {}",
        secrets.join(", "),
        reasons.join("; ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(model: &str, label: &str, revisions: &[u64], reason: &str) -> LeftBehind {
        LeftBehind {
            model: model.into(),
            uri: format!("secret:{label}"),
            label: label.into(),
            revisions: revisions.to_vec(),
            reason: reason.into(),
        }
    }

    #[test]
    fn a_removal_that_lost_nothing_says_only_that_it_removed() {
        let answer = RemovedBackend::new("v", Vec::new());
        assert_eq!(answer.message, "secret backend \"v\" removed");
    }

    #[test]
    fn the_message_names_each_secret_its_revisions_and_each_reason_once() {
        let lost = vec![
            secret("m1", "db", &[1, 2], "vault is sealed"),
            secret("m2", "api", &[3], "vault is sealed"),
        ];
        assert_eq!(
            removed_message("v", &lost),
            "secret backend \"v\" removed; the content of 2 secrets could not be moved: \
             secret:db revisions 1, 2 (\"db\" in model \"m1\"), secret:api revision 3 \
             (\"api\" in model \"m2\"): vault is sealed"
        );
        let one = vec![secret("m1", "db", &[1], "a"), secret("m1", "x", &[1], "b")];
        assert!(removed_message("v", &one[..1]).contains("the content of 1 secret could"));
        assert!(left_behind_sentence(&one).ends_with(": a; b"));
    }

    #[test]
    fn the_answer_is_kebab_case() {
        let answer = RemovedBackend::new("v", vec![secret("m", "db", &[1], "r")]);
        let json = serde_json::to_value(&answer).unwrap();
        assert_eq!(json["left-behind"][0]["revisions"], serde_json::json!([1]));
    }
}
