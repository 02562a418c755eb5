//! The one foundation under both wings of the project: the wire types of the controller REST API
//! (`docs/api.md`), the schemas of the secret-backend types, and the rules of
//! `docs/rules.md` that can be checked without a store (names, config, durations).
//!
//! The console calls these rules to validate a form before sending it; the controller service calls
//! the very same functions before it changes anything. A rule therefore lives here once.
//!
//! This crate builds for `wasm32-unknown-unknown` and natively: it depends on `serde`,
//! `serde_json` and, to read certificates, the pure-Rust `x509-cert`. The `openapi` feature (the
//! service's) adds `utoipa` schemas to the wire types; the console builds without it.

pub mod audit;
pub mod certificate;
pub mod controller_info;
pub mod duration;
pub mod error;
pub mod message;
pub mod removal;
pub mod schema;
pub mod session;
pub mod validate;
pub mod wire;

#[cfg(any(test, feature = "test-fixtures"))]
pub mod fixtures;

pub use audit::AuditAction;
pub use certificate::{CertificateSummary, certificate_summary};
pub use controller_info::{Capabilities, ChangeFeed, ControllerInfo, ControllerKind, POLL_SECONDS};
pub use duration::GoDuration;
pub use error::{ErrorCode, Problem, ValidationError};
pub use message::short_message;
pub use removal::{LeftBehind, RemovedBackend, left_behind_sentence, removed_message};
pub use schema::{BackendType, FieldKind, FieldSpec, ValueRule};
pub use session::{LoginSession, REQUESTED_BY, SetPasswordRequest};
pub use wire::*;

/// The configuration of a backend: key to JSON value (strings, booleans, lists of strings).
pub type Config = std::collections::BTreeMap<String, serde_json::Value>;

/// The name of the built-in backend that stores secrets in the controller's own database.
pub const INTERNAL_BACKEND: &str = "internal";

/// The model setting that means "the model type's default backend".
pub const AUTO_BACKEND: &str = "auto";

/// What ends the name of a Kubernetes model's own built-in backend, `<model>-local`; no user
/// backend's name may end with it.
pub const LOCAL_BACKEND_SUFFIX: &str = "-local";

/// The name of a Kubernetes model's own built-in backend: `<model>-local`.
pub fn local_backend_name(model: &str) -> String {
    format!("{model}{LOCAL_BACKEND_SUFFIX}")
}

/// Whether a backend name is a built-in backend's: `internal`, or any `<model>-local`.
pub fn is_built_in_backend(name: &str) -> bool {
    name == INTERNAL_BACKEND || name.ends_with(LOCAL_BACKEND_SUFFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_backends_are_internal_and_each_kubernetes_model_s_local() {
        assert_eq!(local_backend_name("prod"), "prod-local");
        assert!(is_built_in_backend(INTERNAL_BACKEND));
        assert!(is_built_in_backend(&local_backend_name("prod")));
        assert!(!is_built_in_backend("myvault"));
        assert!(!is_built_in_backend("local"));
        assert!(validate::backend_name(&local_backend_name("prod")).is_err());
    }
}
