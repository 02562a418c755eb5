//! `/models/{name}`: one model's backend setting, its backends (active, draining) with secret
//! counts and each backend's own health, its secrets, and the picker that sets the backend. What
//! the controller does not report (a Juju controller: the secrets, the counts by backend) is
//! replaced by the reason.
//!
//! A model's use of a backend (`active`: new revisions go there; `draining`: existing ones are
//! still read from there) and the backend's health (whether it answers the controller) are two
//! facts, shown side by side: an `active` backend that does not answer means new secrets fail.

use leptos::prelude::*;
use leptos_router::components::A;
use secret_backends_api::{
    AUTO_BACKEND, Access, BackendStatus, ErrorCode, INTERNAL_BACKEND, Model, ModelAccess,
    ModelBackendStatus, SecretBackend, SecretInfo, short_message,
};

use super::load_by_name;
use super::models::ordered_backends;
use crate::api::ApiResult;
use crate::components::{
    Fact, Loaded, ModelBackendPicker, NotOffered, Note, Progress, StatusCell, Table,
};
use crate::controller::{Capability, use_controller};
use crate::routes::Route;
use crate::session::use_session;

/// `/models/{name}`: one model, its backends and secrets, and the backend picker.
#[component]
pub fn ModelPage() -> impl IntoView {
    let session = use_session();
    let (name, model) = load_by_name(move |name| async move { session.api.model_get(&name).await });
    // Not being allowed to see the secrets is an answer too: `None`. A controller that does not
    // list them is not asked (the page says why).
    let secrets_listed = use_controller().offers(Capability::Secrets);
    let secrets = LocalResource::new(move || {
        let name = name.get();
        async move {
            if !secrets_listed {
                return Ok(None);
            }
            match session.api.secrets_list(&name).await {
                Err(e) if e.code() == Some(ErrorCode::PermissionDenied) => Ok(None),
                listed => listed.map(Some),
            }
        }
    });
    let backends = LocalResource::new(move || async move { session.api.backends_list().await });
    let me = LocalResource::new(move || async move { session.api.whoami().await });

    // The page is ready once both the model and its secrets are in.
    Effect::new(move || {
        let loaded: Option<ApiResult<()>> = match (model.get(), secrets.get()) {
            (Some(Err(e)), _) | (_, Some(Err(e))) => Some(Err(e)),
            (Some(Ok(_)), Some(Ok(_))) => Some(Ok(())),
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
            <Loaded resource=model label="Loading the model…" report=false let:tagged>
                <ModelDetail
                    model=tagged.value
                    health=Signal::derive(move || backends.get().and_then(Result::ok))
                />
            </Loaded>
            <Show when=move || current.with(Option::is_some)>
                <h2 id="sbc-model-picker-title">"Set the secret backend"</h2>
                {move || {
                    if !may_set.get() {
                        let waiting = !session.is_superuser() && me.get().is_none();
                        return if waiting {
                            view! { <Progress label="Checking your access to the model…" /> }
                                .into_any()
                        } else {
                            view! {
                                <Note
                                    testid="backend-picker-denied"
                                    text="Changing this model's backend needs write access on the \
                                    model."
                                />
                            }
                                .into_any()
                        };
                    }
                    view! {
                        <Loaded
                            resource=backends
                            label="Loading the backends…"
                            report=false
                            let:list
                        >
                            <ModelBackendPicker
                                model_name=name.get_untracked()
                                model=current
                                backends=list
                                on_changed=reload
                            />
                        </Loaded>
                    }
                        .into_any()
                }}
            </Show>
            <h2>"Secrets"</h2>
            <ModelSecrets secrets=secrets />
        </section>
    }
}

/// The model's secrets (`None`: the caller may not see them), or why the controller lists none.
#[component]
fn ModelSecrets(secrets: LocalResource<ApiResult<Option<Vec<SecretInfo>>>>) -> impl IntoView {
    if !use_controller().offers(Capability::Secrets) {
        return view! { <NotOffered capability=Capability::Secrets /> }.into_any();
    }
    view! {
        <Loaded resource=secrets label="Loading the model's secrets…" report=false let:listed>
            {match listed {
                Some(list) if list.is_empty() => {
                    view! {
                        <Note testid="model-secrets-empty" text="This model has no secrets." />
                    }
                        .into_any()
                }
                Some(list) => view! { <SecretsTable secrets=list /> }.into_any(),
                None => {
                    view! {
                        <Note
                            testid="model-secrets-denied"
                            text="Seeing this model's secrets needs read access on the model."
                        />
                    }
                        .into_any()
                }
            }}
        </Loaded>
    }
    .into_any()
}

/// The model's facts and the table of the backends it has content in: for each, the model's use
/// of it and its health, with a warning when a backend the model needs does not answer.
const BACKEND_COLUMNS: [&str; 4] = ["Backend", "In use", "Health", "Secrets"];

/// What the backends table holds, for screen readers.
const BACKENDS_CAPTION: &str =
    "Backends holding this model's secrets: the model's use of each, and its health";

/// What the backends table's "In use" and "Health" columns mean.
const BACKEND_COLUMN_TITLES: [(&str, &str); 2] = [
    (
        "In use",
        "active: new revisions go here; draining: existing ones are still read from here",
    ),
    (
        "Health",
        "The backend's own status, from the controller's last check",
    ),
];

#[component]
fn ModelDetail(
    model: Model,
    /// Every backend of the controller with its last health check; `None` until loaded.
    health: Signal<Option<Vec<SecretBackend>>>,
) -> impl IntoView {
    let auto_means = match model.model_type {
        secret_backends_api::ModelType::Iaas => INTERNAL_BACKEND.to_owned(),
        secret_backends_api::ModelType::Caas => {
            secret_backends_api::local_backend_name(&model.name)
        }
    };
    let setting_note = (model.secret_backend == AUTO_BACKEND).then(|| {
        view! {
            " "
            <span class="sbc-muted">{format!("(the default: {auto_means})")}</span>
        }
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
            let href = use_session().href(&Route::Backend(backend.clone()));
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
                    <th scope="row">
                        <A href=href>{backend}</A>
                    </th>
                    <td data-testid=use_id>{state.status.as_str()}</td>
                    <td data-testid=health_id>{health_cell}</td>
                    <td class="sbc-number">{state.secrets}</td>
                </tr>
            }
        })
        .collect_view();
    let backends_table = if use_controller().offers(Capability::BackendUsage) {
        view! {
            <Table
                testid="model-backends-table"
                caption=BACKENDS_CAPTION
                columns=&BACKEND_COLUMNS
                numeric=&["Secrets"]
                titles=&BACKEND_COLUMN_TITLES
            >
                {rows}
            </Table>
        }
        .into_any()
    } else {
        view! { <NotOffered capability=Capability::BackendUsage /> }.into_any()
    };
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
                        "New secrets and new revisions of this model will fail to be stored until \
                         it answers the controller again."
                    } else {
                        "The model's existing secrets still in it cannot be read or moved over \
                         until it answers the controller again."
                    };
                    view! {
                        <p
                            class="sbc-warning sbc-warning--error"
                            data-testid=format!("model-health-warning-{name}")
                        >
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
            <Fact term="Type" testid="model-type">
                {model.model_type.as_str()}
            </Fact>
            <Fact term="Backend setting">
                <span data-testid="model-setting">{model.secret_backend.clone()}</span>
                {setting_note}
            </Fact>
            <Fact term="New secrets go to" testid="model-effective">
                {model.effective_backend.clone()}
            </Fact>
            <Fact term="UUID" class="sbc-mono">
                {model.uuid.clone()}
            </Fact>
        </dl>
        {warnings}
        <h2>"Backends"</h2>
        {backends_table}
        {(!draining.is_empty())
            .then(|| {
                view! {
                    <p class="sbc-hint" data-testid="model-draining-note">
                        {format!(
                            "New secret revisions go to {effective} at once. Existing ones in {} \
                             are read from there while it is draining, and moved over to \
                             {effective} in the background; a draining backend must stay reachable \
                             until it holds none.",
                            draining.join(", "),
                        )}
                    </p>
                }
            })}
    }
}

const SECRET_COLUMNS: [&str; 4] = ["Label", "Revision", "Backend", "URI"];

/// The model's secrets (no content: the API has none to give).
#[component]
fn SecretsTable(secrets: Vec<SecretInfo>) -> impl IntoView {
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
        <Table
            testid="model-secrets-table"
            caption="Secrets of this model, without their content"
            columns=&SECRET_COLUMNS
            numeric=&["Revision"]
        >
            {rows}
        </Table>
    }
}
