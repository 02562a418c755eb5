//! The backend page's two confirmations: rotating the token now, and removing the backend
//! (typing its name; force when it holds secrets).

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use leptos_router::location::State;
use secret_backends_api::{ErrorCode, EventKind, GoDuration};

use crate::commands;
use crate::components::{Alert, BusyButton, Button, CommandBox, Modal};
use crate::controller::{Capability, use_controller};
use crate::listing::count;
use crate::routes::Route;
use crate::session::use_session;
use crate::time::{exact_time, now_ms};

/// Asks before rotating: a rotation replaces the token now and moves the next one.
#[component]
pub(super) fn RotateDialog(
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
        let at = exact_time(&String::from(at.to_iso_string()));
        format!(
            "The next rotation then falls {next} after it, about {at} (three quarters of the \
             {interval} interval, at most a day)."
        )
    });
    let validity = (!interval.is_empty()).then(|| format!(", valid for {interval},"));
    view! {
        <Modal
            testid="rotate-dialog"
            title_id="sbc-rotate-title"
            initial_focus="[data-testid=\"rotate-cancel\"]"
            opener=opener
            on_cancel=on_cancel
        >
            <h2 id="sbc-rotate-title">"Rotate the token of " {name} " now?"</h2>
            <p>
                "The controller creates a new token" {validity}
                " and uses it in place of the current one from now on."
            </p>
            <p data-testid="rotate-next-after">{next}</p>
            <div class="sbc-actions">
                <Button testid="rotate-cancel" on_click=on_cancel>
                    "Cancel"
                </Button>
                <button
                    type="button"
                    class="sbc-button sbc-button--primary"
                    data-testid="rotate-confirm"
                    on:click=move |_| on_confirm.run(())
                >
                    "Rotate now"
                </button>
            </div>
        </Modal>
    }
}

/// Asks the admin to type the backend's name before removing it; explains what force does when
/// the backend holds secrets.
#[component]
pub(super) fn RemoveDialog(
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
                    .backend_remove(&name, force, etag.as_deref())
                    .await
            }
        },
    );
    Effect::new(move || {
        if let Some(Ok(outcome)) = remove.value().get() {
            session.notify(EventKind::BackendRemoved, &expected_name);
            // What a forced removal could not move goes along to the list, which says so.
            let left_behind = outcome
                .and_then(|removed| serde_json::to_string(&removed).ok())
                .map(wasm_bindgen::JsValue::from);
            let options = NavigateOptions {
                state: State::new(left_behind),
                ..Default::default()
            };
            navigate(&Route::Backends.path(), options);
        }
    });
    let error = move || match remove.value().get() {
        Some(Err(e)) => Some((e.message(), e.code())),
        _ => None,
    };
    let title_id = "sbc-remove-title";
    let submit_name = name.clone();
    let holds = secrets > 0;
    // A controller that does not say which models use a backend: no list to give.
    let model_list = if !use_controller().offers(Capability::BackendUsage) {
        String::new()
    } else if models.is_empty() {
        " (no model uses it now)".to_owned()
    } else {
        format!(" (models using it: {})", models.join(", "))
    };
    let held = count(secrets, "secret", "secrets");
    view! {
        <Modal
            testid="remove-dialog"
            title_id=title_id
            initial_focus="[data-testid=\"remove-confirm-input\"]"
            opener=opener
            on_cancel=on_cancel
        >
            <h2 id=title_id>"Remove " {name.clone()} "?"</h2>
            <p>"The controller forgets this backend."</p>
            {holds
                .then(|| {
                    view! {
                        <div class="sbc-warning" data-testid="remove-in-use">
                            <p>
                                {format!(
                                    "It holds {held}{model_list}. Juju refuses to remove a \
                                     backend that holds secret content.",
                                )}
                            </p>
                            <label class="sbc-check-text">
                                <input
                                    type="checkbox"
                                    data-testid="remove-force"
                                    prop:checked=move || force.get()
                                    on:change=move |ev| force.set(event_target_checked(&ev))
                                />
                                " Remove anyway (force): models that use it go back to "
                                <code>"auto"</code>
                                ", and the secret content it holds first moves to the backend \
                                 each model uses then. Content that cannot be moved, because the \
                                 backend does not answer, is no longer reachable through the \
                                 controller: the list names it."
                            </label>
                        </div>
                    }
                })}
            <form on:submit=move |ev| {
                ev.prevent_default();
                remove.dispatch((submit_name.clone(), etag.clone(), force.get_untracked()));
            }>
                {move || {
                    error()
                        .map(|(m, code)| {
                            let hint = match code {
                                Some(ErrorCode::InUse) => {
                                    Some("Tick \"Remove anyway\" to force it.")
                                }
                                Some(ErrorCode::Conflict) => {
                                    Some("Close this dialog and reload the page.")
                                }
                                _ => None,
                            };
                            let message = match hint {
                                Some(hint) => format!("{m}. {hint}"),
                                None => m,
                            };
                            view! { <Alert message=message /> }
                        })
                }} <div class="sbc-field">
                    <label for="sbc-remove-confirm">
                        "Type " <strong>{name.clone()}</strong> " to confirm"
                    </label>
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
                /> <div class="sbc-actions">
                    <Button testid="remove-cancel" on_click=on_cancel>
                        "Cancel"
                    </Button>
                    <BusyButton
                        testid="remove-confirm"
                        label="Remove backend"
                        busy_label="Removing…"
                        busy=remove.pending()
                        blocked=Signal::derive(move || !matches())
                        submit=true
                        class="sbc-button sbc-button--danger"
                    />
                </div>
            </form>
        </Modal>
    }
}

/// When the next rotation falls after a rotation now, as the service schedules it: three
/// quarters of the interval, at most a day. `None` when `interval` is not a duration.
pub(crate) fn next_rotation_after(interval: &str) -> Option<GoDuration> {
    let interval = GoDuration::parse(interval).ok().filter(|d| !d.is_zero())?;
    let three_quarters = GoDuration::from_nanos(interval.as_nanos() / 4 * 3);
    Some(three_quarters.min(GoDuration::hours(24)))
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
}
