//! The Secret Backends Console: a Leptos single-page app for a Juju controller's secret backends.
//!
//! One entry point, [`mount_console`] (`mountConsole` in JavaScript), mounts the console into an
//! element and returns a handle whose `unmount()` removes it. The standalone page uses the same
//! call: at start-up the module mounts itself into `#secret-backends-console` when the page has
//! that element (see `index.html`), as the standalone console: the only one that names the page
//! in the document title, remembers the theme choice and moves the focus by itself.

pub mod api;
pub mod app;
pub mod components;
pub mod controller;
pub mod live;
pub mod options;
pub mod pages;
pub mod routes;
pub mod session;
pub mod time;

// The pure logic lives in its own crate (tested natively); the pages use it under these names.
pub use secret_backends_console_core::{commands, config_file, export, form, listing, windowing};

use leptos::mount::mount_to;
use leptos::prelude::Owner;
use wasm_bindgen::prelude::*;

pub use options::{ConsoleOptions, Theme};

/// The element id the standalone page mounts into.
pub const STANDALONE_ROOT_ID: &str = "secret-backends-console";

/// A mounted console. Dropping it (or calling `unmount()`) removes the console and its reactive
/// state from the page.
#[wasm_bindgen]
pub struct ConsoleHandle {
    mounted: Option<(Box<dyn std::any::Any>, Owner)>,
}

#[wasm_bindgen]
impl ConsoleHandle {
    /// Removes the console from its element, with everything it started: the router's window
    /// listeners, timers, the change feed and pending requests' effects.
    pub fn unmount(&mut self) {
        if let Some((view, owner)) = self.mounted.take() {
            drop(view);
            // Tasks still running (a request in flight) hold the owner: clean up regardless.
            owner.unset_with_forced_cleanup();
        }
    }
}

impl Drop for ConsoleHandle {
    fn drop(&mut self) {
        self.unmount();
    }
}

/// Mounts the console into `element`. `options` is a plain object: `apiBase` (default `/api/v1`),
/// `basePath` (default `""`), `token` (a bearer token; then no login page) and `theme`
/// (`light`, `dark` or `auto`).
#[wasm_bindgen(js_name = mountConsole)]
pub fn mount_console(element: web_sys::HtmlElement, options: JsValue) -> ConsoleHandle {
    mount(element, ConsoleOptions::from_js(&options))
}

/// Mounts the console into `element` with options already read (the standalone page, and tests).
pub fn mount(element: web_sys::HtmlElement, options: ConsoleOptions) -> ConsoleHandle {
    let owner = Owner::new();
    let handle =
        owner.with(|| mount_to(element, move || app::Console(app::ConsoleProps { options })));
    ConsoleHandle {
        mounted: Some((Box::new(handle), owner)),
    }
}

/// Module start: sets up panic reporting and mounts the standalone page, if this is one.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(STANDALONE_ROOT_ID))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(root) = root {
        let options = js_sys::Object::new();
        for (attribute, key) in [
            ("data-api-base", "apiBase"),
            ("data-base-path", "basePath"),
            ("data-theme", "theme"),
        ] {
            if let Some(value) = root.get_attribute(attribute) {
                let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
            }
        }
        let options = ConsoleOptions {
            standalone: true,
            ..ConsoleOptions::from_js(&options.into())
        };
        // The standalone page lives as long as the page: keep it mounted.
        std::mem::forget(mount(root, options));
    }
}
