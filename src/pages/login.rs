//! `/login`: user name and password, exchanged for a session (how it is kept is the session's
//! business: see `session.rs`). The page to go to afterwards is in the URL
//! (`/login?next=/backends/myvault`), so a reload keeps it; only a path of this console is
//! followed (see [`crate::routes::safe_next`]). In front of a Juju controller, the login is a Juju
//! login, and the page says so.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use secret_backends_api::ControllerKind;

use crate::components::{Alert, BusyButton, Note, Progress, TextField};
use crate::controller::use_controller;
use crate::routes::{Route, safe_next};
use crate::session::{PageState, use_session};

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    // The logout that led here is over: a later redirect to this page is a deep link again.
    session.leaving.set_value(false);
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let navigate = use_navigate();
    let query = use_query_map();
    let destination = move || {
        query
            .with_untracked(|q| q.get("next"))
            .and_then(|next| safe_next(&next).map(str::to_owned))
            .unwrap_or_else(|| Route::Backends.path())
    };
    // Already logged in (a host-given token, a browser still holding its session, or the login
    // just made): on to the destination.
    Effect::new(move || {
        if session.logged_in() {
            navigate(&destination(), Default::default());
        }
    });

    let login = Action::new_local(move |(user, pass): &(String, String)| {
        let (user, pass) = (user.clone(), pass.clone());
        async move { session.log_in(user, pass).await }
    });
    Effect::new(move || {
        if let Some(Ok(_)) = login.value().get() {
            password.set(String::new());
        }
    });
    let error = move || match login.value().get() {
        Some(Err(e)) => Some(e.message()),
        _ => None,
    };

    // The form is for someone not logged in, once the console knows they are not.
    let asking = Memo::new(move |_| !session.resuming() && !session.logged_in());
    let form = move || {
        view! {
            <form
                class="sbc-form"
                data-testid="login-form"
                // The pages after the login are on their way while the admin types.
                on:input=|_| crate::split::prefetch()
                on:submit=move |ev| {
                    ev.prevent_default();
                    login.dispatch((username.get_untracked(), password.get_untracked()));
                }
            >
                {move || error().map(|m| view! { <Alert message=m /> })}
                // The service logs in to the Juju controller as this user: Juju decides.
                {(use_controller().kind() == ControllerKind::Juju)
                    .then(|| {
                        view! {
                            <Note
                                testid="login-juju"
                                text="Log in with a Juju user of this controller (a superuser to \
                                change backends)."
                            />
                        }
                    })}
                // On the standalone page the login is the page's purpose: start typing at once.
                // A guest console does not take the focus from its host.
                <TextField
                    id="sbc-login-username"
                    label="User name"
                    testid="login-username"
                    value=username
                    required=true
                    autocomplete="username"
                    autofocus=session.standalone.get_value()
                />
                <TextField
                    id="sbc-login-password"
                    label="Password"
                    testid="login-password"
                    value=password
                    required=true
                    input_type="password"
                    autocomplete="current-password"
                />
                <BusyButton
                    testid="login-submit"
                    label="Log in"
                    busy_label="Logging in…"
                    busy=login.pending()
                    submit=true
                    class="sbc-button sbc-button--primary"
                />
            </form>
        }
    };
    view! {
        <section class="sbc-page sbc-login">
            <h1>"Log in to the controller"</h1>
            {move || {
                if asking.get() {
                    session.state.set(PageState::Ready);
                    form().into_any()
                } else {
                    session.state.set(PageState::Loading);
                    view! { <Progress label="Checking your login…" /> }.into_any()
                }
            }}
        </section>
    }
}
