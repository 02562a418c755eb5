//! The error shape of the API (`application/problem+json`) and the error a rule gives when input
//! is refused. Details are sentences in Juju's own words, written for the admin who reads them.

use serde::{Deserialize, Serialize};

/// The machine-readable kind of a failure; each maps to one HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ErrorCode {
    NotValid,
    Unauthorized,
    PermissionDenied,
    NotFound,
    AlreadyExists,
    InUse,
    Conflict,
    NotSupported,
    Unreachable,
    TooLarge,
    /// Too many failed logins: wait for the time the answer's `Retry-After` says (Juju's
    /// "try again").
    TryAgain,
    Internal,
}

impl ErrorCode {
    /// The HTTP status the API answers with for this code.
    pub fn status(self) -> u16 {
        match self {
            ErrorCode::NotValid => 400,
            ErrorCode::Unauthorized => 401,
            ErrorCode::PermissionDenied => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::AlreadyExists | ErrorCode::InUse => 409,
            ErrorCode::Conflict => 412,
            ErrorCode::NotSupported | ErrorCode::Unreachable => 422,
            ErrorCode::TooLarge => 413,
            ErrorCode::TryAgain => 429,
            ErrorCode::Internal => 500,
        }
    }

    /// A short human title, used as the problem's `title`.
    pub fn title(self) -> &'static str {
        match self {
            ErrorCode::NotValid => "Not valid",
            ErrorCode::Unauthorized => "Unauthorized",
            ErrorCode::PermissionDenied => "Permission denied",
            ErrorCode::NotFound => "Not found",
            ErrorCode::AlreadyExists => "Already exists",
            ErrorCode::InUse => "In use",
            ErrorCode::Conflict => "Changed by someone else",
            ErrorCode::NotSupported => "Not supported",
            ErrorCode::Unreachable => "Backend unreachable",
            ErrorCode::TooLarge => "Request too large",
            ErrorCode::TryAgain => "Too many requests",
            ErrorCode::Internal => "Internal error",
        }
    }

    /// The problem `type` URI; a stable identifier, not a page to fetch.
    pub fn type_uri(self) -> String {
        let code = serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        format!("urn:secret-backends:problem:{code}")
    }
}

/// An error answer, as `application/problem+json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    /// The Juju-style sentence that says what happened.
    pub detail: String,
    pub code: ErrorCode,
    /// The offending input (`name`, `config.endpoint`, …), where there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl Problem {
    pub fn new(code: ErrorCode, detail: impl Into<String>, field: Option<String>) -> Self {
        Problem {
            type_: code.type_uri(),
            title: code.title().to_owned(),
            status: code.status(),
            detail: detail.into(),
            code,
            field,
        }
    }
}

/// Input refused by a rule of the domain: what to say, which input it concerns, and its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    pub code: ErrorCode,
    pub field: Option<String>,
    pub detail: String,
}

impl ValidationError {
    /// A `not-valid` error about one input field.
    pub fn field(field: impl Into<String>, detail: impl Into<String>) -> Self {
        ValidationError {
            code: ErrorCode::NotValid,
            field: Some(field.into()),
            detail: detail.into(),
        }
    }

    /// A `not-valid` error about the request as a whole (no one field is wrong).
    pub fn request(detail: impl Into<String>) -> Self {
        ValidationError {
            code: ErrorCode::NotValid,
            field: None,
            detail: detail.into(),
        }
    }

    /// An error about a config key: the field is `config.<key>`.
    pub fn config_key(key: &str, detail: impl Into<String>) -> Self {
        Self::field(format!("config.{key}"), detail)
    }

    pub fn with_code(mut self, code: ErrorCode) -> Self {
        self.code = code;
        self
    }
}

impl std::fmt::Display for ValidationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.detail)
    }
}

impl std::error::Error for ValidationError {}

impl From<ValidationError> for Problem {
    fn from(e: ValidationError) -> Self {
        Problem::new(e.code, e.detail, e.field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_json_shape_is_the_contract() {
        let p = Problem::new(
            ErrorCode::AlreadyExists,
            "secret backend \"myvault\" already exists",
            Some("name".into()),
        );
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(v["code"], "already-exists");
        assert_eq!(v["status"], 409);
        assert_eq!(v["field"], "name");
        assert_eq!(v["type"], "urn:secret-backends:problem:already-exists");
        let no_field = serde_json::to_value(Problem::new(ErrorCode::Internal, "x", None)).unwrap();
        assert!(no_field.get("field").is_none());
    }
}
