//! What the page or host gives the console when mounting it ([`ConsoleOptions`]), and the theme,
//! with the one piece of browser storage the console uses: the standalone page's theme choice.

use wasm_bindgen::{JsCast, JsValue};

/// Light, dark, or whatever the system prefers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    Light,
    Dark,
    #[default]
    Auto,
}

impl Theme {
    pub fn parse(text: &str) -> Theme {
        match text {
            "light" => Theme::Light,
            "dark" => Theme::Dark,
            _ => Theme::Auto,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::Auto => "auto",
        }
    }

    /// The theme the admin chose on an earlier visit of the standalone page, if any.
    pub fn stored() -> Option<Theme> {
        call_storage("getItem", &[THEME_KEY])?
            .as_string()
            .map(|t| Theme::parse(&t))
    }

    /// Keeps this choice for the next visit (`Auto` forgets the choice).
    pub fn store(self) {
        match self {
            Theme::Auto => call_storage("removeItem", &[THEME_KEY]),
            other => call_storage("setItem", &[THEME_KEY, other.as_str()]),
        };
    }
}

/// What the page or host gives the console when mounting it.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsoleOptions {
    pub api_base: String,
    pub base_path: String,
    pub token: Option<String>,
    /// The host's theme; `None` when it did not choose (then the admin's stored choice, if any).
    pub theme: Option<Theme>,
    /// Called with `{kind, name}` after each change the console makes.
    pub on_event: Option<js_sys::Function>,
    /// The console is the whole page (`index.html`), not a guest in a host's page: only then
    /// does it set the document's title, store the theme choice and move the focus on its own.
    pub standalone: bool,
}

impl Default for ConsoleOptions {
    fn default() -> Self {
        ConsoleOptions {
            api_base: "/api/v1".to_owned(),
            base_path: String::new(),
            token: None,
            theme: None,
            on_event: None,
            standalone: false,
        }
    }
}

impl ConsoleOptions {
    /// Reads the options object of `mountConsole`; missing or malformed keys keep their default.
    pub fn from_js(options: &JsValue) -> ConsoleOptions {
        let text = |key: &str| {
            js_sys::Reflect::get(options, &JsValue::from_str(key))
                .ok()
                .and_then(|v| v.as_string())
                .filter(|s| !s.is_empty())
        };
        let defaults = ConsoleOptions::default();
        ConsoleOptions {
            api_base: text("apiBase").unwrap_or(defaults.api_base),
            base_path: text("basePath")
                .map(|p| p.trim_end_matches('/').to_owned())
                .unwrap_or(defaults.base_path),
            token: text("token"),
            theme: text("theme").map(|t| Theme::parse(&t)),
            on_event: js_sys::Reflect::get(options, &JsValue::from_str("onEvent"))
                .ok()
                .and_then(|f| f.dyn_into::<js_sys::Function>().ok()),
            standalone: false,
        }
    }
}

/// Where the theme choice of the standalone page is kept. Only the word (`light`, `dark`) is
/// stored: it is not a secret, and nothing else of the console ever reaches browser storage.
const THEME_KEY: &str = "secret-backends-console.theme";

/// The browser's `localStorage`, where it exists and may be used (not in every private mode).
fn local_storage() -> Option<JsValue> {
    let window = web_sys::window()?;
    js_sys::Reflect::get(&window, &JsValue::from_str("localStorage"))
        .ok()
        .filter(|s| s.is_object())
}

/// Calls `localStorage[method](args…)`; any failure (storage full or refused) is ignored: the
/// theme is then simply not remembered.
fn call_storage(method: &str, args: &[&str]) -> Option<JsValue> {
    let storage = local_storage()?;
    let function: js_sys::Function = js_sys::Reflect::get(&storage, &JsValue::from_str(method))
        .ok()?
        .dyn_into()
        .ok()?;
    let args: js_sys::Array = args.iter().map(|a| JsValue::from_str(a)).collect();
    function.apply(&storage, &args).ok()
}
