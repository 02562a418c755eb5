//! End-to-end harness: the controller service in-process over a fresh store, serving the built
//! console (`dist/`), driven in headless Chromium through chromedriver.
//!
//! `cargo xtask test` builds the console, starts chromedriver and an OpenBao dev server on free
//! loopback ports, and exports `WEBDRIVER_URL`, `SECRET_BACKENDS_DIST`, `OPENBAO_ADDR` and
//! `OPENBAO_TOKEN`. Helpers wait on conditions (an element, a text), never on time.
//!
//! One [`Session`] (a service and a browser on it), its methods grouped by what they touch:
//! - `service`: starting the service and the browser; in bridge mode, in front of a Juju test
//!   peer ([`Session::start_bridged`]).
//! - `seed`: the data a test starts from, through the controller ([`Seed`]).
//! - `api`: the REST API from Rust ([`Api`]), for data set up or changed behind the page's back.
//! - `browser`: finding, clicking, typing, running scripts in the page.
//! - `wait`: waiting for a condition (a text, a path, a count, the focus…).
//! - `console`: the console's own sequences (logging in, the add form, a row's link, the picker).

mod api;
mod browser;
mod console;
mod seed;
mod service;
mod wait;

use secret_backends_controller::controller::{Caller, SessionId};
use std::time::Duration;

pub use api::Api;
pub use browser::{keys, new_browser};
pub use seed::{Seed, config_change, forced_config_change};
pub use service::Session;

pub const ADMIN_PASSWORD: &str = "e2e-admin-password";

/// A user with `login` access only, added by [`Seed::viewer`].
pub const VIEWER: &str = "viewer";
pub const VIEWER_PASSWORD: &str = "viewer-password";

/// How long a condition may take before the test fails (a cold Chromium is slow here).
pub const WAIT: Duration = Duration::from_secs(30);

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the end-to-end tests with `cargo xtask test`")
    })
}

/// The OpenBao server of the run.
pub fn openbao() -> (String, String) {
    (env("OPENBAO_ADDR"), env("OPENBAO_TOKEN"))
}

/// The superuser, as the controller sees it, for setting up data.
pub fn admin() -> Caller {
    Caller {
        name: "admin".into(),
        access: secret_backends_api::Access::Superuser,
        // The harness sets data up through the controller itself, outside any login.
        session: SessionId::new("e2e-setup"),
    }
}

/// The CSS selector of the element with `data-testid` `id`.
pub fn testid_selector(id: &str) -> String {
    format!("[data-testid=\"{id}\"]")
}
