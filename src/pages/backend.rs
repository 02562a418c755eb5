//! `/backends/{name}`: one backend, its config (sensitive keys as set / not set) and removal.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use secret_backends_api::SecretBackend;

use crate::api::Tagged;
use crate::app::use_session;
use crate::components::{Alert, ConfigView, Progress, StatusCell};

#[component]
pub fn BackendPage() -> impl IntoView {
    let session = use_session();
    let params = use_params_map();
    let name = Memo::new(move |_| params.read().get("name").unwrap_or_default());
    let backend = LocalResource::new(move || {
        let name = name.get();
        async move { session.api.backend(&name).await }
    });
    Effect::new(move || session.report(backend.get().as_ref()));

    view! {
        <section class="sbc-page" data-testid="backend-page">
            {move || match backend.get() {
                None => view! { <Progress label="Loading the backend…" /> }.into_any(),
                Some(Err(e)) => view! {
                    <h1>{name.get()}</h1>
                    <Alert message=e.message() retry=Callback::new(move |()| backend.refetch()) />
                }.into_any(),
                Some(Ok(tagged)) => view! { <BackendDetail backend=tagged /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn BackendDetail(backend: Tagged<SecretBackend>) -> impl IntoView {
    let session = use_session();
    let Tagged { value: b, etag } = backend;
    let removable = !b.built_in;
    let confirming = RwSignal::new(false);
    let checked = b.checked_at.clone().unwrap_or_else(|| "never".to_owned());
    let rotate = b
        .token_rotate_interval
        .clone()
        .unwrap_or_else(|| "off".to_owned());
    view! {
        <div class="sbc-toolbar">
            <h1 data-testid="backend-name">{b.name.clone()}</h1>
            <Show when=move || removable && session.is_superuser()>
                <button
                    type="button"
                    class="sbc-button sbc-button--danger"
                    data-testid="remove-backend"
                    on:click=move |_| confirming.set(true)
                >
                    "Remove"
                </button>
            </Show>
        </div>
        <dl class="sbc-facts" data-testid="backend-facts">
            <div><dt>"Type"</dt><dd data-testid="backend-type">{b.backend_type.as_str()}
                {b.built_in.then(|| view! { " " <span class="sbc-badge">"built-in"</span> })}</dd></div>
            <div><dt>"Status"</dt><dd data-testid="backend-status"><StatusCell backend=b.clone() /></dd></div>
            <div><dt>"Checked"</dt><dd>{checked}</dd></div>
            <div><dt>"Secrets"</dt><dd>{b.secrets}</dd></div>
            <div><dt>"Token rotation"</dt><dd>{rotate}</dd></div>
            <div><dt>"ID"</dt><dd class="sbc-mono">{b.id.clone()}</dd></div>
        </dl>
        <h2>"Configuration"</h2>
        <ConfigView backend=b.clone() />
        <Show when=move || confirming.get()>
            <RemoveDialog name=b.name.clone() etag=etag.clone() on_cancel=Callback::new(move |()| confirming.set(false)) />
        </Show>
    }
}

/// Asks the admin to type the backend's name before removing it.
#[component]
fn RemoveDialog(name: String, etag: Option<String>, on_cancel: Callback<()>) -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let typed = RwSignal::new(String::new());
    let expected = name.clone();
    let matches = move || typed.get() == expected;
    let remove = Action::new_local(move |(name, etag): &(String, Option<String>)| {
        let (name, etag) = (name.clone(), etag.clone());
        async move {
            session
                .api
                .remove_backend(&name, false, etag.as_deref())
                .await
        }
    });
    Effect::new(move || {
        if let Some(Ok(())) = remove.value().get() {
            navigate("/backends", Default::default());
        }
    });
    let error = move || match remove.value().get() {
        Some(Err(e)) => Some(e.message()),
        _ => None,
    };
    let title_id = "sbc-remove-title";
    let submit_name = name.clone();
    view! {
        <div class="sbc-dialog-backdrop">
            <div class="sbc-dialog" role="dialog" aria-modal="true" aria-labelledby=title_id data-testid="remove-dialog">
                <h2 id=title_id>"Remove " {name.clone()} "?"</h2>
                <p>"The controller forgets this backend. Models can no longer store secrets in it."</p>
                <form on:submit=move |ev| {
                    ev.prevent_default();
                    remove.dispatch((submit_name.clone(), etag.clone()));
                }>
                    {move || error().map(|m| view! { <Alert message=m /> })}
                    <div class="sbc-field">
                        <label for="sbc-remove-confirm">"Type " <strong>{name.clone()}</strong> " to confirm"</label>
                        <input
                            id="sbc-remove-confirm"
                            autocomplete="off"
                            data-testid="remove-confirm-input"
                            prop:value=move || typed.get()
                            on:input=move |ev| typed.set(event_target_value(&ev))
                        />
                    </div>
                    <div class="sbc-actions">
                        <button type="button" class="sbc-button" data-testid="remove-cancel" on:click=move |_| on_cancel.run(())>
                            "Cancel"
                        </button>
                        <button
                            type="submit"
                            class="sbc-button sbc-button--danger"
                            data-testid="remove-confirm"
                            prop:disabled=move || !matches() || remove.pending().get()
                        >
                            {move || if remove.pending().get() { "Removing…" } else { "Remove backend" }}
                        </button>
                    </div>
                </form>
            </div>
        </div>
    }
}
