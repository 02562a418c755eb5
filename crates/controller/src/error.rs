//! The one error type of the service. A refusal carries the Juju-style sentence for the client; an
//! internal failure is logged here and answered as a bare `internal` problem, so no detail of the
//! store, the file system or a backend's config ever reaches a response.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use secret_backends_api::{ErrorCode, Problem, ValidationError};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request is refused by a rule; the detail is for the person who sent it.
    #[error("{0}")]
    Refused(ValidationError),
    /// Something broke inside the service. The text goes to the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn refused(code: ErrorCode, detail: impl Into<String>) -> Self {
        Error::Refused(ValidationError {
            code,
            field: None,
            detail: detail.into(),
        })
    }

    pub fn unauthorized() -> Self {
        Self::refused(
            ErrorCode::Unauthorized,
            "login required: the token is missing, expired or logged out",
        )
    }

    pub fn permission_denied() -> Self {
        Self::refused(ErrorCode::PermissionDenied, "permission denied")
    }

    pub fn backend_not_found(name: &str) -> Self {
        Self::refused(
            ErrorCode::NotFound,
            format!("secret backend {name:?} not found"),
        )
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Error::Internal(cause.to_string())
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Refused(v) => v.code,
            Error::Internal(_) => ErrorCode::Internal,
        }
    }
}

impl From<ValidationError> for Error {
    fn from(e: ValidationError) -> Self {
        Error::Refused(e)
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let problem = match self {
            Error::Refused(v) => Problem::from(v),
            Error::Internal(cause) => {
                tracing::error!(%cause, "request failed");
                Problem::new(ErrorCode::Internal, "internal error", None)
            }
        };
        problem_response(problem)
    }
}

/// A problem as an `application/problem+json` response.
pub fn problem_response(problem: Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        )],
        body,
    )
        .into_response()
}
