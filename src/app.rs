//! The console's root: options, the session shared by every page (as context, set once), the
//! frame (header, navigation) and the routes.

use leptos::prelude::*;
use leptos_router::components::{A, Redirect, Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::path;
use secret_backends_api::{Access, EventKind, UserRef};
use wasm_bindgen::{JsCast, JsValue};

use crate::api::Api;
use crate::pages::{
    AddBackendPage, AuditPage, BackendPage, BackendsPage, EditBackendPage, LoginPage, ModelPage,
    ModelsPage, NotFoundPage,
};

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
}

/// What the page or host gives the console when mounting it.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsoleOptions {
    pub api_base: String,
    pub base_path: String,
    pub token: Option<String>,
    pub theme: Theme,
    /// Called with `{kind, name}` after each change the console makes.
    pub on_event: Option<js_sys::Function>,
}

impl Default for ConsoleOptions {
    fn default() -> Self {
        ConsoleOptions {
            api_base: "/api/v1".to_owned(),
            base_path: String::new(),
            token: None,
            theme: Theme::Auto,
            on_event: None,
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
            theme: text("theme").map(|t| Theme::parse(&t)).unwrap_or_default(),
            on_event: js_sys::Reflect::get(options, &JsValue::from_str("onEvent"))
                .ok()
                .and_then(|f| f.dyn_into::<js_sys::Function>().ok()),
        }
    }
}

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
    /// Where to go after logging in (the page that asked for a login).
    pub after_login: RwSignal<Option<String>>,
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
}

impl Session {
    pub fn new(api: Api) -> Session {
        Session {
            api,
            user: RwSignal::new(None),
            after_login: RwSignal::new(None),
            state: RwSignal::new(PageState::Loading),
            changes: RwSignal::new(0),
            last_event: RwSignal::new(None),
            now: RwSignal::new(crate::live::now_ms()),
            theme: RwSignal::new(Theme::Auto),
            on_event: StoredValue::new_local(None),
            base_path: StoredValue::new(String::new()),
        }
    }

    pub fn is_superuser(&self) -> bool {
        self.user
            .with(|u| u.as_ref().is_some_and(|u| u.access == Access::Superuser))
    }

    /// A console path as a link's `href`: under the base path. (The router's `A` does not add
    /// the base itself; its navigation and `use_navigate` do.)
    pub fn href(&self, path: &str) -> String {
        format!("{}{path}", self.base_path.get_value())
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
}

/// The session of the console this component belongs to.
pub fn use_session() -> Session {
    use_context::<Session>().expect("Session is provided by Console, the root of every page")
}

/// The whole console, as mounted by `mountConsole`.
#[component]
pub fn Console(options: ConsoleOptions) -> impl IntoView {
    let api = Api::new(&options.api_base, options.token.clone());
    let session = Session::new(api);
    session.theme.set(options.theme);
    session.on_event.set_value(options.on_event.clone());
    session.base_path.set_value(options.base_path.clone());
    provide_context(session);
    crate::live::start(session);

    // A host-given token: learn who it belongs to.
    if options.token.is_some() {
        leptos::task::spawn_local(async move {
            if let Ok(me) = api.whoami().await {
                session.user.set(Some(UserRef {
                    name: me.name,
                    access: me.access,
                }));
            }
        });
    }

    let base = options.base_path.clone();
    view! {
        <div
            class="sbc"
            data-theme=move || session.theme.get().as_str()
            data-state=move || session.state.get().as_str()
        >
            <Router base=base>
                <Header />
                <main class="sbc-main">
                    <Routes fallback=|| view! { <NotFoundPage /> }>
                        <Route path=path!("/login") view=LoginPage />
                        <Route path=path!("/") view=|| view! { <Redirect path="/backends" /> } />
                        <Route
                            path=path!("/backends")
                            view=|| view! { <RequireLogin><BackendsPage /></RequireLogin> }
                        />
                        <Route
                            path=path!("/backends/new")
                            view=|| view! { <RequireLogin><AddBackendPage /></RequireLogin> }
                        />
                        <Route
                            path=path!("/backends/:name")
                            view=|| view! { <RequireLogin><BackendPage /></RequireLogin> }
                        />
                        <Route
                            path=path!("/backends/:name/edit")
                            view=|| view! { <RequireLogin><EditBackendPage /></RequireLogin> }
                        />
                        <Route
                            path=path!("/audit")
                            view=|| view! { <RequireLogin><AuditPage /></RequireLogin> }
                        />
                        <Route
                            path=path!("/models")
                            view=|| view! { <RequireLogin><ModelsPage /></RequireLogin> }
                        />
                        <Route
                            path=path!("/models/:name")
                            view=|| view! { <RequireLogin><ModelPage /></RequireLogin> }
                        />
                    </Routes>
                </main>
            </Router>
        </div>
    }
}

/// The console's header: its name, navigation, and who is logged in.
#[component]
fn Header() -> impl IntoView {
    let session = use_session();
    let logout = Action::new_local(move |_: &()| async move {
        session.api.logout().await;
        session.user.set(None);
    });
    view! {
        <header class="sbc-header">
            <span class="sbc-header__brand">"Secret backends"</span>
            <label class="sbc-header__theme">
                <span class="sbc-visually-hidden">"Theme"</span>
                <select
                    class="sbc-input sbc-input--small"
                    data-testid="theme"
                    prop:value=move || session.theme.get().as_str()
                    on:change=move |ev| session.theme.set(Theme::parse(&event_target_value(&ev)))
                >
                    <option value="auto">"System theme"</option>
                    <option value="light">"Light"</option>
                    <option value="dark">"Dark"</option>
                </select>
            </label>
            <Show when=move || session.api.logged_in()>
                <nav class="sbc-header__nav" aria-label="Console">
                    <A href=session.href("/backends")>"Backends"</A>
                    <A href=session.href("/models")>"Models"</A>
                    <Show when=move || session.is_superuser()>
                        <A href=session.href("/audit")>"Audit"</A>
                    </Show>
                </nav>
                <span class="sbc-header__user" data-testid="current-user">
                    {move || session.user.get().map(|u| u.name).unwrap_or_default()}
                </span>
                <button
                    type="button"
                    class="sbc-button sbc-button--quiet"
                    data-testid="logout"
                    on:click=move |_| {
                        logout.dispatch(());
                    }
                >
                    "Log out"
                </button>
            </Show>
        </header>
    }
}

/// Shows its children to a logged-in admin, and the login page to anyone else (remembering where
/// they wanted to go).
#[component]
fn RequireLogin(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let location = use_location();
    move || {
        if session.api.logged_in() {
            children().into_any()
        } else {
            // The router's paths are relative to the base path; the location's is not.
            let path = location.pathname.get_untracked();
            let base = session.base_path.get_value();
            let relative = path.strip_prefix(base.as_str()).unwrap_or(&path).to_owned();
            session.after_login.set(Some(relative));
            view! { <Redirect path="/login" /> }.into_any()
        }
    }
}
