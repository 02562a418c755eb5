//! What every page shares, as one context set by the console's root: the API client, who is
//! logged in, the readiness signal (`data-state`), the change feed's counter and the clock. A
//! leaf: it knows no page, and pages, the root and the change feed all read it.
//!
//! Also the one place that decides how the console is logged in. A console a host mounts uses a
//! bearer token: the host's, or its own login's, held in memory. The standalone console uses the
//! browser's session cookie, which its page never sees: at start it asks the service whether the
//! browser is still logged in (so a reload, a new tab or a bookmark opens the page asked for),
//! and a logout in one tab is a logout in every tab of the console (they share the cookie), told
//! through a `BroadcastChannel`.

use leptos::prelude::*;
use secret_backends_api::{Access, EventKind, UserRef};
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::*;

use crate::api::{Api, ApiResult};
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
    /// The other tabs of the console (the standalone page only).
    tabs: StoredValue<Option<Tabs>, LocalStorage>,
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
            // Only the service's own page can use its cookie: a host on another origin cannot.
            api: Api::new(&options.api_base, options.token.clone(), standalone),
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
            tabs: StoredValue::new_local(None),
        }
    }

    /// Learns who is logged in, as the console starts: who a host-given token belongs to; on the
    /// standalone page, whether the browser's session cookie still works (until the answer, the
    /// console shows no page and no login), and from now on, the logouts of other tabs. Call
    /// once, in the console's root.
    pub fn start(self, options: &ConsoleOptions) {
        if options.token.is_some() {
            leptos::task::spawn_local(async move {
                match self.api.whoami().await {
                    Ok(me) => {
                        self.user.try_set(Some(UserRef {
                            name: me.name,
                            access: me.access,
                        }));
                    }
                    Err(e) => {
                        self.user_unknown.try_set(Some(e.message()));
                    }
                }
            });
        } else if options.standalone {
            leptos::task::spawn_local(async move {
                if let Ok(me) = self.api.resume_cookie_session().await {
                    self.user.try_set(Some(me));
                }
            });
            self.listen_to_other_tabs();
        }
    }

    /// Whether someone is logged in (reactive).
    pub fn logged_in(&self) -> bool {
        self.api.logged_in()
    }

    /// Whether the console is still asking if the browser is logged in (reactive).
    pub fn resuming(&self) -> bool {
        self.api.resuming()
    }

    /// Logs in: on success the console holds the session, and knows who it is.
    pub async fn log_in(&self, username: String, password: String) -> ApiResult<UserRef> {
        let user = self.api.login(username, password).await?;
        self.user.set(Some(user.clone()));
        Ok(user)
    }

    /// Logs out: the credential is forgotten at once (so nothing more is sent with it), the
    /// service is told, and the login page that follows remembers no destination. Once the
    /// service has ended the session, the other tabs are told to show the login too.
    pub fn log_out(&self) {
        self.leaving.set_value(true);
        let logout = self.api.logout();
        let tabs = self.tabs;
        leptos::task::spawn_local(async move {
            logout.await;
            tabs.try_with_value(|tabs| tabs.as_ref().map(Tabs::tell_logged_out));
        });
        self.user.set(None);
    }

    /// Another tab logged out: the session they shared is over here too.
    fn logged_out_elsewhere(self) {
        if self.api.forget() {
            // As after "Log out" here: the page on screen was the last user's.
            self.leaving.set_value(true);
            self.user.set(None);
        }
    }

    /// Opens this console's end of the tabs' channel, until the console is unmounted.
    fn listen_to_other_tabs(self) {
        let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
            move |message: web_sys::MessageEvent| {
                if is_logged_out(&message.data()) {
                    self.logged_out_elsewhere();
                }
            },
        );
        // Without `BroadcastChannel` each tab finds out at its next request (a 401).
        let Ok(channel) = web_sys::BroadcastChannel::new(TABS_CHANNEL) else {
            return;
        };
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        self.tabs.set_value(Some(Tabs {
            channel,
            _on_message: on_message,
        }));
        let tabs = self.tabs;
        on_cleanup(move || {
            tabs.try_set_value(None);
        });
    }

    pub fn is_superuser(&self) -> bool {
        self.user
            .with(|u| u.as_ref().is_some_and(|u| u.access == Access::Superuser))
    }

    /// A location's path (`location.pathname`) as the router's paths are: relative to the base
    /// path.
    pub fn relative_path<'a>(&self, path: &'a str) -> &'a str {
        path.strip_prefix(self.base_path.get_value().as_str())
            .unwrap_or(path)
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

/// The channel the standalone console's tabs of one origin share.
const TABS_CHANNEL: &str = "secret-backends-console";

/// The message's `type` after a logout.
const LOGGED_OUT: &str = "logged-out";

/// One console's end of [`TABS_CHANNEL`] and its listener; dropping it closes the channel and
/// removes the listener.
struct Tabs {
    channel: web_sys::BroadcastChannel,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
}

impl Tabs {
    /// Tells the other tabs (a channel's own messages do not come back to it) about a logout.
    fn tell_logged_out(&self) {
        let message = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&message, &"type".into(), &LOGGED_OUT.into());
        let _ = self.channel.post_message(&message);
    }
}

impl Drop for Tabs {
    fn drop(&mut self) {
        self.channel.set_onmessage(None);
        self.channel.close();
    }
}

/// Whether a message of the channel says `{"type": "logged-out"}`.
fn is_logged_out(data: &JsValue) -> bool {
    js_sys::Reflect::get(data, &"type".into())
        .ok()
        .and_then(|t| t.as_string())
        .is_some_and(|t| t == LOGGED_OUT)
}

/// The session of the console this component belongs to.
pub fn use_session() -> Session {
    use_context::<Session>().expect("Session is provided by Console, the root of every page")
}
