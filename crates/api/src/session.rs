//! How a login keeps its session, and the request that changes a password.
//!
//! A `token` session answers the bearer token in the login's body (scripts, curl, a host that
//! mounts the console); a `cookie` session puts it in an `HttpOnly` cookie only, so the page
//! that logged in never holds it (the standalone console).

use serde::{Deserialize, Serialize};

/// The header (lowercase, as HTTP/2 sends it) and value the console sends with every request
/// on a cookie session. A form post or a cross-origin `no-cors` request cannot send a custom
/// header, so the service refuses a cookie-authenticated change without it.
pub const REQUESTED_BY: (&str, &str) = ("x-requested-by", "secret-backends-console");

/// How a login's session is kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum LoginSession {
    /// The token is in the answer, for `Authorization: Bearer`.
    #[default]
    Token,
    /// The token is in a session cookie scripts cannot read; the answer has none.
    Cookie,
}

/// `PUT /users/{name}/password`: the new password (the rules of a new user's apply).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetPasswordRequest {
    pub password: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{LoginRequest, LoginResponse, UserRef};
    use serde_json::json;

    #[test]
    fn a_login_without_session_asks_for_a_token() {
        let request: LoginRequest =
            serde_json::from_value(json!({"username": "a", "password": "p"})).unwrap();
        assert_eq!(request.session, LoginSession::Token);
        let request: LoginRequest =
            serde_json::from_value(json!({"username": "a", "password": "p", "session": "cookie"}))
                .unwrap();
        assert_eq!(request.session, LoginSession::Cookie);
        let bad = json!({"username": "a", "password": "p", "session": "jar"});
        assert!(serde_json::from_value::<LoginRequest>(bad).is_err());
    }

    #[test]
    fn a_cookie_login_answers_no_token_key() {
        let mut answer = LoginResponse {
            token: None,
            user: UserRef {
                name: "admin".into(),
                access: crate::Access::Superuser,
            },
            expires: "2026-01-01T00:00:00Z".into(),
        };
        assert!(json!(answer).get("token").is_none());
        answer.token = Some("t".into());
        assert_eq!(json!(answer)["token"], "t");
    }

    #[test]
    fn a_password_change_takes_the_password_only() {
        let bad = json!({"password": "p", "old": "q"});
        assert!(serde_json::from_value::<SetPasswordRequest>(bad).is_err());
    }
}
