//! The console in two WebAssembly modules, so that the first load is small: a browser that opens
//! the standalone page without a session needs the login page, not the whole console.
//!
//! - **The first module** (`secret-backends-console.js` and `_bg.wasm`, the stable names pages
//!   and hosts import; this crate built without its `full` feature): the console's frame (header,
//!   theme, `data-state`) with the login page, and nothing else. Every other path is
//!   [`crate::app`]'s `RestOfConsole`: a page that needs a login sends the browser to the login
//!   page first, as the full console does; then, or at once for a path that needs none, the
//!   full module replaces the first in the same element.
//! - **The full module** (`secret-backends-console-full.js` and `_bg.wasm`, built with `full`, the
//!   default): every page, the login page too (for a logout). The first module loads it from
//!   next to itself; typing in the login form starts that load, so it is there by the time the
//!   admin presses "Log in".
//!
//! The handover works because the standalone console's login is the browser's session cookie: the
//! full module, started on the same element, finds the browser logged in. A host's console keeps
//! its login (a bearer token) in memory, which the second module could not see; a host page loads
//! the full module at once ([`crate::mount_console`]).

use std::any::Any;

use leptos::prelude::Owner;
use wasm_bindgen::JsValue;

/// What a [`crate::ConsoleHandle`] has mounted.
pub(crate) enum Mounted {
    /// A console of this module: its view and its owner.
    Here(Box<dyn Any>, Owner),
    /// The full module's console (in the first module): its handle.
    #[cfg_attr(feature = "full", allow(dead_code))]
    Full(JsValue),
    /// The full module is on its way; it mounts when it is in, unless unmounted before.
    #[cfg_attr(feature = "full", allow(dead_code))]
    Pending,
    Nothing,
}

impl Mounted {
    /// Removes what is mounted, with everything it started.
    pub(crate) fn unmount(self) {
        match self {
            Mounted::Here(view, owner) => {
                drop(view);
                // Tasks still running (a request in flight) hold the owner: clean up regardless.
                owner.unset_with_forced_cleanup();
            }
            Mounted::Full(handle) => {
                for method in ["unmount", "free"] {
                    let _ = call(&handle, method, &[]);
                }
            }
            Mounted::Pending | Mounted::Nothing => {}
        }
    }
}

/// Calls `target[name](...arguments)` (a module's export, or a handle's method); an error is the
/// reason it could not.
fn call(target: &JsValue, name: &str, arguments: &[&JsValue]) -> Result<JsValue, String> {
    let f = js_sys::Reflect::get(target, &name.into())
        .ok()
        .and_then(|f| wasm_bindgen::JsCast::dyn_into::<js_sys::Function>(f).ok())
        .ok_or_else(|| format!("it has no {name}"))?;
    let arguments: js_sys::Array = arguments.iter().copied().collect();
    f.apply(target, &arguments).map_err(|e| describe(&e))
}

/// A JavaScript error's message (the browser's: no value of the console's in it).
fn describe(error: &JsValue) -> String {
    wasm_bindgen::JsCast::dyn_ref::<js_sys::Error>(error)
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "the browser gave no reason".to_owned())
}

/// Starts loading the full module, if it is not loaded or on its way (the login form calls it
/// as the admin types). Nothing in the full module itself.
pub fn prefetch() {
    #[cfg(not(feature = "full"))]
    let _ = first::load_full_module();
}

#[cfg(not(feature = "full"))]
pub(crate) use first::{keep_standalone, load_rest, mount_full_for_host};

#[cfg(not(feature = "full"))]
mod first {
    use std::cell::RefCell;
    use std::rc::Rc;

    use wasm_bindgen::prelude::*;
    use wasm_bindgen_futures::JsFuture;

    use super::{Mounted, call, describe};
    use crate::ConsoleHandle;

    // The full module's files are next to the first module's; this snippet is written to
    // `snippets/<crate>/inline0.js` beside them, hence `../../`. One load, shared by every
    // caller; a failed one is forgotten, so that the next call tries again.
    #[wasm_bindgen(inline_js = r#"
let loading = null;
export function load_full_module() {
  if (loading === null) {
    const here = (name) => new URL("../../" + name, import.meta.url).href;
    loading = import(here("secret-backends-console-full.js")).then(async (module) => {
      await module.default({ module_or_path: here("secret-backends-console-full_bg.wasm") });
      return module;
    });
    loading.catch(() => { loading = null; });
  }
  return loading;
}
"#)]
    extern "C" {
        pub(super) fn load_full_module() -> js_sys::Promise;
    }

    thread_local! {
        /// The standalone console, mounted as long as the page lives, and its element.
        static STANDALONE: RefCell<Option<(ConsoleHandle, web_sys::HtmlElement)>> =
            const { RefCell::new(None) };
    }

    /// Keeps the standalone console (for the page's life) for [`load_rest`].
    pub(crate) fn keep_standalone(handle: ConsoleHandle, root: web_sys::HtmlElement) {
        STANDALONE.with(|s| *s.borrow_mut() = Some((handle, root)));
    }

    /// Replaces the standalone page's first module with the full one, on the same element and
    /// URL. An error is the reason the full module could not be loaded.
    pub(crate) async fn load_rest() -> Result<(), String> {
        let module = JsFuture::from(load_full_module())
            .await
            .map_err(|e| describe(&e))?;
        let standalone = STANDALONE.with(|s| {
            (s.borrow().as_ref()).map(|(handle, root)| (Rc::clone(&handle.mounted), root.clone()))
        });
        let Some((mounted, root)) = standalone else {
            return Ok(());
        };
        let handle = call(&module, "mountStandalone", &[&root])?;
        // The full console is in the element now (after the first one's nodes): the first goes.
        let first = mounted.replace(Mounted::Full(handle));
        first.unmount();
        Ok(())
    }

    /// Loads the full module and mounts a host's console with it into `element`, unless the host
    /// unmounted it before (then `mounted` is no longer `Pending`).
    pub(crate) fn mount_full_for_host(
        mounted: Rc<RefCell<Mounted>>,
        element: web_sys::HtmlElement,
        options: JsValue,
    ) {
        wasm_bindgen_futures::spawn_local(async move {
            let outcome = match JsFuture::from(load_full_module()).await {
                Ok(module) if matches!(*mounted.borrow(), Mounted::Pending) => {
                    call(&module, "mountConsole", &[&element, &options])
                        .map(|handle| mounted.replace(Mounted::Full(handle)))
                }
                Ok(_) => Ok(Mounted::Nothing),
                Err(e) => Err(describe(&e)),
            };
            if let Err(reason) = outcome {
                let message = format!("The Secret Backends Console could not be loaded: {reason}");
                leptos::logging::error!("{message}");
                element.set_text_content(Some(&message));
            }
        });
    }
}
