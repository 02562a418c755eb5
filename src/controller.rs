//! Which controller the console manages, and what it offers beyond the core API. The service says
//! so at `GET /controller` ([`ControllerInfo`]); the root asks once at start and provides the
//! answer as a context, and the console shows no page until it is in, so a page never offers
//! something only to take it back. A page asks [`Controller::offers`] before it shows a control
//! that needs more than the core, and shows [`NotOffered`](crate::components::NotOffered) (the
//! reason, in the place the control would be) when the answer is no.
//!
//! The embedded controller offers everything; a Juju controller reached through the service's
//! bridge offers less (no audit trail, no rotation times, no connection test, changes polled).

use leptos::prelude::*;
use secret_backends_api::{Capabilities, ChangeFeed, ControllerInfo, ControllerKind, POLL_SECONDS};

use crate::api::Api;

/// The controller's kind and capabilities, as every page reads them; `None` until the service
/// answered.
#[derive(Clone, Copy)]
pub struct Controller {
    info: RwSignal<Option<ControllerInfo>>,
}

impl Controller {
    /// Not known yet: [`Controller::learn`] asks the service.
    pub fn unknown() -> Controller {
        Controller {
            info: RwSignal::new(None),
        }
    }

    /// Asks the service which controller it serves, once, as the console starts. A service that
    /// does not answer it (one older than `GET /controller`, or unreachable for now) is taken to
    /// be the embedded controller, which offers everything: older services had nothing else, and
    /// an unreachable one fails each page's own request with its own message anyway.
    pub fn learn(self, api: Api) {
        leptos::task::spawn_local(async move {
            let info = api.controller_info().await.unwrap_or_else(|_| embedded());
            self.info.try_set(Some(info));
        });
    }

    /// Whether the service has said (reactive).
    pub fn known(&self) -> bool {
        self.info.with(Option::is_some)
    }

    /// Which controller it is (reactive); the embedded one until known.
    pub fn kind(&self) -> ControllerKind {
        self.info
            .with(|i| i.as_ref().map_or(ControllerKind::Embedded, |i| i.kind))
    }

    /// Whether the controller offers `capability` (reactive); everything until known.
    pub fn offers(&self, capability: Capability) -> bool {
        self.info.with(|i| {
            i.as_ref()
                .is_none_or(|i| capability.offered_by(&i.capabilities))
        })
    }
}

/// The embedded controller's info: everything offered.
fn embedded() -> ControllerInfo {
    ControllerInfo {
        kind: ControllerKind::Embedded,
        capabilities: Capabilities::all(),
    }
}

/// A part of the console that needs more than the core API; the console has a control for each.
/// (`users` and `model-add` have none: the console manages neither users nor models' creation.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// The audit trail: the audit page, its link, a backend's entries.
    Audit,
    /// A backend's last and next token rotation, and "Rotate now".
    RotationTimes,
    /// "Test connection" on the add form.
    ConnectionTest,
    /// Changes shown as they are made (else every [`POLL_SECONDS`]).
    LiveChanges,
    /// A model's secrets.
    Secrets,
    /// Which models use a backend, and a model's secrets by backend.
    BackendUsage,
}

impl Capability {
    fn offered_by(self, c: &Capabilities) -> bool {
        match self {
            Capability::Audit => c.audit,
            Capability::RotationTimes => c.rotation_times,
            Capability::ConnectionTest => c.connection_test,
            Capability::LiveChanges => c.change_feed == ChangeFeed::Live,
            Capability::Secrets => c.secrets,
            Capability::BackendUsage => c.backend_usage,
        }
    }

    /// The `data-testid` of the sentence shown in its place: `not-offered-<capability>`, the
    /// capability as the service spells it.
    pub fn testid(self) -> &'static str {
        match self {
            Capability::Audit => "not-offered-audit",
            Capability::RotationTimes => "not-offered-rotation-times",
            Capability::ConnectionTest => "not-offered-connection-test",
            Capability::LiveChanges => "not-offered-change-feed",
            Capability::Secrets => "not-offered-secrets",
            Capability::BackendUsage => "not-offered-backend-usage",
        }
    }

    /// Why it is not here, for an admin of a controller of `kind`.
    pub fn reason(self, kind: ControllerKind) -> String {
        let controller = match kind {
            ControllerKind::Juju => "this Juju controller",
            ControllerKind::Embedded => "this controller",
        };
        match self {
            Capability::Audit => format!("The audit trail of {controller} is not shown here."),
            Capability::RotationTimes => format!(
                "Rotation times are not reported by {controller}, which rotates the token at the \
                 interval by itself."
            ),
            Capability::ConnectionTest => format!(
                "A connection test before saving is not offered by {controller}: it checks the \
                 backend when it is added."
            ),
            Capability::LiveChanges => {
                format!("Updates every {POLL_SECONDS} seconds from {controller}.")
            }
            Capability::Secrets => format!(
                "A model's secrets are not listed by {controller}; juju secrets lists them."
            ),
            Capability::BackendUsage => {
                format!("Which models use a backend is not reported by {controller}.")
            }
        }
    }
}

/// The controller of the console this component belongs to.
pub fn use_controller() -> Controller {
    use_context::<Controller>().expect("Controller is provided by Console, the root of every page")
}
