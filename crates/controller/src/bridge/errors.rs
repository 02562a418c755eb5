//! Juju's refusals in the API's words: Juju's sentence stays the problem's `detail`, its error
//! code picks the API's code. A connection that cannot be made or answers too late is
//! `unreachable`, saying which controller and what to expect.

use secret_backends_api::ErrorCode;

use super::rpc::RpcError;
use crate::error::Error;

/// The API's code for a Juju error code and sentence. Juju's codes are words (`rpc/params`'s
/// `Code…` constants): `not found`, `already exists`, `not valid`, `unauthorized access`,
/// `not supported`, `not implemented`, and in Juju 4 `secret backend not found` and the like.
pub fn code_for(code: &str, message: &str) -> ErrorCode {
    // Removing a backend that still holds secret revisions: refused as not supported by Juju,
    // which the API calls `in-use`.
    let in_use = message.contains("secret revisions")
        || message.contains("in use")
        || message.contains("still contains");
    match code {
        _ if in_use => ErrorCode::InUse,
        "unauthorized access" | "permission denied" => ErrorCode::PermissionDenied,
        c if c.ends_with("not found") => ErrorCode::NotFound,
        c if c.ends_with("already exists") => ErrorCode::AlreadyExists,
        c if c.ends_with("not valid") => ErrorCode::NotValid,
        "not supported" | "not implemented" => ErrorCode::NotSupported,
        // Some refusals come without a code: go by Juju's sentence.
        _ if message.ends_with("not found") => ErrorCode::NotFound,
        _ if message.contains("already exists") => ErrorCode::AlreadyExists,
        _ if message.contains("not valid") || message.starts_with("invalid ") => {
            ErrorCode::NotValid
        }
        _ if message.contains("not supported") => ErrorCode::NotSupported,
        _ => ErrorCode::NotValid,
    }
}

/// A Juju refusal as the API's, with Juju's sentence; every value of `secrets` is cut out of
/// the sentence first, in case Juju quoted one.
pub fn refusal(message: &str, code: &str, secrets: &[&str]) -> Error {
    let mut detail = message.to_owned();
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        detail = detail.replace(secret, "…");
    }
    Error::refused(code_for(code, message), detail)
}

/// A failed call as the API's error: Juju's refusal as [`refusal`]; no connection, or no answer
/// in time, as `unreachable` naming the controller.
pub fn call_failed(error: RpcError, controller: &str, secrets: &[&str]) -> Error {
    match error {
        RpcError::Juju { message, code } => refusal(&message, &code, secrets),
        RpcError::Timeout(after) => Error::refused(
            ErrorCode::Unreachable,
            format!(
                "the Juju controller at {controller} did not answer within {} seconds",
                after.as_secs_f32()
            ),
        ),
        RpcError::Closed => Error::refused(
            ErrorCode::Unreachable,
            format!(
                "the connection to the Juju controller at {controller} dropped: try again (it \
                 is reopened on the next request)"
            ),
        ),
        RpcError::Connect(why) => Error::refused(
            ErrorCode::Unreachable,
            format!("cannot reach the Juju controller at {controller}: {why}"),
        ),
        RpcError::Protocol(why) => {
            Error::internal(format!("Juju controller at {controller}: {why}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn juju_codes_map_to_the_api_codes() {
        let cases = [
            (
                "not found",
                "secret backend \"x\" not found",
                ErrorCode::NotFound,
            ),
            (
                "secret backend not found",
                "secret backend \"x\" not found",
                ErrorCode::NotFound,
            ),
            (
                "already exists",
                "secret backend with name \"x\" already exists",
                ErrorCode::AlreadyExists,
            ),
            (
                "not valid",
                "backend \"internal\" not valid",
                ErrorCode::NotValid,
            ),
            (
                "unauthorized access",
                "permission denied",
                ErrorCode::PermissionDenied,
            ),
            (
                "not supported",
                "removing backend with 3 stored secret revisions not supported",
                ErrorCode::InUse,
            ),
            ("not implemented", "unknown method", ErrorCode::NotSupported),
            ("", "model \"x\" not found", ErrorCode::NotFound),
        ];
        for (code, message, expected) in cases {
            assert_eq!(code_for(code, message), expected, "{code:?} {message:?}");
        }
    }

    #[test]
    fn a_secret_quoted_by_juju_is_cut_out() {
        let e = refusal(
            "ping failed with token s3cr3t-canary",
            "",
            &["s3cr3t-canary"],
        );
        assert!(!e.to_string().contains("s3cr3t-canary"), "{e}");
    }
}
