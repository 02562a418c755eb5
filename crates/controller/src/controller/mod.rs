//! The one interface between the HTTP layer and whatever holds the secret backends.
//!
//! Handlers speak only to a `dyn Controller`. Today it is the [`crate::embedded`] controller (the
//! Juju rules over the SQLite store); a bridge to a real Juju controller can implement the same
//! traits and serve the same API without touching a handler. The interface is split by resource,
//! like the HTTP layer above it: [`Backends`], [`Models`], [`Users`], [`Events`] and [`Audit`].
//!
//! It knows nothing of HTTP: no headers, no URLs, no tickets, no channels of a runtime. What it
//! promises, and what a second implementation must keep:
//!
//! - **Permissions are decided behind it.** Every call that acts for someone takes the
//!   [`Caller`]; the implementation refuses what that caller may not do (`permission-denied`), with
//!   the other rules. The HTTP layer only finds out who is calling ([`Users::authenticate`]).
//! - **Errors** are [`crate::error::Error`]: a refusal with an [`ErrorCode`] and a sentence for the
//!   person who asked (it never repeats a secret value), or an internal failure, whose text is
//!   logged and never answered. The codes mean:
//!   - `not-valid`: the request breaks a rule; `field` names the part of it, when there is one;
//!   - `unauthorized`: no such session (token missing, expired or logged out), or wrong password;
//!   - `permission-denied`: the caller may not do this;
//!   - `not-found`: the named backend, model or user does not exist;
//!   - `already-exists`: the name is taken;
//!   - `in-use`: a backend still holds secret content (so it cannot be removed without `force`,
//!     nor renamed);
//!   - `conflict`: the resource is not at the [`Version`] the caller last saw;
//!   - `not-supported`: this backend type cannot do that here;
//!   - `unreachable`: the backend did not answer as it should (the sentence says which step);
//!   - `too-large` is HTTP's (a body over the limit); `internal` is what an internal failure is
//!     answered with, never a refusal's code.
//! - **Versions.** A single resource comes back [`Versioned`]: its [`Version`] changes with every
//!   change to what the caller sees of it, and only then. A change that takes an expected version
//!   refuses with `conflict` unless the resource is still at it (`None`: change it whatever its
//!   version). Versions are opaque: compare them, never parse them.
//! - **The change feed** ([`Events::events`]) tells every subscriber, in order, the kind and the
//!   name of each change made after it subscribed; it never carries values. A subscriber that falls
//!   behind gets one [`Lagged`] and then the changes after it, and should reload what it shows.

mod audit;
pub(crate) mod backends;
mod events;
mod models;
mod users;

use async_trait::async_trait;
#[cfg(doc)]
use secret_backends_api::ErrorCode;
use secret_backends_api::{Access, ControllerInfo};

pub use audit::Audit;
pub use backends::{Backends, ListOptions, Removal};
pub use events::{EventStream, Events, Lagged};
pub use models::Models;
pub use users::Users;

use crate::error::Result;

/// Everything a controller does: one implementation serves the whole API.
#[async_trait]
pub trait Controller: Backends + Models + Users + Events + Audit {
    /// Whether the controller can serve requests (for a readiness probe; no caller).
    async fn ready(&self) -> Result<()>;

    /// Which kind of controller this is and what it offers beyond the core API; what it does not
    /// offer answers `not-supported`.
    fn info(&self) -> ControllerInfo;
}

/// Who is asking: the user behind a session, and which session it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub name: String,
    pub access: Access,
    pub session: SessionId,
}

/// Names one session among the controller's, never the token itself (so it may be logged).
/// Only the implementation that made it reads it: an embedded session's row, a bridged session's
/// connection to Juju.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SessionId(String);

impl SessionId {
    pub fn new(id: impl Into<String>) -> Self {
        SessionId(id.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Shortened: enough to tell sessions apart in a log.
impl std::fmt::Debug for SessionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let short: String = self.0.chars().take(8).collect();
        write!(f, "SessionId({short}…)")
    }
}

impl Caller {
    pub fn is_superuser(&self) -> bool {
        self.access == Access::Superuser
    }
}

/// An opaque version of one resource: two versions of the same resource are equal exactly when
/// nothing the caller sees of it changed in between. Never empty, so the empty version matches
/// none (the HTTP layer uses it for a version it cannot read).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Version(String);

impl Version {
    pub fn new(version: impl Into<String>) -> Self {
        Version(version.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A change to the resource called `name`: what to change, made only while the resource is still
/// at `expected` (when given: the version the caller last saw), refused with `conflict`
/// otherwise.
#[derive(Debug, Clone)]
pub struct Change<'a, T> {
    pub name: &'a str,
    pub request: T,
    pub expected: Option<&'a Version>,
}

impl<'a, T> Change<'a, T> {
    /// A change whatever the resource's version now.
    pub fn unconditional(name: &'a str, request: T) -> Self {
        Change {
            name,
            request,
            expected: None,
        }
    }
}

/// Refuses with `conflict` a change that expected another version than the resource's `current`
/// one; `what` names the resource (`secret backend "x"`).
pub fn check_version(expected: Option<&Version>, current: &Version, what: &str) -> Result<()> {
    match expected {
        Some(expected) if expected != current => Err(crate::error::Error::refused(
            secret_backends_api::ErrorCode::Conflict,
            format!("{what} was changed by someone else; reload it and try again"),
        )),
        _ => Ok(()),
    }
}

/// A single resource with its current [`Version`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versioned<T> {
    pub value: T,
    pub version: Version,
}
