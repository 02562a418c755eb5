//! The console's root: the frame (skip link, header, navigation) and the routes, with the gates
//! in front of them (logged in; superuser). Also what only the standalone page does: name the
//! page in the document title and colour the whole page with the theme. The session it shares
//! with every page is `session.rs`; the options it is mounted with, `options.rs`.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::{A, Redirect, Route, Router, Routes};
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::path;

use crate::components::{Alert, Progress};
use crate::controller::{Capability, Controller, use_controller};
use crate::options::{ConsoleOptions, Theme};
use crate::pages::LoginPage;
#[cfg(feature = "full")]
use crate::pages::{
    AddBackendPage, AuditPage, BackendPage, BackendsPage, EditBackendPage, ModelPage, ModelsPage,
    NotFoundPage,
};
use crate::routes::{self, login_path, page_title};
use crate::session::{PageState, Session, use_session};

/// The whole console, as mounted by `mountConsole`.
#[component]
pub fn Console(options: ConsoleOptions) -> impl IntoView {
    let session = Session::new(&options);
    let standalone = options.standalone;
    provide_context(session);
    let controller = Controller::unknown();
    provide_context(controller);
    session.start(&options);
    controller.learn(session.api);
    #[cfg(feature = "full")]
    crate::live::start(session);

    if standalone {
        // The page around the console (and the browser's own controls) follow the theme too,
        // not only the console's box.
        Effect::new(move || page_color_scheme(session.theme.get()));
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
            <a
                class="sbc-skip-link"
                href=format!("#{main_id}")
                data-testid="skip-link"
                on:click=skip
            >
                "Skip to content"
            </a>
            <Router base=base>
                <Header />
                {standalone.then(|| view! { <DocumentTitle /> })}
                <main class="sbc-main" id=main_id tabindex="-1" node_ref=main_ref>
                    // Every page reads what the controller offers: none shows before it is known.
                    <Show
                        when=move || controller.known()
                        fallback=|| view! { <Progress label="Connecting to the controller…" /> }
                    >
                        <Pages />
                    </Show>
                </main>
            </Router>
        </div>
    }
}

/// The root: the backends page (in both modules, so that the first one sends a browser without
/// a session to the login page with the same `next` as the full one).
#[component]
fn RootPage() -> impl IntoView {
    view! { <Redirect path=routes::Route::Backends.path() /> }
}

/// Every page of the console, by path.
#[cfg(feature = "full")]
#[component]
fn Pages() -> impl IntoView {
    view! {
        <Routes fallback=|| view! { <NotFoundPage /> }>
            <Route path=path!("/login") view=LoginPage />
            <Route path=path!("/") view=RootPage />
            <Route path=path!("/backends") view=logged_in(BackendsPage) />
            <Route
                path=path!("/backends/new")
                view=superuser_only("add secret backends", AddBackendPage)
            />
            <Route path=path!("/backends/:name") view=logged_in(BackendPage) />
            <Route
                path=path!("/backends/:name/edit")
                view=superuser_only("change secret backends", EditBackendPage)
            />
            <Route path=path!("/audit") view=logged_in(AuditPage) />
            <Route path=path!("/models") view=logged_in(ModelsPage) />
            <Route path=path!("/models/:name") view=logged_in(ModelPage) />
        </Routes>
    }
}

/// The first module's pages: the login page (and the root, the backends page, as in the full
/// console); any other path is the full module's (see [`crate::split`]).
#[cfg(not(feature = "full"))]
#[component]
fn Pages() -> impl IntoView {
    view! {
        <Routes fallback=RestOfConsole>
            <Route path=path!("/login") view=LoginPage />
            <Route path=path!("/") view=RootPage />
        </Routes>
    }
}

/// A page of the full module: one that needs a login waits for it (the login page comes first, as
/// in the full console); then the full module replaces this one.
#[cfg(not(feature = "full"))]
#[component]
fn RestOfConsole() -> impl IntoView {
    let session = use_session();
    let path = use_location().pathname.get_untracked();
    let relative = session.relative_path(&path);
    // A path the console does not know is its "not found" page, which needs no login.
    if routes::Route::parse(relative).is_some() {
        view! {
            <RequireLogin>
                <LoadRest />
            </RequireLogin>
        }
        .into_any()
    } else {
        view! { <LoadRest /> }.into_any()
    }
}

/// Loads the full module, which takes over the element; says so if it cannot.
#[cfg(not(feature = "full"))]
#[component]
fn LoadRest() -> impl IntoView {
    let session = use_session();
    let failed = RwSignal::new(None::<String>);
    session.state.set(PageState::Loading);
    leptos::task::spawn_local(async move {
        if let Err(reason) = crate::split::load_rest().await {
            failed.try_set(Some(format!(
                "The console's pages could not be loaded: {reason}. Reload the page to try again."
            )));
            session.state.try_set(PageState::Error);
        }
    });
    move || match failed.get() {
        None => view! { <Progress label="Loading the console…" /> }.into_any(),
        Some(message) => view! { <Alert message=message /> }.into_any(),
    }
}

/// The console's header: its name, navigation, who is logged in, and the theme; in that order
/// on screen and for the keyboard.
#[component]
fn Header() -> impl IntoView {
    let session = use_session();
    let controller = use_controller();
    let navigate = use_navigate();
    let log_out = move |_| {
        session.log_out();
        navigate(&routes::Route::Login.path(), Default::default());
    };
    view! {
        <header class="sbc-header">
            <span class="sbc-header__brand">"Secret backends"</span>
            <Show when=move || session.logged_in()>
                <nav class="sbc-header__nav" aria-label="Console">
                    <A href=session.href(&routes::Route::Backends)>"Backends"</A>
                    <A href=session.href(&routes::Route::Models)>"Models"</A>
                    <Show when=move || {
                        session.is_superuser() && controller.offers(Capability::Audit)
                    }>
                        <A href=session.href(&routes::Route::Audit)>"Audit"</A>
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

/// The route view of `page`, shown to a logged-in user only (see [`RequireLogin`]).
#[cfg(feature = "full")]
fn logged_in<P: IntoView + 'static>(
    page: impl Fn() -> P + Copy + Send + Sync + 'static,
) -> impl Fn() -> AnyView + Copy + Send + Sync + 'static {
    move || view! { <RequireLogin>{page()}</RequireLogin> }.into_any()
}

/// The route view of `page`, shown to a logged-in superuser only (see [`RequireSuperuser`]);
/// `action` completes "Only a controller superuser can …".
#[cfg(feature = "full")]
fn superuser_only<P: IntoView + 'static>(
    action: &'static str,
    page: impl Fn() -> P + Copy + Send + Sync + 'static,
) -> impl Fn() -> AnyView + Copy + Send + Sync + 'static {
    logged_in(move || view! { <RequireSuperuser action=action>{page()}</RequireSuperuser> })
}

/// Shows its children to a logged-in user, and the login page to anyone else, with the page they
/// asked for in the login page's URL (`/login?next=…`), so that a reload keeps it. While the
/// standalone console asks whether the browser is still logged in, neither.
#[component]
fn RequireLogin(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let location = use_location();
    move || {
        if session.logged_in() {
            children().into_any()
        } else if session.resuming() {
            session.state.set(PageState::Loading);
            view! { <Progress label="Checking your login…" /> }.into_any()
        } else if session.leaving.get_value() {
            // Logged out here: this page was the last user's, not the next one's.
            view! { <Redirect path=routes::Route::Login.path() options=replace() /> }.into_any()
        } else {
            // The router's paths are relative to the base path; the location's is not.
            let path = location.pathname.get_untracked();
            let search = location.search.get_untracked();
            let relative = session.relative_path(&path);
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
#[cfg(feature = "full")]
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
        Some(secret_backends_api::Access::Superuser) => children().into_any(),
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
                    <p>
                        <A href=session.href(&routes::Route::Backends)>"Back to the backends"</A>
                    </p>
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
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(&page_title(session.relative_path(&path)));
        }
    });
}

/// A number for each console mounted in this page (element ids must be unique in it).
fn next_mount_number() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static MOUNTS: AtomicU32 = AtomicU32::new(0);
    MOUNTS.fetch_add(1, Ordering::Relaxed)
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
