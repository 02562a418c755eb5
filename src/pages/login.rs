//! `/login`: user name and password, exchanged for a bearer token held in memory.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::app::{PageState, use_session};
use crate::components::{Alert, TextField};

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    session.state.set(PageState::Ready);
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let navigate = use_navigate();
    // Already logged in (a host-given token, or a second visit): nothing to do here.
    if session.api.logged_in() {
        let to = session
            .after_login
            .get_untracked()
            .unwrap_or_else(|| "/backends".to_owned());
        let go = navigate.clone();
        request_animation_frame(move || go(&to, Default::default()));
    }

    let login = Action::new_local(move |(user, pass): &(String, String)| {
        let (user, pass) = (user.clone(), pass.clone());
        async move { session.api.login(user, pass).await }
    });
    Effect::new(move || {
        if let Some(Ok(answer)) = login.value().get() {
            password.set(String::new());
            session.user.set(Some(answer.user));
            let to = session
                .after_login
                .get_untracked()
                .filter(|p| !p.ends_with("/login"))
                .unwrap_or_else(|| "/backends".to_owned());
            session.after_login.set(None);
            navigate(&to, Default::default());
        }
    });
    let error = move || match login.value().get() {
        Some(Err(e)) => Some(e.message()),
        _ => None,
    };

    view! {
        <section class="sbc-page sbc-login">
            <h1>"Log in to the controller"</h1>
            <form
                class="sbc-form"
                data-testid="login-form"
                on:submit=move |ev| {
                    ev.prevent_default();
                    login.dispatch((username.get_untracked(), password.get_untracked()));
                }
            >
                {move || error().map(|m| view! { <Alert message=m /> })}
                <TextField
                    id="sbc-login-username"
                    label="User name"
                    testid="login-username"
                    value=username
                    required=true
                    autocomplete="username"
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
                <button
                    type="submit"
                    class="sbc-button sbc-button--primary"
                    data-testid="login-submit"
                    prop:disabled=move || login.pending().get()
                >
                    {move || if login.pending().get() { "Logging in…" } else { "Log in" }}
                </button>
            </form>
        </section>
    }
}
