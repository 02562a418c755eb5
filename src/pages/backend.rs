//! `/backends/{name}`: one backend: its facts and status, its config (sensitive keys as set / not
//! set; a superuser can reveal them for 30 seconds), the models that use it, token rotation,
//! "Check now", its audit entries, and removal.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use secret_backends_api::{Config, ErrorCode, EventKind, GoDuration, SecretBackend};
use wasm_bindgen::JsCast;

use super::audit::Ago;
use crate::api::Tagged;
use crate::app::use_session;
use crate::commands;
use crate::components::{Alert, CommandBox, ConfigView, ExportPanel, Progress, StatusCell};
use crate::listing::count;
use crate::live::now_ms;

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
    let confirming_rotation = RwSignal::new(false);
    let remove_button = NodeRef::<leptos::html::Button>::new();
    let rotate_button = NodeRef::<leptos::html::Button>::new();
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
    let interval = StoredValue::new(b.token_rotate_interval.clone().unwrap_or_default());
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
                // A built-in backend is always available: there is nothing to check.
                <Show when=move || manageable>
                    <button
                        type="button"
                        class="sbc-button"
                        data-testid="check-now"
                        prop:disabled=move || check.pending().get()
                        on:click=move |_| { check.dispatch(()); }
                    >
                        {move || if check.pending().get() { "Checking…" } else { "Check now" }}
                    </button>
                </Show>
                <Show when=move || manageable && session.is_superuser()>
                    <A href=edit_href.clone() attr:class="sbc-button" attr:data-testid="edit-backend">"Edit"</A>
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
        <dl class="sbc-facts" data-testid="backend-facts">
            <div><dt>"Type"</dt><dd data-testid="backend-type">{b.backend_type.as_str()}
                {b.built_in.then(|| view! { " " <span class="sbc-badge">"built-in"</span> })}</dd></div>
            <div><dt>"Status"</dt><dd data-testid="backend-status"><StatusCell backend=b.clone() /></dd></div>
            <div><dt>"Checked"</dt><dd data-testid="backend-checked">{match checked {
                Some(at) => view! { <Ago at=at /> }.into_any(),
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
                <div><dt>"Next"</dt><dd data-testid="rotation-next">{next_rotation.clone().map_or_else(
                    || "—".to_owned(),
                    |at| super::audit::exact_time(&at),
                )}</dd></div>
                <div><dt>"Last"</dt><dd data-testid="rotation-last">{match last_rotation.clone() {
                    None => "never".to_owned(),
                    Some(r) => match r.error {
                        None => format!("{}: succeeded", super::audit::exact_time(&r.at)),
                        Some(e) => format!("{}: failed: {e}", super::audit::exact_time(&r.at)),
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
                    node_ref=rotate_button
                    prop:disabled=move || rotate.pending().get()
                    on:click=move |_| confirming_rotation.set(true)
                >
                    {move || if rotate.pending().get() { "Rotating…" } else { "Rotate now" }}
                </button>
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
        session.api.backend_revealed(&name.get_value()).await
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
            {move || if revealed.with(Option::is_some) {
                view! {
                    <span class="sbc-muted" role="timer" data-testid="reveal-countdown">
                        {move || format!("Hidden in {} s", seconds_left())}
                    </span>
                    <span class="sbc-visually-hidden" role="status">"Values shown for 30 seconds."</span>
                    <button type="button" class="sbc-button" data-testid="hide-values" on:click=move |_| hide()>
                        "Hide values"
                    </button>
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
        </div>
        {move || error().map(|m| view! { <Alert message=m /> })}
    }
}

/// Whole seconds until `hide_at` (ms), rounded up: "Hidden in 30 s" just after the reveal.
pub(crate) fn reveal_seconds_left(hide_at: f64, now: f64) -> u64 {
    ((hide_at - now) / 1000.0).ceil().max(0.0) as u64
}

/// When the next rotation falls after a rotation now, as the service schedules it: three
/// quarters of the interval, at most a day. `None` when `interval` is not a duration.
pub(crate) fn next_rotation_after(interval: &str) -> Option<GoDuration> {
    let interval = GoDuration::parse(interval).ok().filter(|d| !d.is_zero())?;
    let three_quarters = GoDuration::from_nanos(interval.as_nanos() / 4 * 3);
    Some(three_quarters.min(GoDuration::hours(24)))
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
                        <li class="sbc-audit__entry" data-testid="audit-entry">
                            <Ago at=e.at />" "
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

/// What a modal dialog can take focus on.
const FOCUSABLE: &str = "a[href], button:not([disabled]), input:not([disabled]), \
    select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex=\"-1\"])";

/// A native modal `<dialog>`, shown with `showModal()` when it mounts so that the page behind it
/// is inert. It focuses the element `initial_focus` (a selector) finds inside it, keeps Tab and
/// Shift+Tab inside it, calls `on_cancel` on Escape, and gives focus back to `opener` when it
/// goes.
#[component]
fn Modal(
    testid: &'static str,
    /// The id of the element that names the dialog.
    title_id: &'static str,
    initial_focus: &'static str,
    opener: NodeRef<leptos::html::Button>,
    on_cancel: Callback<()>,
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    Effect::new(move || {
        let Some(d) = dialog.get() else { return };
        if !d.open() {
            let _ = d.show_modal();
        }
        if let Ok(Some(first)) = d.query_selector(initial_focus)
            && let Ok(first) = first.dyn_into::<web_sys::HtmlElement>()
        {
            let _ = first.focus();
        }
    });
    on_cleanup(move || {
        if let Some(d) = dialog.try_get_untracked().flatten() {
            d.close();
        }
        // Once the dialog is gone (its removal may come after this), the page is no longer inert.
        set_timeout(
            move || {
                if let Some(button) = opener.try_get_untracked().flatten() {
                    let _ = button.focus();
                }
            },
            Duration::ZERO,
        );
    });
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        if ev.key() != "Tab" {
            return;
        }
        let Some(d) = dialog.get_untracked() else {
            return;
        };
        let Ok(nodes) = d.query_selector_all(FOCUSABLE) else {
            return;
        };
        let focusable: Vec<web_sys::HtmlElement> = (0..nodes.length())
            .filter_map(|i| nodes.item(i))
            .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
            .filter(|e| e.offset_width() > 0 || e.offset_height() > 0)
            .collect();
        let (Some(first), Some(last)) = (focusable.first(), focusable.last()) else {
            return;
        };
        let active = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element());
        let at = |e: &web_sys::HtmlElement| {
            active
                .as_ref()
                .is_some_and(|a| a == e.unchecked_ref::<web_sys::Element>())
        };
        // Tab past the last control (or Shift+Tab before the first) wraps round, rather than
        // leaving for the browser's own toolbar.
        let to = if ev.shift_key() && at(first) {
            last
        } else if !ev.shift_key() && at(last) {
            first
        } else {
            return;
        };
        ev.prevent_default();
        let _ = to.focus();
    };
    view! {
        <dialog
            node_ref=dialog
            class="sbc-dialog"
            aria-labelledby=title_id
            data-testid=testid
            on:keydown=on_keydown
            on:cancel=move |ev: web_sys::Event| {
                // Escape: the page decides (it unmounts the dialog, which closes it).
                ev.prevent_default();
                on_cancel.run(());
            }
        >
            {children()}
        </dialog>
    }
}

/// Asks before rotating: a rotation replaces the token now and moves the next one.
#[component]
fn RotateDialog(
    name: String,
    interval: String,
    opener: NodeRef<leptos::html::Button>,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let next = next_rotation_after(&interval).map(|next| {
        let at = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(
            now_ms() + next.as_secs() as f64 * 1000.0,
        ));
        let at = super::audit::exact_time(&String::from(at.to_iso_string()));
        format!(
            "The next rotation then falls {next} after it, about {at} (three quarters of the \
             {interval} interval, at most a day)."
        )
    });
    let validity = (!interval.is_empty()).then(|| format!(", valid for {interval},"));
    view! {
        <Modal testid="rotate-dialog" title_id="sbc-rotate-title" initial_focus="[data-testid=\"rotate-cancel\"]"
            opener=opener on_cancel=on_cancel>
            <h2 id="sbc-rotate-title">"Rotate the token of " {name} " now?"</h2>
            <p>"The controller creates a new token" {validity}
                " and uses it in place of the current one from now on."</p>
            <p data-testid="rotate-next-after">{next}</p>
            <div class="sbc-actions">
                <button type="button" class="sbc-button" data-testid="rotate-cancel" on:click=move |_| on_cancel.run(())>
                    "Cancel"
                </button>
                <button type="button" class="sbc-button sbc-button--primary" data-testid="rotate-confirm"
                    on:click=move |_| on_confirm.run(())>
                    "Rotate now"
                </button>
            </div>
        </Modal>
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
    opener: NodeRef<leptos::html::Button>,
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
    let held = count(secrets, "secret", "secrets");
    view! {
        <Modal testid="remove-dialog" title_id=title_id initial_focus="[data-testid=\"remove-confirm-input\"]"
            opener=opener on_cancel=on_cancel>
            <h2 id=title_id>"Remove " {name.clone()} "?"</h2>
            <p>"The controller forgets this backend."</p>
            {holds.then(|| view! {
                <div class="sbc-warning" data-testid="remove-in-use">
                    <p>{format!("It holds {held} ({model_list}). Juju refuses to remove a backend that holds secret content.")}</p>
                    <label class="sbc-check-text">
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
        </Modal>
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::*;

    use super::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn the_next_rotation_is_three_quarters_of_the_interval_at_most_a_day() {
        let next = |i: &str| next_rotation_after(i).map(|d| d.to_string());
        assert_eq!(next("2h").as_deref(), Some("1h30m0s"));
        assert_eq!(next("1h").as_deref(), Some("45m0s"));
        assert_eq!(next("48h").as_deref(), Some("24h0m0s"));
        assert_eq!(next("0"), None);
        assert_eq!(next("7d"), None);
    }

    #[wasm_bindgen_test]
    fn the_countdown_rounds_up_and_stops_at_zero() {
        assert_eq!(reveal_seconds_left(30_000.0, 0.0), 30);
        assert_eq!(reveal_seconds_left(30_000.0, 2_500.0), 28);
        assert_eq!(reveal_seconds_left(30_000.0, 29_999.0), 1);
        assert_eq!(reveal_seconds_left(30_000.0, 31_000.0), 0);
    }
}
