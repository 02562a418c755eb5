//! The picker that sets a model's secret backend: a `<select>` of `auto`, every user backend with
//! its status, and `internal`; the equivalent `juju` commands (3.x and 4.x); and the outcome (a
//! backend that does not answer can be set anyway, a stale model offers a reload).

use leptos::prelude::*;
use secret_backends_api::{
    AUTO_BACKEND, EventKind, INTERNAL_BACKEND, Model, SecretBackend, SetModelBackendRequest,
};

use crate::api::Tagged;
use crate::commands::model_commands;
use crate::components::{CopyButton, Offer, Progress, Refusal, command_words, copy_text};
use crate::session::use_session;

/// What the set-backend action sends: the backend, whether to skip the ping, the model's ETag.
#[derive(Debug, Clone)]
struct SetBackend {
    model: String,
    backend: String,
    force: bool,
    etag: Option<String>,
}

/// A `<select>` of `auto`, every user backend with its status, and `internal`; the command it
/// amounts to; and the outcome of setting it (ping refusals offer to set it anyway, stale models
/// offer a reload).
#[component]
pub fn ModelBackendPicker(
    /// The model's name.
    model_name: String,
    /// The model as last loaded (its setting and ETag).
    model: Memo<Option<Tagged<Model>>>,
    /// Every backend of the controller; the built-ins are left out except `internal`.
    backends: Vec<SecretBackend>,
    /// Called when the backend was set, or the admin asks for a reload.
    on_changed: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    // The admin's choice; until there is one, the model's own setting.
    let chosen = RwSignal::new(None::<String>);
    let setting = move || {
        model.with(|m| {
            m.as_ref()
                .map(|t| t.value.secret_backend.clone())
                .unwrap_or_else(|| AUTO_BACKEND.to_owned())
        })
    };
    let selected = Signal::derive(move || chosen.get().unwrap_or_else(setting));
    // The last request sent, for "Set anyway" and the outcome's wording.
    let sent = RwSignal::new(None::<SetBackend>);

    let set = Action::new_local(move |request: &SetBackend| {
        let request = request.clone();
        async move {
            let body = SetModelBackendRequest {
                secret_backend: request.backend.clone(),
                force: request.force,
            };
            session
                .api
                .model_set_backend(&request.model, &body, request.etag.as_deref())
                .await
        }
    });
    Effect::new(move || {
        if let Some(Ok(model)) = set.value().get() {
            session.notify(EventKind::ModelUpdated, &model.value.name);
            on_changed.run(());
        }
    });
    let pending = set.pending();
    let send_model = model_name.clone();
    let send = move |force: bool| {
        let backend = if force {
            sent.get_untracked()
                .map(|s| s.backend)
                .unwrap_or_else(|| selected.get_untracked())
        } else {
            selected.get_untracked()
        };
        let request = SetBackend {
            model: send_model.clone(),
            backend,
            force,
            etag: model.with_untracked(|m| m.as_ref().and_then(|t| t.etag.clone())),
        };
        sent.set(Some(request.clone()));
        set.dispatch(request);
    };
    let send_force = send.clone();

    let mut choices: Vec<(String, String)> =
        vec![(AUTO_BACKEND.to_owned(), AUTO_BACKEND.to_owned())];
    choices.extend(backends.iter().filter(|b| !b.built_in).map(|b| {
        (
            b.name.clone(),
            format!("{} ({})", b.name, b.short_status_text()),
        )
    }));
    choices.push((INTERNAL_BACKEND.to_owned(), INTERNAL_BACKEND.to_owned()));
    // A setting naming a backend that is gone still shows as what it is.
    let stored = setting();
    if !choices.iter().any(|(value, _)| *value == stored) {
        choices.push((stored.clone(), format!("{stored} (not found)")));
    }
    let options = choices
        .into_iter()
        .map(|(value, text)| {
            let is = value.clone();
            view! {
                <option value=value prop:selected=move || selected.with(|s| *s == is)>
                    {text}
                </option>
            }
        })
        .collect_view();

    let command_model = model_name.clone();
    let commands = Signal::derive(move || model_commands(&command_model, &selected.get()));
    // A forced change (sent, or just done) has no CLI equivalent: the CLI always pings.
    let forced = Signal::derive(move || {
        sent.with(|s| s.as_ref().is_some_and(|s| s.force))
            && (pending.get() || matches!(set.value().get(), Some(Ok(_))))
    });

    let outcome = move || {
        if pending.get() {
            let waiting = match sent.get() {
                Some(SetBackend {
                    force: true,
                    backend,
                    ..
                }) => format!("Setting {backend}…"),
                Some(SetBackend { backend, .. }) => {
                    format!("Checking that {backend} answers, then setting it…")
                }
                None => "Setting the backend…".to_owned(),
            };
            return view! { <Progress label=waiting /> }.into_any();
        }
        match set.value().get() {
            None => ().into_any(),
            Some(Ok(tagged)) => {
                let forced = sent.with(|s| s.as_ref().is_some_and(|s| s.force));
                view! {
                    <p class="sbc-hint" role="status" data-testid="set-backend-done">
                        {format!(
                            "The model's backend is now {}: new secret revisions go to {} at once. \
                             Existing ones are read from their old backend while it is draining, \
                             and moved over in the background.",
                            tagged.value.secret_backend,
                            tagged.value.effective_backend,
                        )}
                        {forced
                            .then_some(
                                " It was set without a ping: new secrets will fail to be stored \
                                 until the backend answers.",
                            )}
                    </p>
                }
                .into_any()
            }
            Some(Err(e)) => {
                let send_force = send_force.clone();
                let force = Offer {
                    testid: "set-backend-unreachable",
                    note: "The backend did not answer the controller's ping. You can set it \
                        anyway: the model switches to it now, and new secrets will fail to be \
                        stored until the backend answers. Existing secrets stay where they are \
                        until then. The juju CLI has no equivalent of setting it anyway.",
                    button_testid: "set-backend-force",
                    button: "Set anyway",
                    run: Callback::new(move |()| send_force(true)),
                };
                let reload = Offer {
                    testid: "set-backend-conflict",
                    note: "Someone else changed this model since this page loaded it. Reload it to \
                        see their change; your choice is kept.",
                    button_testid: "reload",
                    button: "Reload",
                    run: Callback::new(move |()| {
                        set.clear();
                        on_changed.run(());
                    }),
                };
                let force = Some(force);
                view! { <Refusal error=e whole_message=WHOLE_MESSAGE force=force reload=reload /> }
                    .into_any()
            }
        }
    };

    view! {
        <form
            class="sbc-form"
            data-testid="model-backend-form"
            aria-labelledby="sbc-model-picker-title"
            on:submit=move |ev| {
                ev.prevent_default();
                send(false);
            }
        >
            <div class="sbc-field">
                <label for="sbc-model-backend">"Secret backend"</label>
                <select
                    id="sbc-model-backend"
                    class="sbc-input"
                    data-testid="backend-picker"
                    aria-describedby="sbc-model-backend-hint"
                    on:change=move |ev| {
                        chosen.set(Some(event_target_value(&ev)));
                        set.clear();
                    }
                >
                    {options}
                </select>
                <p class="sbc-hint" id="sbc-model-backend-hint">
                    "auto: internal for IaaS models, the model's own Kubernetes backend for CaaS \
                     models. The controller pings the chosen backend first. New secret revisions \
                     then go to it at once; existing ones are read from the old backend while it \
                     is draining, and moved over in the background."
                </p>
            </div>
            <ModelCommands commands=commands forced=forced />
            <div class="sbc-actions">
                <button
                    type="submit"
                    class="sbc-button sbc-button--primary"
                    data-testid="set-backend"
                    prop:disabled=move || pending.get()
                >
                    {move || if pending.get() { "Setting backend…" } else { "Set backend" }}
                </button>
            </div>
            <div aria-live="polite">{outcome}</div>
        </form>
    }
}

/// The `data-testid` of a refusal's whole message (the service's own words, in full).
const WHOLE_MESSAGE: &str = "set-backend-message";

/// The equivalent `juju` commands, one per Juju version and labelled with it (3.x sets the model
/// config key, 4.x has a command of its own), each with a "Copy" button; for a forced change, a
/// sentence saying that the CLI has none.
#[component]
fn ModelCommands(
    /// `(label, command)` pairs, as [`model_commands`] gives them.
    commands: Signal<Vec<(&'static str, String)>>,
    /// Whether the change is forced.
    forced: Signal<bool>,
) -> impl IntoView {
    // The label of the command last copied; cleared by the next click.
    let copied = RwSignal::new(None::<&'static str>);
    let variants = move || {
        commands
            .get()
            .into_iter()
            .map(|(label, command)| {
                let slug = version_slug(label);
                let testid = format!("model-command-{slug}");
                let label_id = format!("sbc-model-command-{slug}");
                let text = command.clone();
                let copy = Callback::new(move |()| {
                    copied.set(None);
                    copy_text(&text, move || {
                        copied.try_set(Some(label));
                    });
                });
                view! {
                    <div class="sbc-command__variant">
                        <p class="sbc-command__label" id=label_id.clone()>
                            {label}
                        </p>
                        // Focusable: it scrolls sideways when a word is wider than the box.
                        <pre class="sbc-command__pre" tabindex="0" aria-labelledby=label_id>
                            <code class="sbc-command__code" data-testid=testid.clone()>
                                {command_words(&command)}
                            </code>
                        </pre>
                        <CopyButton
                            testid=format!("{testid}-copy")
                            what=format!(" the {label} command")
                            copied=Signal::derive(move || copied.get() == Some(label))
                            on_copy=copy
                        />
                    </div>
                }
            })
            .collect_view()
    };
    view! {
        <section
            class="sbc-command"
            aria-labelledby="sbc-model-command-title"
            data-testid="model-command-box"
        >
            <h3 class="sbc-command__title" id="sbc-model-command-title">
                "Equivalent juju command"
            </h3>
            {move || {
                if forced.get() {
                    view! {
                        <p data-testid="model-command-forced">
                            "None: the juju CLI has no equivalent of a forced change ("
                            <code>"juju model-config"</code>" and "
                            <code>"juju model-secret-backend"</code> " have no "
                            <code>"--force"</code>")."
                        </p>
                    }
                        .into_any()
                } else {
                    view! {
                        <div class="sbc-command__variants" data-testid="model-command">
                            {variants}
                        </div>
                    }
                        .into_any()
                }
            }}
            <span class="sbc-visually-hidden" role="status" data-testid="model-command-status">
                {move || {
                    copied
                        .get()
                        .map(|label| format!("The {label} command is copied to the clipboard"))
                }}
            </span>
        </section>
    }
}

/// `Juju 3.x` → `3x`, for test ids and element ids.
fn version_slug(label: &str) -> String {
    label
        .trim_start_matches("Juju ")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}
