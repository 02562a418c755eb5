//! What every page shares, as one context set by the console's root: the API client, who is
//! logged in, the readiness signal (`data-state`), the change feed's counter and the clock. A
//! leaf: it knows no page, and pages, the root and the change feed all read it.

use leptos::prelude::*;
use secret_backends_api::{Access, EventKind, UserRef};
use wasm_bindgen::JsValue;

use crate::api::Api;
use crate::options::{ConsoleOptions, Theme};
use crate::routes::Route;

/// The root's readiness signal for tests and hosts (`data-state` on the root element).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageState {
    Loading,
    Ready,
    Error,
}

impl PageState {
    pub fn as_str(self) -> &'static str {
        match self {
            PageState::Loading => "loading",
            PageState::Ready => "ready",
            PageState::Error => "error",
        }
    }
}

/// What every page shares: the API client, who is logged in, and the readiness signal.
#[derive(Clone, Copy)]
pub struct Session {
    pub api: Api,
    pub user: RwSignal<Option<UserRef>>,
    /// Why the console could not learn who a host-given token belongs to.
    pub user_unknown: RwSignal<Option<String>>,
    /// Set by "Log out" until the login page shows: the page that was open belongs to the user
    /// who left, so it is not remembered as the next user's destination.
    pub leaving: StoredValue<bool>,
    pub state: RwSignal<PageState>,
    /// Bumped by every event of the change feed; resources read it to fetch again.
    pub changes: RwSignal<u64>,
    /// The feed's last event.
    pub last_event: RwSignal<Option<secret_backends_api::Event>>,
    /// The browser's clock (ms), ticking every few seconds, for "checked N s ago".
    pub now: RwSignal<f64>,
    /// The theme in use; the host's option, or the admin's choice.
    pub theme: RwSignal<Theme>,
    /// The host's `onEvent`.
    on_event: StoredValue<Option<js_sys::Function>, LocalStorage>,
    /// The routes' prefix (`basePath`), without a trailing `/`.
    pub base_path: StoredValue<String>,
    /// See [`ConsoleOptions::standalone`].
    pub standalone: StoredValue<bool>,
    /// Keep the admin's theme choice across reloads (the standalone page, when it set none).
    remember_theme: StoredValue<bool>,
}

impl Session {
    /// The session of a console mounted with `options`.
    pub fn new(options: &ConsoleOptions) -> Session {
        let standalone = options.standalone;
        // The host's choice wins; the standalone page remembers the admin's own.
        let theme = options
            .theme
            .or_else(|| if standalone { Theme::stored() } else { None })
            .unwrap_or_default();
        Session {
            api: Api::new(&options.api_base, options.token.clone()),
            user: RwSignal::new(None),
            user_unknown: RwSignal::new(None),
            leaving: StoredValue::new(false),
            state: RwSignal::new(PageState::Loading),
            changes: RwSignal::new(0),
            last_event: RwSignal::new(None),
            now: RwSignal::new(crate::time::now_ms()),
            theme: RwSignal::new(theme),
            on_event: StoredValue::new_local(options.on_event.clone()),
            base_path: StoredValue::new(options.base_path.clone()),
            standalone: StoredValue::new(standalone),
            remember_theme: StoredValue::new(standalone && options.theme.is_none()),
        }
    }

    /// Logs out: the token is forgotten at once (so nothing more is sent with it), the service
    /// is told, and the login page that follows remembers no destination.
    pub fn log_out(&self) {
        self.leaving.set_value(true);
        leptos::task::spawn_local(self.api.logout());
        self.user.set(None);
    }

    pub fn is_superuser(&self) -> bool {
        self.user
            .with(|u| u.as_ref().is_some_and(|u| u.access == Access::Superuser))
    }

    /// A console page as a link's `href`: under the base path. (The router's `A` does not add
    /// the base itself; its navigation and `use_navigate` do.)
    pub fn href(&self, route: &Route) -> String {
        format!("{}{}", self.base_path.get_value(), route.path())
    }

    /// Tells the host about a change the console made (`onEvent({kind, name})`).
    pub fn notify(&self, kind: EventKind, name: &str) {
        self.on_event.with_value(|f| {
            if let Some(f) = f {
                let event = js_sys::Object::new();
                let _ = js_sys::Reflect::set(&event, &"kind".into(), &kind.as_str().into());
                let _ = js_sys::Reflect::set(&event, &"name".into(), &name.into());
                // A host's failing callback is the host's business.
                let _ = f.call1(&JsValue::NULL, &event);
            }
        });
    }

    /// Reports a page's load state to the root (`data-state`).
    pub fn report<T, E>(&self, loaded: Option<&Result<T, E>>) {
        self.state.set(match loaded {
            None => PageState::Loading,
            Some(Ok(_)) => PageState::Ready,
            Some(Err(_)) => PageState::Error,
        });
    }

    /// The admin chose a theme in the header: use it, and on the standalone page (when the page
    /// did not set one) remember it for the next visit.
    pub fn choose_theme(&self, theme: Theme) {
        self.theme.set(theme);
        if self.remember_theme.get_value() {
            theme.store();
        }
    }
}

/// The session of the console this component belongs to.
pub fn use_session() -> Session {
    use_context::<Session>().expect("Session is provided by Console, the root of every page")
}
