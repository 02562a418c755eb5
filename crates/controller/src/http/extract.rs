//! Extractors whose rejections use the API's problem shape, and the `If-Match` precondition.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use secret_backends_api::ErrorCode;
use serde::de::DeserializeOwned;

use super::session::SessionToken;
use super::{AppState, BODY_LIMIT};
use crate::controller::{Caller, Change, Controller, Version};
use crate::error::{Error, Result};

/// The caller behind the request's session token (the bearer token, or else the session
/// cookie: see [`SessionToken`]); `unauthorized` without a live session.
impl FromRequestParts<AppState> for Caller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let session = SessionToken::from_request_parts(parts, state).await?;
        state.controller.authenticate(&session.token).await
    }
}

/// What an API handler that needs a login works with: the controller and the caller behind the
/// session token (`unauthorized` without a live session).
pub struct Api {
    pub controller: Arc<dyn Controller>,
    pub caller: Caller,
}

impl FromRequestParts<AppState> for Api {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let caller = Caller::from_request_parts(parts, state).await?;
        Ok(Api {
            controller: state.controller.clone(),
            caller,
        })
    }
}

/// The version an `If-Match` header expects: none without the header or with `*`.
pub struct IfMatch(pub Option<Version>);

impl IfMatch {
    /// The change of `name` to `request`, made only while it is still at this version.
    pub fn change<'a, T>(&'a self, name: &'a str, request: T) -> Change<'a, T> {
        Change {
            name,
            request,
            expected: self.0.as_ref(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self> {
        let header = parts
            .headers
            .get(header::IF_MATCH)
            .and_then(|v| v.to_str().ok());
        Ok(IfMatch(header.and_then(expected_version)))
    }
}

/// The version inside an `If-Match` value. Our entity tags are one strong quoted version; any
/// other value (a weak tag, a list, no quotes) matches no version, so the change is refused as
/// stale rather than applied blindly.
fn expected_version(if_match: &str) -> Option<Version> {
    let if_match = if_match.trim();
    if if_match == "*" {
        return None;
    }
    let version = if_match
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .filter(|v| !v.contains('"'))
        .unwrap_or_default();
    Some(Version::new(version))
}

/// The `ETag` of a version: the version, quoted.
pub fn entity_tag(version: &Version) -> String {
    format!("\"{}\"", version.as_str())
}

/// JSON body whose rejections are problems: 413 when too large, `not-valid` naming the field.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> Error {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return Error::refused(
            ErrorCode::TooLarge,
            format!("request body larger than {} bytes not valid", BODY_LIMIT),
        );
    }
    let detail = match &rejection {
        JsonRejection::JsonDataError(e) => {
            format!(
                "request body not valid: {}",
                without_values(&serde_cause(e))
            )
        }
        JsonRejection::JsonSyntaxError(e) => {
            format!("request body is not JSON: {}", serde_cause(e))
        }
        JsonRejection::MissingJsonContentType(_) => {
            "request body not valid: expected Content-Type: application/json".to_owned()
        }
        other => format!("request body not valid: {other}"),
    };
    Error::refused(ErrorCode::NotValid, detail)
}

/// The innermost message of a JSON rejection (serde's own words: "unknown field `x`, expected …").
fn serde_cause(e: &dyn std::error::Error) -> String {
    let mut inner: &dyn std::error::Error = e;
    while let Some(next) = inner.source() {
        inner = next;
    }
    inner.to_string()
}

/// serde's "invalid type: integer `42`, expected a string" and "unknown variant `x`, expected
/// …" repeat the value, which may be a password or secret content: keep the type, drop the
/// value. The last ", expected" is serde's own (a value may contain the words too).
fn without_values(message: &str) -> String {
    if let Some((before, rest)) = message.split_once("unknown variant ")
        && let Some((_, expected)) = rest.rsplit_once(", expected")
    {
        return format!("{before}unknown variant, expected{expected}");
    }
    for marker in ["invalid type: ", "invalid value: "] {
        if let Some((before, rest)) = message.split_once(marker)
            && let Some((got, expected)) = rest.rsplit_once(", expected")
        {
            let kind = got.split([' ', '`']).next().unwrap_or("value");
            return format!("{before}{marker}{kind}, expected{expected}");
        }
    }
    message.to_owned()
}

/// Query string whose rejections are problems.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(query_rejection(rejection)),
        }
    }
}

fn query_rejection(rejection: QueryRejection) -> Error {
    Error::refused(
        ErrorCode::NotValid,
        format!("query not valid: {}", serde_cause(&rejection)),
    )
}

#[cfg(test)]
mod tests {
    use super::{Version, entity_tag, expected_version, without_values};

    #[test]
    fn serde_type_errors_keep_the_type_and_drop_the_value() {
        assert_eq!(
            without_values("invalid type: integer `42`, expected a string at line 1 column 30"),
            "invalid type: integer, expected a string at line 1 column 30"
        );
        assert_eq!(
            without_values("invalid type: string \"s3cret\", expected a map"),
            "invalid type: string, expected a map"
        );
        assert_eq!(
            without_values("password: invalid type: integer `42`, expected a string"),
            "password: invalid type: integer, expected a string"
        );
        assert_eq!(
            without_values(
                "invalid type: string \"s3cret, expected x\", expected a map at line 1 column 9"
            ),
            "invalid type: string, expected a map at line 1 column 9"
        );
        assert_eq!(
            without_values("session: unknown variant `s3cret`, expected `token` or `cookie`"),
            "session: unknown variant, expected `token` or `cookie`"
        );
        assert_eq!(
            without_values("unknown field `colour`, expected one of `name`"),
            "unknown field `colour`, expected one of `name`"
        );
    }

    #[test]
    fn if_match_is_the_quoted_version_and_anything_else_matches_nothing() {
        let version = Version::new("b1-3");
        assert_eq!(entity_tag(&version), "\"b1-3\"");
        assert_eq!(expected_version("\"b1-3\""), Some(version));
        assert_eq!(expected_version("*"), None);
        for stale in ["b1-3", "W/\"b1-3\"", "\"b1-3\", \"b1-4\"", "\"\""] {
            assert_eq!(expected_version(stale), Some(Version::new("")), "{stale}");
        }
    }
}
