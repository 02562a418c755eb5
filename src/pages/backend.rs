//! `/backends/{name}`: one backend: its facts and status, its config (sensitive keys as set / not
//! set; a superuser can reveal them for 30 seconds), the models that use it, token rotation,
//! "Check now", its audit entries, and removal.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use secret_backends_api::{Config, ErrorCode, EventKind, SecretBackend};

use crate::api::Tagged;
use crate::app::use_session;
use crate::commands;
use crate::components::{Alert, CommandBox, ConfigView, ExportPanel, Progress, StatusCell};
use crate::live::ago;

/// How long revealed values stay on screen.
pub const REVEAL_FOR: Duration = Duration::from_secs(30);

#[component]
pub fn BackendPage() -> impl IntoView {
    let session = use_session();
    let params = use_params_map();
    let name = Memo::new(move |_| params.read().get("name").unwrap_or_default());
    let backend = LocalResource::new(move || {
        let name = name.get();
        session.changes.track();
        async move { session.api.backend(&name).await }
    });
    Effect::new(move || session.report(backend.get().as_ref()));
    let last = RwSignal::new(None::<Tagged<SecretBackend>>);
    Effect::new(move || match backend.get() {
        Some(Ok(b)) => last.set(Some(b)),
        Some(Err(_)) => last.set(None),
        None => {}
    });

    view! {
        <section class="sbc-page" data-testid="backend-page">
            {move || match (backend.get(), last.get()) {
                (Some(Err(e)), _) => view! {
                    <h1>{name.get()}</h1>
                    <Alert message=e.message() retry=Callback::new(move |()| backend.refetch()) />
                    <p><A href=session.href("/backends")>"Back to the backends"</A></p>
                }.into_any(),
                (_, Some(tagged)) => view! {
                    <BackendDetail backend=tagged refetch=Callback::new(move |()| backend.refetch()) />
                }.into_any(),
                (_, None) => view! { <Progress label="Loading the backend…" /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn BackendDetail(backend: Tagged<SecretBackend>, refetch: Callback<()>) -> impl IntoView {
    let session = use_session();
    let Tagged { value: b, etag } = backend;
    let name = StoredValue::new(b.name.clone());
    let manageable = !b.built_in;
    let confirming = RwSignal::new(false);
    let revealed = RwSignal::new(None::<Config>);

    let check =
        Action::new_local(
            move |_: &()| async move { session.api.check_now(&name.get_value()).await },
        );
    let rotate = Action::new_local(move |_: &()| async move {
        session.api.rotate_token(&name.get_value()).await
    });
    Effect::new(move || {
        let checked = check.value().with(|v| matches!(v, Some(Ok(_))));
        let rotated = rotate.value().with(|v| matches!(v, Some(Ok(_))));
        if rotated {
            session.notify(EventKind::BackendUpdated, &name.get_value());
        }
        if checked || rotated {
            refetch.run(());
        }
    });
    let action_error = move || {
        [check.value().get(), rotate.value().get()]
            .into_iter()
            .flatten()
            .find_map(|r| r.err())
            .map(|e| e.message())
    };

    let checked = b.checked_at.clone();
    let models = b.models.clone();
    let rotation = b.token_rotate_interval.clone();
    let next_rotation = b.next_rotation.clone();
    let last_rotation = b.last_rotation.clone();
    let edit_href = session.href(&format!("/backends/{}/edit", b.name));
    let has_sensitive = !b.sensitive_set.is_empty();
    let secrets = b.secrets;
    let remove_models = b.models.clone();
    let config_source = StoredValue::new(b.clone());
    view! {
        <div class="sbc-toolbar">
            <h1 data-testid="backend-name">{b.name.clone()}</h1>
            <div class="sbc-actions">
                <button
                    type="button"
                    class="sbc-button"
                    data-testid="check-now"
                    prop:disabled=move || check.pending().get()
                    on:click=move |_| { check.dispatch(()); }
                >
                    {move || if check.pending().get() { "Checking…" } else { "Check now" }}
                </button>
                <Show when=move || manageable && session.is_superuser()>
                    <A href=edit_href.clone() attr:class="sbc-button" attr:data-testid="edit-backend">"Edit"</A>
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
        </div>
        {move || action_error().map(|m| view! { <Alert message=m /> })}
        <dl class="sbc-facts" data-testid="backend-facts">
            <div><dt>"Type"</dt><dd data-testid="backend-type">{b.backend_type.as_str()}
                {b.built_in.then(|| view! { " " <span class="sbc-badge">"built-in"</span> })}</dd></div>
            <div><dt>"Status"</dt><dd data-testid="backend-status"><StatusCell backend=b.clone() /></dd></div>
            <div><dt>"Checked"</dt><dd data-testid="backend-checked">{match checked {
                Some(at) => view! { {move || ago(&at, session.now.get())} }.into_any(),
                None => view! { {if b.built_in { "always available" } else { "not yet" }} }.into_any(),
            }}</dd></div>
            <div><dt>"Secrets"</dt><dd data-testid="backend-secrets">{b.secrets}</dd></div>
            <div><dt>"Models"</dt><dd data-testid="backend-models">{
                if models.is_empty() {
                    view! { <span class="sbc-muted">"none"</span> }.into_any()
                } else {
                    models.into_iter().map(|m| {
                        let href = session.href(&format!("/models/{m}"));
                        view! { <A href=href attr:class="sbc-chip">{m}</A> " " }
                    }).collect_view().into_any()
                }
            }</dd></div>
            <div><dt>"ID"</dt><dd class="sbc-mono">{b.id.clone()}</dd></div>
        </dl>

        <Show when=move || manageable>
            <h2>"Token rotation"</h2>
            <dl class="sbc-facts" data-testid="rotation">
                <div><dt>"Interval"</dt><dd data-testid="rotation-interval">{rotation.clone().unwrap_or_else(|| "off".to_owned())}</dd></div>
                <div><dt>"Next"</dt><dd data-testid="rotation-next">{next_rotation.clone().unwrap_or_else(|| "—".to_owned())}</dd></div>
                <div><dt>"Last"</dt><dd data-testid="rotation-last">{match last_rotation.clone() {
                    None => "never".to_owned(),
                    Some(r) => match r.error {
                        None => format!("{}: succeeded", r.at),
                        Some(e) => format!("{}: failed: {e}", r.at),
                    },
                }}</dd></div>
            </dl>
            <Show when={
                let has_interval = rotation.is_some();
                move || has_interval && session.is_superuser()
            }>
                <button
                    type="button"
                    class="sbc-button"
                    data-testid="rotate-now"
                    prop:disabled=move || rotate.pending().get()
                    on:click=move |_| { rotate.dispatch(()); }
                >
                    {move || if rotate.pending().get() { "Rotating…" } else { "Rotate now" }}
                </button>
            </Show>
        </Show>

        <div class="sbc-toolbar">
            <h2>"Configuration"</h2>
            <Show when=move || manageable && session.is_superuser() && has_sensitive>
                <RevealButton name=name.get_value() revealed=revealed />
            </Show>
        </div>
        {move || {
            let mut shown = config_source.get_value();
            if let Some(values) = revealed.get() {
                shown.config = values;
            }
            view! { <ConfigView backend=shown revealed=revealed.get().is_some() /> }
        }}

        <div class="sbc-actions sbc-actions--start">
            <ExportPanel
                backends=Signal::derive(move || vec![config_source.get_value()])
                file_stem=name.get_value()
            />
        </div>
        <Show when=move || session.is_superuser()>
            <AuditEntries backend=name.get_value() />
        </Show>
        <Show when=move || confirming.get()>
            <RemoveDialog
                name=name.get_value()
                etag=etag.clone()
                secrets=secrets
                models=remove_models.clone()
                on_cancel=Callback::new(move |()| confirming.set(false))
            />
        </Show>
    }
}

/// Fetches the sensitive values (audited by the service) and hides them again after
/// [`REVEAL_FOR`], or when the page goes away (they live only in this component's signal).
#[component]
fn RevealButton(name: String, revealed: RwSignal<Option<Config>>) -> impl IntoView {
    let session = use_session();
    let name = StoredValue::new(name);
    let reveal = Action::new_local(move |_: &()| async move {
        session.api.backend_revealed(&name.get_value()).await
    });
    let timer = StoredValue::new(None::<TimeoutHandle>);
    let hide = move || {
        revealed.set(None);
        if let Some(t) = timer.try_get_value().flatten() {
            t.clear();
        }
    };
    Effect::new(move || {
        if let Some(Ok(b)) = reveal.value().get() {
            revealed.set(Some(b.config));
            reveal.value().set(None);
            let handle = set_timeout_with_handle(
                move || revealed.try_set(None).map_or((), |_| ()),
                REVEAL_FOR,
            );
            timer.set_value(handle.ok());
        }
    });
    on_cleanup(move || {
        if let Some(t) = timer.try_get_value().flatten() {
            t.clear();
        }
    });
    let error = move || match reveal.value().get() {
        Some(Err(e)) => Some(e.message()),
        _ => None,
    };
    view! {
        {move || if revealed.with(Option::is_some) {
            view! {
                <button type="button" class="sbc-button" data-testid="hide-values" on:click=move |_| hide()>
                    "Hide values"
                </button>
                <span class="sbc-muted" role="status">" Shown for 30 seconds."</span>
            }.into_any()
        } else {
            view! {
                <button
                    type="button"
                    class="sbc-button"
                    data-testid="reveal"
                    prop:disabled=move || reveal.pending().get()
                    on:click=move |_| { reveal.dispatch(()); }
                >
                    {move || if reveal.pending().get() { "Revealing…" } else { "Reveal values" }}
                </button>
            }.into_any()
        }}
        {move || error().map(|m| view! { <Alert message=m /> })}
    }
}

/// The last audit entries of this backend.
#[component]
fn AuditEntries(backend: String) -> impl IntoView {
    let session = use_session();
    let backend = StoredValue::new(backend);
    let entries = LocalResource::new(move || {
        session.changes.track();
        async move { session.api.audit(Some(&backend.get_value()), 20).await }
    });
    view! {
        <h2>"Audit"</h2>
        {move || match entries.get() {
            None => view! { <Progress label="Loading the audit entries…" /> }.into_any(),
            Some(Err(e)) => view! { <Alert message=e.message() /> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! { <p class="sbc-muted">"No entries."</p> }.into_any(),
            Some(Ok(list)) => view! {
                <ul class="sbc-audit" data-testid="backend-audit">
                    {list.into_iter().map(|e| view! {
                        <li data-testid="audit-entry">
                            <span class="sbc-mono">{e.at}</span>" "
                            <strong>{e.user}</strong>" "
                            {e.action}
                            {(!e.keys.is_empty()).then(|| format!(" ({})", e.keys.join(", ")))}
                            {e.detail.map(|d| format!(": {d}"))}
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any(),
        }}
    }
}

/// Asks the admin to type the backend's name before removing it; explains what force does when
/// the backend holds secrets.
#[component]
fn RemoveDialog(
    name: String,
    etag: Option<String>,
    secrets: u64,
    models: Vec<String>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let typed = RwSignal::new(String::new());
    let force = RwSignal::new(false);
    let expected = name.clone();
    let expected_name = name.clone();
    let matches = move || typed.get() == expected;
    let remove = Action::new_local(
        move |(name, etag, force): &(String, Option<String>, bool)| {
            let (name, etag, force) = (name.clone(), etag.clone(), *force);
            async move {
                session
                    .api
                    .remove_backend(&name, force, etag.as_deref())
                    .await
            }
        },
    );
    Effect::new(move || {
        if let Some(Ok(())) = remove.value().get() {
            session.notify(EventKind::BackendRemoved, &expected_name);
            navigate("/backends", Default::default());
        }
    });
    let error = move || match remove.value().get() {
        Some(Err(e)) => Some((e.message(), e.code())),
        _ => None,
    };
    let title_id = "sbc-remove-title";
    let submit_name = name.clone();
    let holds = secrets > 0;
    let model_list = if models.is_empty() {
        "no model uses it now".to_owned()
    } else {
        format!("models using it: {}", models.join(", "))
    };
    view! {
        <div class="sbc-dialog-backdrop">
            <div class="sbc-dialog" role="dialog" aria-modal="true" aria-labelledby=title_id data-testid="remove-dialog">
                <h2 id=title_id>"Remove " {name.clone()} "?"</h2>
                <p>"The controller forgets this backend."</p>
                {holds.then(|| view! {
                    <div class="sbc-warning" data-testid="remove-in-use">
                        <p>{format!("It holds {secrets} secrets ({model_list}). Juju refuses to remove a backend that holds secret content.")}</p>
                        <label class="sbc-check">
                            <input type="checkbox" data-testid="remove-force"
                                prop:checked=move || force.get()
                                on:change=move |ev| force.set(event_target_checked(&ev)) />
                            " Remove anyway (force): models that use it go back to "<code>"auto"</code>
                            ", and the secret content it holds is no longer reachable through the controller."
                        </label>
                    </div>
                })}
                <form on:submit=move |ev| {
                    ev.prevent_default();
                    remove.dispatch((submit_name.clone(), etag.clone(), force.get_untracked()));
                }>
                    {move || error().map(|(m, code)| {
                        let hint = match code {
                            Some(ErrorCode::InUse) => Some("Tick \"Remove anyway\" to force it."),
                            Some(ErrorCode::Conflict) => Some("Close this dialog and reload the page."),
                            _ => None,
                        };
                        let message = match hint {
                            Some(hint) => format!("{m}. {hint}"),
                            None => m,
                        };
                        view! { <Alert message=message /> }
                    })}
                    <div class="sbc-field">
                        <label for="sbc-remove-confirm">"Type " <strong>{name.clone()}</strong> " to confirm"</label>
                        <input
                            id="sbc-remove-confirm"
                            class="sbc-input"
                            autocomplete="off"
                            data-testid="remove-confirm-input"
                            prop:value=move || typed.get()
                            on:input=move |ev| typed.set(event_target_value(&ev))
                        />
                    </div>
                    <CommandBox
                        command=Signal::derive({
                            let name = name.clone();
                            move || commands::remove_command(&name, force.get())
                        })
                        testid="remove-command"
                    />
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
