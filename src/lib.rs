//! The Secret Backends Console: a Leptos single-page app for a Juju controller's secret backends.
//!
//! One entry point, `mountConsole` in JavaScript, mounts the console into an element and returns
//! a handle whose `unmount()` removes it. At start-up the module mounts itself into
//! `#secret-backends-console` when the page has that element (see `index.html`), as the
//! standalone console: the only one that names the page in the document title, remembers the
//! theme choice and moves the focus by itself.
//!
//! The crate builds two WebAssembly modules (see [`split`]): without its `full` feature, the
//! small one a browser loads first (the frame and the login page), and with it (the default),
//! every page, which the first loads once it is needed.

pub mod api;
pub mod app;
pub mod components;
pub mod controller;
pub mod live;
pub mod options;
pub mod pages;
pub mod routes;
pub mod session;
pub mod split;
pub mod time;

// The pure logic lives in its own crate (tested natively); the pages use it under these names.
pub use secret_backends_console_core::{commands, config_file, export, form, listing, windowing};

use std::cell::RefCell;
use std::rc::Rc;

use leptos::mount::mount_to;
use leptos::prelude::Owner;
use wasm_bindgen::prelude::*;

pub use options::{ConsoleOptions, Theme};

use split::Mounted;

/// The element id the standalone page mounts into.
pub const STANDALONE_ROOT_ID: &str = "secret-backends-console";

/// A mounted console. Dropping it (or calling `unmount()`) removes the console and its reactive
/// state from the page.
#[wasm_bindgen]
pub struct ConsoleHandle {
    mounted: Rc<RefCell<Mounted>>,
}

#[wasm_bindgen]
impl ConsoleHandle {
    /// Removes the console from its element, with everything it started: the router's window
    /// listeners, timers, the change feed and pending requests' effects.
    pub fn unmount(&mut self) {
        self.mounted.replace(Mounted::Nothing).unmount();
    }
}

impl Drop for ConsoleHandle {
    fn drop(&mut self) {
        self.unmount();
    }
}

/// Mounts the console into `element` with options already read (the standalone page, and tests).
pub fn mount(element: web_sys::HtmlElement, options: ConsoleOptions) -> ConsoleHandle {
    let owner = Owner::new();
    let handle =
        owner.with(|| mount_to(element, move || app::Console(app::ConsoleProps { options })));
    ConsoleHandle {
        mounted: Rc::new(RefCell::new(Mounted::Here(Box::new(handle), owner))),
    }
}

/// Mounts the console into `element`. `options` is a plain object: `apiBase` (default `/api/v1`),
/// `basePath` (default `""`), `token` (a bearer token; then no login page) and `theme`
/// (`light`, `dark` or `auto`).
#[cfg(feature = "full")]
#[wasm_bindgen(js_name = mountConsole)]
pub fn mount_console(element: web_sys::HtmlElement, options: JsValue) -> ConsoleHandle {
    mount(element, ConsoleOptions::from_js(&options))
}

/// Mounts the console into `element` (as in the full module), once the full module is in: a host's
/// console has no page before it (see [`split`] for why).
#[cfg(not(feature = "full"))]
#[wasm_bindgen(js_name = mountConsole)]
pub fn mount_console(element: web_sys::HtmlElement, options: JsValue) -> ConsoleHandle {
    let mounted = Rc::new(RefCell::new(Mounted::Pending));
    split::mount_full_for_host(Rc::clone(&mounted), element, options);
    ConsoleHandle { mounted }
}

/// Mounts the standalone console into `root` (`#secret-backends-console`): the full module's
/// half of the standalone page's start, called by the first module once it needs the full one.
#[cfg(feature = "full")]
#[wasm_bindgen(js_name = mountStandalone)]
pub fn mount_standalone(root: web_sys::HtmlElement) -> ConsoleHandle {
    let options = standalone_options(&root);
    mount(root, options)
}

/// Module start: sets up panic reporting; in the first module, also mounts the standalone page,
/// if this is one.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    #[cfg(not(feature = "full"))]
    if let Some(root) = standalone_root() {
        let options = standalone_options(&root);
        split::keep_standalone(mount(root.clone(), options), root);
    }
}

/// The standalone page's element, if this is that page.
#[cfg(not(feature = "full"))]
fn standalone_root() -> Option<web_sys::HtmlElement> {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(STANDALONE_ROOT_ID))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
}

/// The standalone console's options: its element's `data-api-base`, `data-base-path` and
/// `data-theme`.
fn standalone_options(root: &web_sys::HtmlElement) -> ConsoleOptions {
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
    ConsoleOptions {
        standalone: true,
        ..ConsoleOptions::from_js(&options.into())
    }
}
