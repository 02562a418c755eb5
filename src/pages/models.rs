//! `/models` and `/models/{name}`: each model's backend setting, its backends (active, draining)
//! with secret counts and each backend's own health, and the picker that sets the backend.
//!
//! A model's use of a backend (`active`: new revisions go there; `draining`: existing ones are
//! still read from there) and the backend's health (whether it answers the controller) are two
//! facts, shown side by side: an `active` backend that does not answer means new secrets fail.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use secret_backends_api::{
    AUTO_BACKEND, Access, BackendStatus, ErrorCode, EventKind, INTERNAL_BACKEND, Model,
    ModelAccess, ModelBackendState, ModelBackendStatus, SecretBackend, SecretInfo,
    SetModelBackendRequest, local_backend_name, short_message,
};

use crate::api::{ApiError, ApiResult, Tagged};
use crate::app::use_session;
use crate::commands::model_commands;
use crate::components::{Alert, Progress, StatusCell, command_words, copy_text};
use crate::listing::count;

/// `/models`: every model with its setting, the backend it writes to, and where its secrets are.
#[component]
pub fn ModelsPage() -> impl IntoView {
    let session = use_session();
    let models = LocalResource::new(move || async move { session.api.models().await });
    Effect::new(move || session.report(models.get().as_ref()));

    view! {
        <section class="sbc-page" data-testid="models-page">
            <h1>"Models"</h1>
            {move || match models.get() {
                None => view! { <Progress label="Loading models…" /> }.into_any(),
                Some(Err(e)) => view! {
                    <Alert message=e.message() retry=Callback::new(move |()| models.refetch()) />
                }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p class="sbc-muted" data-testid="models-empty">"No models yet."</p>
                }.into_any(),
                Some(Ok(list)) => view! { <ModelsTable models=list /> }.into_any(),
            }}
        </section>
    }
}

/// The list as a table; one row per model (`data-testid="model-row-<name>"`).
#[component]
fn ModelsTable(models: Vec<Model>) -> impl IntoView {
    let rows = models
        .into_iter()
        .map(|m| {
            let summary = backends_summary(&m);
            let href = use_session().href(&format!("/models/{}", m.name));
            let label = m.name.clone();
            view! {
                <tr data-testid=format!("model-row-{}", m.name)>
                    <th scope="row"><A href=href>{label}</A></th>
                    <td>{m.model_type.as_str()}</td>
                    <td data-testid=format!("model-setting-{}", m.name)>{m.secret_backend.clone()}</td>
                    <td data-testid=format!("model-effective-{}", m.name)>{m.effective_backend.clone()}</td>
                    <td data-testid=format!("model-backends-{}", m.name)>{summary}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="sbc-table-wrap">
            <table class="sbc-table" data-testid="models-table">
                <caption class="sbc-visually-hidden">"Models and their secret backends"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Model"</th>
                        <th scope="col">"Type"</th>
                        <th scope="col">"Setting"</th>
                        <th scope="col">"Writes to"</th>
                        <th scope="col">"Secrets by backend"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// `/models/{name}`: one model, its backends and secrets, and the backend picker.
#[component]
pub fn ModelPage() -> impl IntoView {
    let session = use_session();
    let params = use_params_map();
    let name = Memo::new(move |_| params.read().get("name").unwrap_or_default());
    let model = LocalResource::new(move || {
        let name = name.get();
        async move { session.api.model(&name).await }
    });
    let secrets = LocalResource::new(move || {
        let name = name.get();
        async move { session.api.model_secrets(&name).await }
    });
    let backends = LocalResource::new(move || async move { session.api.backends().await });
    let me = LocalResource::new(move || async move { session.api.whoami().await });

    // Ready once the model and its secrets are in; not being allowed to see the secrets is an
    // answer too.
    Effect::new(move || {
        let loaded: Option<ApiResult<()>> = match (model.get(), secrets.get()) {
            (Some(Err(e)), _) => Some(Err(e)),
            (_, Some(Err(e))) if e.code() != Some(ErrorCode::PermissionDenied) => Some(Err(e)),
            (Some(Ok(_)), Some(_)) => Some(Ok(())),
            _ => None,
        };
        session.report(loaded.as_ref());
    });

    let current = Memo::new(move |_| model.get().and_then(Result::ok));
    let may_set = Memo::new(move |_| {
        session.is_superuser()
            || me.get().and_then(Result::ok).is_some_and(|me| {
                me.access == Access::Superuser
                    || me
                        .models
                        .get(&name.get())
                        .is_some_and(|a| *a >= ModelAccess::Write)
            })
    });
    let reload = Callback::new(move |()| {
        model.refetch();
        secrets.refetch();
    });

    view! {
        <section class="sbc-page" data-testid="model-page">
            <h1 data-testid="model-name">{move || name.get()}</h1>
            {move || match model.get() {
                None => view! { <Progress label="Loading the model…" /> }.into_any(),
                Some(Err(e)) => view! {
                    <Alert message=e.message() retry=Callback::new(move |()| model.refetch()) />
                }.into_any(),
                Some(Ok(tagged)) => view! {
                    <ModelDetail
                        model=tagged.value
                        health=Signal::derive(move || backends.get().and_then(Result::ok))
                    />
                }.into_any(),
            }}
            <Show when=move || current.with(Option::is_some)>
                <h2 id="sbc-model-picker-title">"Set the secret backend"</h2>
                {move || {
                    if !may_set.get() {
                        let waiting = !session.is_superuser() && me.get().is_none();
                        return if waiting {
                            view! { <Progress label="Checking your access to the model…" /> }.into_any()
                        } else {
                            view! {
                                <p class="sbc-muted" data-testid="backend-picker-denied">
                                    "Changing this model's backend needs write access on the model."
                                </p>
                            }.into_any()
                        };
                    }
                    match backends.get() {
                        None => view! { <Progress label="Loading the backends…" /> }.into_any(),
                        Some(Err(e)) => view! {
                            <Alert message=e.message() retry=Callback::new(move |()| backends.refetch()) />
                        }.into_any(),
                        Some(Ok(list)) => view! {
                            <ModelBackendPicker
                                model_name=name.get_untracked()
                                model=current
                                backends=list
                                on_changed=reload
                            />
                        }.into_any(),
                    }
                }}
            </Show>
            <h2>"Secrets"</h2>
            {move || match secrets.get() {
                None => view! { <Progress label="Loading the model's secrets…" /> }.into_any(),
                Some(Err(e)) if e.code() == Some(ErrorCode::PermissionDenied) => view! {
                    <p class="sbc-muted" data-testid="model-secrets-denied">
                        "Seeing this model's secrets needs read access on the model."
                    </p>
                }.into_any(),
                Some(Err(e)) => view! {
                    <Alert message=e.message() retry=Callback::new(move |()| secrets.refetch()) />
                }.into_any(),
                Some(Ok(list)) => view! { <SecretsTable secrets=list /> }.into_any(),
            }}
        </section>
    }
}

/// The model's facts and the table of the backends it has content in: for each, the model's use
/// of it and its health, with a warning when a backend the model needs does not answer.
#[component]
fn ModelDetail(
    model: Model,
    /// Every backend of the controller with its last health check; `None` until loaded.
    health: Signal<Option<Vec<SecretBackend>>>,
) -> impl IntoView {
    let auto_means = match model.model_type {
        secret_backends_api::ModelType::Iaas => INTERNAL_BACKEND.to_owned(),
        secret_backends_api::ModelType::Caas => local_backend_name(&model.name),
    };
    let setting_note = (model.secret_backend == AUTO_BACKEND).then(|| {
        view! { " " <span class="sbc-muted">{format!("(the default: {auto_means})")}</span> }
    });
    let draining: Vec<String> = model
        .secret_backends
        .iter()
        .filter(|(_, s)| s.status == ModelBackendStatus::Draining)
        .map(|(n, _)| n.clone())
        .collect();
    let effective = model.effective_backend.clone();
    let backend_of = move |name: &str| {
        health.with(|list| {
            list.as_ref()
                .map(|l| l.iter().find(|b| b.name == name).cloned())
        })
    };
    let rows = ordered_backends(&model)
        .into_iter()
        .map(|(backend, state)| {
            let href = use_session().href(&format!("/backends/{backend}"));
            let name = backend.clone();
            let row_id = format!("model-backend-{backend}");
            let use_id = format!("model-backend-use-{backend}");
            let health_id = format!("model-backend-health-{backend}");
            let health_cell = move || match backend_of(&name) {
                None => view! { <span class="sbc-muted">"checking…"</span> }.into_any(),
                Some(None) => view! { <span class="sbc-muted">"not found"</span> }.into_any(),
                Some(Some(b)) => view! { <StatusCell backend=b short=true /> }.into_any(),
            };
            view! {
                <tr data-testid=row_id>
                    <th scope="row"><A href=href>{backend}</A></th>
                    <td data-testid=use_id>{state.status.as_str()}</td>
                    <td data-testid=health_id>{health_cell}</td>
                    <td class="sbc-number">{state.secrets}</td>
                </tr>
            }
        })
        .collect_view();
    // The backends this model needs that did not answer their last check.
    let needed: Vec<String> = std::iter::once(effective.clone())
        .chain(draining.iter().cloned())
        .collect();
    let writes_to = effective.clone();
    let warnings = move || {
        needed
            .iter()
            .filter_map(|name| {
                let backend = backend_of(name).flatten()?;
                (backend.status == BackendStatus::Error).then(|| {
                    let why = backend
                        .message
                        .as_deref()
                        .map(short_message)
                        .unwrap_or_else(|| "its last check failed".to_owned());
                    let consequence = if *name == writes_to {
                        "New secrets and new revisions of this model will fail to be stored until it answers the controller again."
                    } else {
                        "The model's existing secrets still in it cannot be read or moved over until it answers the controller again."
                    };
                    view! {
                        <p class="sbc-warning sbc-warning--error" data-testid=format!("model-health-warning-{name}")>
                            <strong>{format!("{name} is not healthy")}</strong>
                            {format!(" (error: {why}). {consequence}")}
                        </p>
                    }
                })
            })
            .collect_view()
    };
    view! {
        <dl class="sbc-facts" data-testid="model-facts">
            <div><dt>"Type"</dt><dd data-testid="model-type">{model.model_type.as_str()}</dd></div>
            <div>
                <dt>"Backend setting"</dt>
                <dd><span data-testid="model-setting">{model.secret_backend.clone()}</span>{setting_note}</dd>
            </div>
            <div><dt>"New secrets go to"</dt><dd data-testid="model-effective">{model.effective_backend.clone()}</dd></div>
            <div><dt>"UUID"</dt><dd class="sbc-mono">{model.uuid.clone()}</dd></div>
        </dl>
        {warnings}
        <h2>"Backends"</h2>
        <div class="sbc-table-wrap">
            <table class="sbc-table" data-testid="model-backends-table">
                <caption class="sbc-visually-hidden">
                    "Backends holding this model's secrets: the model's use of each, and its health"
                </caption>
                <thead>
                    <tr>
                        <th scope="col">"Backend"</th>
                        <th scope="col" title="active: new revisions go here; draining: existing ones are still read from here">"In use"</th>
                        <th scope="col" title="The backend's own status, from the controller's last check">"Health"</th>
                        <th scope="col" class="sbc-number">"Secrets"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {(!draining.is_empty()).then(|| view! {
            <p class="sbc-hint" data-testid="model-draining-note">
                {format!(
                    "New secret revisions go to {effective} at once. Existing ones in {} are read from there while it is draining, and moved over to {effective} in the background; a draining backend must stay reachable until it holds none.",
                    draining.join(", "),
                )}
            </p>
        })}
    }
}

/// The model's secrets (no content: the API has none to give).
#[component]
fn SecretsTable(secrets: Vec<SecretInfo>) -> impl IntoView {
    if secrets.is_empty() {
        return view! { <p class="sbc-muted" data-testid="model-secrets-empty">"This model has no secrets."</p> }
            .into_any();
    }
    let rows = secrets
        .into_iter()
        .map(|s| {
            view! {
                <tr data-testid=format!("model-secret-{}", s.label)>
                    <th scope="row">{s.label.clone()}</th>
                    <td class="sbc-number">{s.revision}</td>
                    <td>{s.backend.clone()}</td>
                    <td class="sbc-mono">{s.uri.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="sbc-table-wrap">
            <table class="sbc-table" data-testid="model-secrets-table">
                <caption class="sbc-visually-hidden">"Secrets of this model, without their content"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Label"</th>
                        <th scope="col" class="sbc-number">"Revision"</th>
                        <th scope="col">"Backend"</th>
                        <th scope="col">"URI"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

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
fn ModelBackendPicker(
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
                .set_model_backend(&request.model, &body, request.etag.as_deref())
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
                <option value=value prop:selected=move || selected.with(|s| *s == is)>{text}</option>
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
                            "The model's backend is now {}: new secret revisions go to {} at once. Existing ones are read from their old backend while it is draining, and moved over in the background.",
                            tagged.value.secret_backend, tagged.value.effective_backend,
                        )}
                        {forced.then_some(
                            " It was set without a ping: new secrets will fail to be stored until the backend answers.",
                        )}
                    </p>
                }
                .into_any()
            }
            Some(Err(e)) => refusal(e, send_force.clone(), set, on_changed),
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
                    "auto: internal for IaaS models, the model's own Kubernetes backend for CaaS models. The controller pings the chosen backend first. New secret revisions then go to it at once; existing ones are read from the old backend while it is draining, and moved over in the background."
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

/// What a refused change says, and what the admin can do next.
fn refusal(
    error: ApiError,
    send: impl Fn(bool) + Clone + 'static,
    set: Action<SetBackend, ApiResult<Tagged<Model>>>,
    on_changed: Callback<()>,
) -> AnyView {
    match error.code() {
        // The ping's cause in a short sentence; the whole HTTP error chain is one click away.
        Some(ErrorCode::Unreachable) => {
            let full = error.message();
            let short = short_message(&full);
            let whole = (short != full).then(|| {
                view! {
                    <details class="sbc-details" data-testid="set-backend-message">
                        <summary>"The whole message"</summary>
                        <p class="sbc-mono">{full}</p>
                    </details>
                }
            });
            view! {
            <Alert message=short />
            {whole}
            <p data-testid="set-backend-unreachable">
                "The backend did not answer the controller's ping. You can set it anyway: the model switches to it now, and new secrets will fail to be stored until the backend answers. Existing secrets stay where they are until then. The juju CLI has no equivalent of setting it anyway."
            </p>
            <button
                type="button"
                class="sbc-button"
                data-testid="set-backend-force"
                on:click=move |_| send(true)
            >
                "Set anyway"
            </button>
            }
            .into_any()
        }
        Some(ErrorCode::Conflict) => view! {
            <Alert message=error.message() />
            <p data-testid="set-backend-conflict">
                "Someone else changed this model since this page loaded it. Reload it to see their change; your choice is kept."
            </p>
            <button
                type="button"
                class="sbc-button"
                data-testid="reload"
                on:click=move |_| {
                    set.clear();
                    on_changed.run(());
                }
            >
                "Reload"
            </button>
        }
        .into_any(),
        _ => view! { <Alert message=error.message() /> }.into_any(),
    }
}

/// `myvault: active, 6 secrets · internal: draining, 5 secrets`.
fn backends_summary(model: &Model) -> String {
    ordered_backends(model)
        .into_iter()
        .map(|(name, state)| {
            format!(
                "{name}: {}, {}",
                state.status.as_str(),
                count(state.secrets, "secret", "secrets")
            )
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The active backend first, then the draining ones by name.
fn ordered_backends(model: &Model) -> Vec<(String, ModelBackendState)> {
    let mut backends: Vec<(String, ModelBackendState)> = model
        .secret_backends
        .iter()
        .map(|(n, s)| (n.clone(), s.clone()))
        .collect();
    backends
        .sort_by_key(|(name, state)| (state.status != ModelBackendStatus::Active, name.clone()));
    backends
}

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
                let copy = move |_| {
                    copied.set(None);
                    copy_text(&text, move || {
                        copied.try_set(Some(label));
                    });
                };
                view! {
                    <div class="sbc-command__variant">
                        <p class="sbc-command__label" id=label_id.clone()>{label}</p>
                        // Focusable: it scrolls sideways when a word is wider than the box.
                        <pre class="sbc-command__pre" tabindex="0" aria-labelledby=label_id>
                            <code class="sbc-command__code" data-testid=testid.clone()>{command_words(&command)}</code>
                        </pre>
                        <button type="button" class="sbc-button" data-testid=format!("{testid}-copy") on:click=copy>
                            {move || if copied.get() == Some(label) { "Copied" } else { "Copy" }}
                            <span class="sbc-visually-hidden">{format!(" the {label} command")}</span>
                        </button>
                    </div>
                }
            })
            .collect_view()
    };
    view! {
        <section class="sbc-command" aria-labelledby="sbc-model-command-title" data-testid="model-command-box">
            <h3 class="sbc-command__title" id="sbc-model-command-title">"Equivalent juju command"</h3>
            {move || if forced.get() {
                view! {
                    <p data-testid="model-command-forced">
                        "None: the juju CLI has no equivalent of a forced change ("
                        <code>"juju model-config"</code>" and "<code>"juju model-secret-backend"</code>
                        " have no "<code>"--force"</code>")."
                    </p>
                }.into_any()
            } else {
                view! { <div class="sbc-command__variants" data-testid="model-command">{variants}</div> }.into_any()
            }}
            <span class="sbc-visually-hidden" role="status" data-testid="model-command-status">
                {move || copied.get().map(|label| format!("The {label} command is copied to the clipboard"))}
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
