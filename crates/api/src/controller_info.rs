//! What kind of controller the service is serving, and what it offers beyond the core API.
//!
//! The core (listing, showing, adding, updating and removing backends, setting a model's backend,
//! logging in) works on every controller. The rest depends on what the controller keeps: a Juju
//! controller reached through the bridge has no audit trail the service can read, reports no
//! rotation times, cannot check a config without saving it, and has no change feed. The console
//! reads [`ControllerInfo`] once and hides or disables what is missing, with a short reason,
//! instead of failing when it is used.

use serde::{Deserialize, Serialize};

/// `GET /controller`: the kind of controller and its capabilities (no login needed: it says
/// nothing about any backend, model or user).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ControllerInfo {
    pub kind: ControllerKind,
    pub capabilities: Capabilities,
}

/// Which controller the service serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ControllerKind {
    /// The service's own controller: the Juju rules over its embedded store.
    Embedded,
    /// A real Juju controller, reached over its WebSocket API; logins are Juju logins.
    Juju,
}

/// What the controller offers beyond the core API. Each `false` means the matching endpoints
/// answer `not-supported` and the console does not offer them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct Capabilities {
    /// The audit trail (`GET /audit`).
    pub audit: bool,
    /// A backend's last and next token rotation, and rotating now
    /// (`POST /secret-backends/{name}/rotate-token`).
    pub rotation_times: bool,
    /// Checking a config before saving it (`POST /backend-checks`).
    pub connection_test: bool,
    /// How changes reach the change feed (`GET /events`).
    pub change_feed: ChangeFeed,
    /// Users managed here (`/users`); otherwise with the controller's own tools.
    pub users: bool,
    /// Adding models here (`POST /models`).
    pub model_add: bool,
    /// A model's secrets listed and added here (`/models/{name}/secrets`).
    pub secrets: bool,
    /// Which models use each backend (a backend's `models`, a model's `secret-backends`).
    pub backend_usage: bool,
}

impl Capabilities {
    /// Everything: the embedded controller's.
    pub fn all() -> Self {
        Capabilities {
            audit: true,
            rotation_times: true,
            connection_test: true,
            change_feed: ChangeFeed::Live,
            users: true,
            model_add: true,
            secrets: true,
            backend_usage: true,
        }
    }
}

impl Capabilities {
    /// The core only, with a polled feed: a Juju controller's through the bridge.
    pub fn core_only() -> Self {
        Capabilities {
            audit: false,
            rotation_times: false,
            connection_test: false,
            change_feed: ChangeFeed::Polled,
            users: false,
            model_add: false,
            secrets: false,
            backend_usage: false,
        }
    }
}

/// How the change feed learns of changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ChangeFeed {
    /// Every change, as it is made.
    Live,
    /// The service looks for changes every few seconds ([`POLL_SECONDS`]), so a change made
    /// elsewhere shows that much later.
    Polled,
}

/// How often a polled change feed looks for changes.
pub const POLL_SECONDS: u64 = 10;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_info_has_kebab_case_capabilities_and_lowercase_words() {
        let info = ControllerInfo {
            kind: ControllerKind::Juju,
            capabilities: Capabilities {
                change_feed: ChangeFeed::Polled,
                ..Capabilities::all()
            },
        };
        let value = serde_json::to_value(&info).unwrap();
        assert_eq!(value["kind"], json!("juju"));
        assert_eq!(value["capabilities"]["change-feed"], json!("polled"));
        assert_eq!(value["capabilities"]["rotation-times"], json!(true));
        assert_eq!(value["capabilities"]["backend-usage"], json!(true));
        assert_eq!(
            serde_json::from_value::<ControllerInfo>(value).unwrap(),
            info
        );
    }
}
