//! `/backends/{name}`: one backend: its facts and status, its config (sensitive keys as set / not
//! set; a superuser can reveal them for 30 seconds), the models that use it, token rotation,
//! "Check now", its audit entries, and removal. What the controller does not offer (rotation
//! times, the audit trail, which models use it) is replaced by the reason.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::components::A;
use secret_backends_api::{Config, EventKind, SecretBackend};

use super::backend_dialogs::{RemoveDialog, RotateDialog};
use super::load_by_name;
use crate::api::Tagged;
use crate::components::{
    ActionButton, Ago, Alert, Badge, BusyButton, ConfigView, ExportPanel, Fact, Loaded, NotOffered,
    StatusCell,
};
use crate::controller::{Capability, use_controller};
use crate::routes::Route;
use crate::session::use_session;
use crate::time::{exact_time, now_ms};

/// How long revealed values stay on screen.
pub const REVEAL_FOR: Duration = Duration::from_secs(30);

#[component]
pub fn BackendPage() -> impl IntoView {
    let session = use_session();
    let (name, backend) = load_by_name(move |name| {
        // Fetched again on every change the feed reports.
        session.changes.track();
        async move { session.api.backend_get(&name).await }
    });
    let back = move || {
        view! {
            <p>
                <A href=session.href(&Route::Backends)>"Back to the backends"</A>
            </p>
        }
    };
    view! {
        <section class="sbc-page" data-testid="backend-page">
            <Loaded
                resource=backend
                label="Loading the backend…"
                error_heading=name
                error_footer=back
                let:tagged
            >
                <BackendDetail backend=tagged refetch=Callback::new(move |()| backend.refetch()) />
            </Loaded>
        </section>
    }
}

#[component]
fn BackendDetail(backend: Tagged<SecretBackend>, refetch: Callback<()>) -> impl IntoView {
    let session = use_session();
    let rotation_times = use_controller().offers(Capability::RotationTimes);
    let Tagged { value: b, etag } = backend;
    let name = StoredValue::new(b.name.clone());
    let manageable = !b.built_in;
    let confirming = RwSignal::new(false);
    let confirming_rotation = RwSignal::new(false);
    let remove_button = NodeRef::<leptos::html::Button>::new();
    let rotate_button = NodeRef::<leptos::html::Button>::new();
    let revealed = RwSignal::new(None::<Config>);

    let check = Action::new_local(move |_: &()| async move {
        session.api.backend_check(&name.get_value()).await
    });
    let rotate = Action::new_local(move |_: &()| async move {
        session.api.backend_rotate_token(&name.get_value()).await
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

    let rotation = b.token_rotate_interval.clone();
    let interval = StoredValue::new(b.token_rotate_interval.clone().unwrap_or_default());
    let edit_href = session.href(&Route::EditBackend(b.name.clone()));
    let has_sensitive = !b.sensitive_set.is_empty();
    let secrets = b.secrets;
    let remove_models = b.models.clone();
    let config_source = StoredValue::new(b.clone());
    view! {
        <div class="sbc-toolbar">
            <h1 data-testid="backend-name">{b.name.clone()}</h1>
            <div class="sbc-actions">
                // A built-in backend is always available: there is nothing to check.
                <Show when=move || manageable>
                    <ActionButton
                        testid="check-now"
                        label="Check now"
                        busy_label="Checking…"
                        action=check
                    />
                </Show>
                <Show when=move || manageable && session.is_superuser()>
                    <A
                        href=edit_href.clone()
                        attr:class="sbc-button"
                        attr:data-testid="edit-backend"
                    >
                        "Edit"
                    </A>
                    <button
                        type="button"
                        class="sbc-button sbc-button--danger"
                        data-testid="remove-backend"
                        node_ref=remove_button
                        on:click=move |_| confirming.set(true)
                    >
                        "Remove"
                    </button>
                </Show>
            </div>
        </div>
        {move || action_error().map(|m| view! { <Alert message=m /> })}
        <BackendFacts backend=config_source.get_value() />

        <Show when=move || manageable>
            <h2>"Token rotation"</h2>
            <RotationFacts backend=config_source.get_value() times=rotation_times />
            {(!rotation_times)
                .then(|| view! { <NotOffered capability=Capability::RotationTimes /> })}
            <Show when={
                let has_interval = rotation.is_some();
                move || has_interval && rotation_times && session.is_superuser()
            }>
                <BusyButton
                    testid="rotate-now"
                    label="Rotate now"
                    busy_label="Rotating…"
                    busy=rotate.pending()
                    node_ref=rotate_button
                    on_click=Callback::new(move |()| confirming_rotation.set(true))
                />
            </Show>
        </Show>
        <Show when=move || confirming_rotation.get()>
            <RotateDialog
                name=name.get_value()
                interval=interval.get_value()
                opener=rotate_button
                on_confirm=Callback::new(move |()| {
                    confirming_rotation.set(false);
                    rotate.dispatch(());
                })
                on_cancel=Callback::new(move |()| confirming_rotation.set(false))
            />
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
                opener=remove_button
                on_cancel=Callback::new(move |()| confirming.set(false))
            />
        </Show>
    }
}

/// Fetches the sensitive values (audited by the service) and hides them again after
/// [`REVEAL_FOR`], or when the page goes away (they live only in this component's signal). A
/// countdown says how long they stay.
#[component]
fn RevealButton(name: String, revealed: RwSignal<Option<Config>>) -> impl IntoView {
    let session = use_session();
    let name = StoredValue::new(name);
    let reveal = Action::new_local(move |_: &()| async move {
        session.api.backend_reveal(&name.get_value()).await
    });
    // When the values go (ms since the epoch), and the clock the countdown reads.
    let hide_at = RwSignal::new(0.0_f64);
    let now = RwSignal::new(now_ms());
    let ticker = StoredValue::new(None::<IntervalHandle>);
    let stop = move || {
        if let Some(t) = ticker.try_get_value().flatten() {
            t.clear();
        }
        ticker.try_set_value(None);
    };
    let hide = move || {
        revealed.try_set(None);
        stop();
    };
    Effect::new(move || {
        if let Some(Ok(b)) = reveal.value().get() {
            revealed.set(Some(b.config));
            reveal.value().set(None);
            stop();
            let start = now_ms();
            now.set(start);
            hide_at.set(start + REVEAL_FOR.as_millis() as f64);
            // Several ticks a second, so that the shown second never lags by a whole one.
            let handle = set_interval_with_handle(
                move || {
                    let t = now_ms();
                    now.try_set(t);
                    if hide_at.try_get_untracked().is_none_or(|at| t >= at) {
                        hide();
                    }
                },
                Duration::from_millis(250),
            );
            ticker.set_value(handle.ok());
        }
    });
    on_cleanup(stop);
    let seconds_left = move || reveal_seconds_left(hide_at.get(), now.get());
    let error = move || match reveal.value().get() {
        Some(Err(e)) => Some(e.message()),
        _ => None,
    };
    // One element, so that the header's layout keeps the button at its end whatever is shown.
    view! {
        <div class="sbc-reveal">
            {move || {
                if revealed.with(Option::is_some) {
                    view! {
                        <span class="sbc-muted" role="timer" data-testid="reveal-countdown">
                            {move || format!("Hidden in {} s", seconds_left())}
                        </span>
                        <span class="sbc-visually-hidden" role="status">
                            "Values shown for 30 seconds."
                        </span>
                        <button
                            type="button"
                            class="sbc-button"
                            data-testid="hide-values"
                            on:click=move |_| hide()
                        >
                            "Hide values"
                        </button>
                    }
                        .into_any()
                } else {
                    view! {
                        <ActionButton
                            testid="reveal"
                            label="Reveal values"
                            busy_label="Revealing…"
                            action=reveal
                        />
                    }
                        .into_any()
                }
            }}
        </div>
        {move || error().map(|m| view! { <Alert message=m /> })}
    }
}

/// What the backend is, how it is, and who uses it.
#[component]
fn BackendFacts(backend: SecretBackend) -> impl IntoView {
    let session = use_session();
    // Each value is a closure of its own that owns what it shows: take the fields out first.
    let backend_type = backend.backend_type.as_str();
    let built_in = backend.built_in;
    let checked = backend.checked_at.clone();
    let secrets = backend.secrets;
    let models = backend.models.clone();
    let id = backend.id.clone();
    view! {
        <dl class="sbc-facts" data-testid="backend-facts">
            <Fact term="Type" testid="backend-type">
                {backend_type}
                {built_in.then(|| view! { <Badge text="built-in" /> })}
            </Fact>
            <Fact term="Status" testid="backend-status">
                <StatusCell backend=backend />
            </Fact>
            <Fact term="Checked" testid="backend-checked">
                {match checked {
                    Some(at) => view! { <Ago at=at /> }.into_any(),
                    None => {
                        view! { {if built_in { "always available" } else { "not yet" }} }.into_any()
                    }
                }}
            </Fact>
            <Fact term="Secrets" testid="backend-secrets">
                {secrets}
            </Fact>
            <Fact term="Models" testid="backend-models">
                {if !use_controller().offers(Capability::BackendUsage) {
                    view! { <NotOffered capability=Capability::BackendUsage inline=true /> }
                        .into_any()
                } else if models.is_empty() {
                    view! { <span class="sbc-muted">"none"</span> }.into_any()
                } else {
                    models
                        .into_iter()
                        .map(|m| {
                            let href = session.href(&Route::Model(m.clone()));
                            view! {
                                <A href=href attr:class="sbc-chip">
                                    {m}
                                </A>
                                " "
                            }
                        })
                        .collect_view()
                        .into_any()
                }}
            </Fact>
            <Fact term="ID" class="sbc-mono">
                {id}
            </Fact>
        </dl>
    }
}

/// The token rotation: its interval, and, when the controller reports its `times`, when it is due
/// next and how the last one went.
#[component]
fn RotationFacts(backend: SecretBackend, times: bool) -> impl IntoView {
    let interval = backend
        .token_rotate_interval
        .unwrap_or_else(|| "off".to_owned());
    let next = backend
        .next_rotation
        .map_or_else(|| "—".to_owned(), |at| exact_time(&at));
    let last = match backend.last_rotation {
        None => "never".to_owned(),
        Some(r) => match r.error {
            None => format!("{}: succeeded", exact_time(&r.at)),
            Some(e) => format!("{}: failed: {e}", exact_time(&r.at)),
        },
    };
    view! {
        <dl class="sbc-facts" data-testid="rotation">
            <Fact term="Interval" testid="rotation-interval">
                {interval}
            </Fact>
            {times
                .then(|| {
                    view! {
                        <Fact term="Next" testid="rotation-next">
                            {next}
                        </Fact>
                        <Fact term="Last" testid="rotation-last">
                            {last}
                        </Fact>
                    }
                })}
        </dl>
    }
}

/// Whole seconds until `hide_at` (ms), rounded up: "Hidden in 30 s" just after the reveal.
pub(crate) fn reveal_seconds_left(hide_at: f64, now: f64) -> u64 {
    ((hide_at - now) / 1000.0).ceil().max(0.0) as u64
}

/// The last audit entries of this backend; why there are none when the controller keeps no
/// audit trail the service can read.
#[component]
fn AuditEntries(backend: String) -> impl IntoView {
    let session = use_session();
    if !use_controller().offers(Capability::Audit) {
        return view! {
            <h2>"Audit"</h2>
            <NotOffered capability=Capability::Audit />
        }
        .into_any();
    }
    let backend = StoredValue::new(backend);
    let entries = LocalResource::new(move || {
        session.changes.track();
        async move { session.api.audit_list(Some(&backend.get_value()), 20).await }
    });
    view! {
        <h2>"Audit"</h2>
        <Loaded
            resource=entries
            label="Loading the audit entries…"
            report=false
            retry=false
            let:list
        >
            {if list.is_empty() {
                view! { <p class="sbc-muted">"No entries."</p> }.into_any()
            } else {
                view! {
                    <ul class="sbc-audit" data-testid="backend-audit">
                        {list
                            .into_iter()
                            .map(|e| {
                                view! {
                                    <li class="sbc-audit__entry" data-testid="audit-entry">
                                        <Ago at=e.at />
                                        " "
                                        <strong>{e.user}</strong>
                                        " "
                                        {e.action}
                                        {(!e.keys.is_empty())
                                            .then(|| format!(" ({})", e.keys.join(", ")))}
                                        {e.detail.map(|d| format!(": {d}"))}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </Loaded>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::*;

    use super::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn the_countdown_rounds_up_and_stops_at_zero() {
        assert_eq!(reveal_seconds_left(30_000.0, 0.0), 30);
        assert_eq!(reveal_seconds_left(30_000.0, 2_500.0), 28);
        assert_eq!(reveal_seconds_left(30_000.0, 29_999.0), 1);
        assert_eq!(reveal_seconds_left(30_000.0, 31_000.0), 0);
    }
}
