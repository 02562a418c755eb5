//! The console's root: options, the session shared by every page (as context, set once), the
//! frame (skip link, header, navigation) and the routes, with the gates in front of them (logged
//! in; superuser). Also what only the standalone page does: name the page in the document title,
//! keep the theme choice across reloads, and colour the whole page with the theme.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::{A, Redirect, Route, Router, Routes};
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::path;
use secret_backends_api::{Access, EventKind, UserRef};
use wasm_bindgen::{JsCast, JsValue};

use crate::api::Api;
use crate::components::{Alert, Progress};
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
    pub fn new(api: Api) -> Session {
        Session {
            api,
            user: RwSignal::new(None),
            user_unknown: RwSignal::new(None),
            leaving: StoredValue::new(false),
            state: RwSignal::new(PageState::Loading),
            changes: RwSignal::new(0),
            last_event: RwSignal::new(None),
            now: RwSignal::new(crate::live::now_ms()),
            theme: RwSignal::new(Theme::Auto),
            on_event: StoredValue::new_local(None),
            base_path: StoredValue::new(String::new()),
            standalone: StoredValue::new(false),
            remember_theme: StoredValue::new(false),
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
    let standalone = options.standalone;
    // The host's choice wins; the standalone page remembers the admin's own.
    let theme = options
        .theme
        .or_else(|| if standalone { stored_theme() } else { None })
        .unwrap_or_default();
    session.theme.set(theme);
    session.on_event.set_value(options.on_event.clone());
    session.base_path.set_value(options.base_path.clone());
    session.standalone.set_value(standalone);
    session
        .remember_theme
        .set_value(standalone && options.theme.is_none());
    provide_context(session);
    crate::live::start(session);

    if standalone {
        // The page around the console (and the browser's own controls) follow the theme too,
        // not only the console's box.
        Effect::new(move || page_color_scheme(session.theme.get()));
    }

    // A host-given token: learn who it belongs to.
    if options.token.is_some() {
        leptos::task::spawn_local(async move {
            match api.whoami().await {
                Ok(me) => {
                    session.user.try_set(Some(UserRef {
                        name: me.name,
                        access: me.access,
                    }));
                }
                Err(e) => {
                    session.user_unknown.try_set(Some(e.message()));
                }
            }
        });
    }

    let base = options.base_path.clone();
    // Unique per mount: a host page may hold several consoles.
    let main_id = format!("sbc-main-{}", next_mount_number());
    let main_ref = NodeRef::<leptos::html::Main>::new();
    let skip = move |ev: web_sys::MouseEvent| {
        // The router would take a same-page link as a navigation: move the focus instead.
        ev.prevent_default();
        if let Some(main) = main_ref.get_untracked() {
            let _ = main.focus();
        }
    };
    view! {
        <div
            class="sbc"
            data-theme=move || session.theme.get().as_str()
            data-state=move || session.state.get().as_str()
        >
            <a class="sbc-skip-link" href=format!("#{main_id}") data-testid="skip-link"
                on:click=skip>"Skip to content"</a>
            <Router base=base>
                <Header />
                {standalone.then(|| view! { <DocumentTitle /> })}
                <main class="sbc-main" id=main_id tabindex="-1" node_ref=main_ref>
                    <Routes fallback=|| view! { <NotFoundPage /> }>
                        <Route path=path!("/login") view=LoginPage />
                        <Route path=path!("/") view=|| view! { <Redirect path="/backends" /> } />
                        <Route
                            path=path!("/backends")
                            view=|| view! { <RequireLogin><BackendsPage /></RequireLogin> }
                        />
                        <Route
                            path=path!("/backends/new")
                            view=|| view! {
                                <RequireLogin>
                                    <RequireSuperuser action="add secret backends">
                                        <AddBackendPage />
                                    </RequireSuperuser>
                                </RequireLogin>
                            }
                        />
                        <Route
                            path=path!("/backends/:name")
                            view=|| view! { <RequireLogin><BackendPage /></RequireLogin> }
                        />
                        <Route
                            path=path!("/backends/:name/edit")
                            view=|| view! {
                                <RequireLogin>
                                    <RequireSuperuser action="change secret backends">
                                        <EditBackendPage />
                                    </RequireSuperuser>
                                </RequireLogin>
                            }
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

/// The console's header: its name, navigation, who is logged in, and the theme; in that order
/// on screen and for the keyboard.
#[component]
fn Header() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let log_out = move |_| {
        session.log_out();
        navigate("/login", Default::default());
    };
    view! {
        <header class="sbc-header">
            <span class="sbc-header__brand">"Secret backends"</span>
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
                    on:click=log_out.clone()
                >
                    "Log out"
                </button>
            </Show>
            <label class="sbc-header__theme">
                <span class="sbc-visually-hidden">"Theme"</span>
                <select
                    class="sbc-input sbc-input--small"
                    data-testid="theme"
                    prop:value=move || session.theme.get().as_str()
                    on:change=move |ev| session.choose_theme(Theme::parse(&event_target_value(&ev)))
                >
                    <option value="auto">"System theme"</option>
                    <option value="light">"Light"</option>
                    <option value="dark">"Dark"</option>
                </select>
            </label>
        </header>
    }
}

/// Shows its children to a logged-in user, and the login page to anyone else, with the page they
/// asked for in the login page's URL (`/login?next=…`), so that a reload keeps it.
#[component]
fn RequireLogin(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let location = use_location();
    move || {
        if session.api.logged_in() {
            children().into_any()
        } else if session.leaving.get_value() {
            // Logged out here: this page was the last user's, not the next one's.
            view! { <Redirect path="/login" options=replace() /> }.into_any()
        } else {
            // The router's paths are relative to the base path; the location's is not.
            let path = location.pathname.get_untracked();
            let search = location.search.get_untracked();
            let base = session.base_path.get_value();
            let relative = path.strip_prefix(base.as_str()).unwrap_or(&path);
            let wanted = if search.is_empty() {
                relative.to_owned()
            } else {
                format!("{relative}?{search}")
            };
            view! { <Redirect path=login_path(&wanted) options=replace() /> }.into_any()
        }
    }
}

/// The redirect to the login page replaces the page that asked for it in the history, so that
/// Back does not bounce between the two.
fn replace() -> NavigateOptions {
    NavigateOptions {
        replace: true,
        ..Default::default()
    }
}

/// Shows its children to a superuser only. Anyone else is told who may, and gets nothing to fill
/// in; while the console does not know yet who holds a host-given token, it says it is checking.
#[component]
fn RequireSuperuser(
    /// What the page does, after "Only a controller superuser can …".
    action: &'static str,
    children: ChildrenFn,
) -> impl IntoView {
    let session = use_session();
    // Only a change of access re-renders: the form keeps what was typed.
    let access = Memo::new(move |_| session.user.with(|u| u.as_ref().map(|u| u.access)));
    move || match access.get() {
        Some(Access::Superuser) => children().into_any(),
        Some(_) => {
            session.state.set(PageState::Ready);
            let who = session
                .user
                .get_untracked()
                .map(|u| u.name)
                .unwrap_or_default();
            view! {
                <section class="sbc-page" data-testid="superuser-only">
                    <h1>"Superuser access needed"</h1>
                    <p>
                        "Only a controller superuser can " {action} ". You are logged in as "
                        <strong>{who}</strong> ", with login access."
                    </p>
                    <p><A href=session.href("/backends")>"Back to the backends"</A></p>
                </section>
            }
            .into_any()
        }
        None => match session.user_unknown.get() {
            Some(message) => {
                session.state.set(PageState::Error);
                view! { <Alert message=message /> }.into_any()
            }
            None => {
                session.state.set(PageState::Loading);
                view! { <Progress label="Checking your access…" /> }.into_any()
            }
        },
    }
}

/// Names the page in the document's title (standalone page only: a host's title is the host's).
#[component]
fn DocumentTitle() -> impl IntoView {
    let session = use_session();
    let location = use_location();
    Effect::new(move || {
        let path = location.pathname.get();
        let base = session.base_path.get_value();
        let relative = path.strip_prefix(base.as_str()).unwrap_or(&path);
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(&page_title(relative));
        }
    });
}

/// A number for each console mounted in this page (element ids must be unique in it).
fn next_mount_number() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static MOUNTS: AtomicU32 = AtomicU32::new(0);
    MOUNTS.fetch_add(1, Ordering::Relaxed)
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

fn stored_theme() -> Option<Theme> {
    call_storage("getItem", &[THEME_KEY])?
        .as_string()
        .map(|t| Theme::parse(&t))
}

/// The theme colours the page around the console and the browser's own parts of it (the
/// canvas below the content, scroll bars, native controls), through `data-sbc-theme` on `<html>`.
fn page_color_scheme(theme: Theme) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-sbc-theme", theme.as_str());
    }
}

impl Session {
    /// The admin chose a theme in the header: use it, and on the standalone page (when the page
    /// did not set one) remember it for the next visit.
    pub fn choose_theme(&self, theme: Theme) {
        self.theme.set(theme);
        if self.remember_theme.get_value() {
            match theme {
                Theme::Auto => call_storage("removeItem", &[THEME_KEY]),
                other => call_storage("setItem", &[THEME_KEY, other.as_str()]),
            };
        }
    }
}

/// The login page's path with `next`, the page to go to once logged in.
pub fn login_path(next: &str) -> String {
    match safe_next(next) {
        Some(next) if next != "/backends" => format!("/login?next={}", encode_query_value(next)),
        _ => "/login".to_owned(),
    }
}

/// `next` if it is a path of this console that is safe to go to after a login: it starts with a
/// single `/` (not `//host`, `/\host`, a scheme or anything absolute), has no backslash, space or
/// control character (browsers drop or turn those into `/`), no `..` segment, is not the login
/// page itself, and is of a sane length. Anything else is `None` (go to the backends).
pub fn safe_next(next: &str) -> Option<&str> {
    let path = next.split(['?', '#']).next().unwrap_or_default();
    let ok = next.len() <= 2048
        && next.starts_with('/')
        && !next.starts_with("//")
        && !next
            .chars()
            .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
        && !path
            .split('/')
            .any(|segment| segment == ".." || segment == ".")
        && !path.contains(':')
        && path != "/login"
        && !path.starts_with("/login/");
    ok.then_some(next)
}

/// A query value with everything but unreserved characters and `/` percent-encoded.
fn encode_query_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// `%XX` sequences decoded (as the router decodes route parameters); invalid ones kept as typed.
fn decode_path_segment(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The document title for a console path (relative to the base path), so that tabs and history
/// entries are told apart: `myvault · Secret backends`, `Edit myvault · Secret backends`.
pub fn page_title(path: &str) -> String {
    const CONSOLE: &str = "Secret backends";
    let path = path.trim_end_matches('/');
    let segments: Vec<String> = path.split('/').skip(1).map(decode_path_segment).collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let page = match segments.as_slice() {
        [] | [""] => return CONSOLE.to_owned(),
        ["login"] => "Log in".to_owned(),
        ["backends"] => "Backends".to_owned(),
        ["backends", "new"] => "Add a backend".to_owned(),
        ["backends", name] => (*name).to_owned(),
        ["backends", name, "edit"] => format!("Edit {name}"),
        ["models"] => "Models".to_owned(),
        ["models", name] => format!("Model {name}"),
        ["audit"] => "Audit".to_owned(),
        _ => "Page not found".to_owned(),
    };
    format!("{page} · {CONSOLE}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn a_console_path_is_a_safe_destination() {
        for path in [
            "/backends",
            "/backends/myvault",
            "/backends/myvault/edit",
            "/models/m1",
            "/audit?backend=x",
            "/backends/new",
        ] {
            assert_eq!(safe_next(path), Some(path), "{path}");
        }
    }

    #[wasm_bindgen_test]
    fn anything_that_could_leave_the_console_is_refused() {
        for hostile in [
            "",
            "backends",
            "https://evil.example/",
            "//evil.example/backends",
            "///evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            " /backends",
            "javascript:alert(1)",
            "/javascript:alert(1)",
            "data:text/html,x",
            "/backends/../../elsewhere",
            "/./backends",
            "/login",
            "/login?next=/backends",
            "/login/",
        ] {
            assert_eq!(safe_next(hostile), None, "{hostile:?}");
        }
        assert_eq!(safe_next(&format!("/{}", "a".repeat(3000))), None);
    }

    #[wasm_bindgen_test]
    fn the_login_path_carries_a_safe_destination_only() {
        assert_eq!(
            login_path("/backends/myvault/edit"),
            "/login?next=/backends/myvault/edit"
        );
        assert_eq!(
            login_path("/audit?backend=a&limit=5"),
            "/login?next=/audit%3Fbackend%3Da%26limit%3D5"
        );
        assert_eq!(login_path("/backends"), "/login");
        assert_eq!(login_path("//evil.example"), "/login");
    }

    #[wasm_bindgen_test]
    fn the_title_names_the_page() {
        assert_eq!(page_title("/backends"), "Backends · Secret backends");
        assert_eq!(page_title("/backends/myvault"), "myvault · Secret backends");
        assert_eq!(
            page_title("/backends/myvault/edit"),
            "Edit myvault · Secret backends"
        );
        assert_eq!(
            page_title("/backends/new"),
            "Add a backend · Secret backends"
        );
        assert_eq!(page_title("/models"), "Models · Secret backends");
        assert_eq!(page_title("/models/m%201"), "Model m 1 · Secret backends");
        assert_eq!(
            page_title("/nowhere/at/all"),
            "Page not found · Secret backends"
        );
        assert_eq!(page_title("/"), "Secret backends");
    }
}
