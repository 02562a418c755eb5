//! `/models`: every model with its backend setting, the backend it writes to, and where its
//! secrets are (when the controller reports it). The model page is `model.rs`; the backend
//! picker, `ModelBackendPicker`.

use leptos::prelude::*;
use leptos_router::components::A;
use secret_backends_api::{Model, ModelBackendState, ModelBackendStatus};

use crate::components::{Loaded, NotOffered, Note, Page, Table};
use crate::controller::{Capability, use_controller};
use crate::listing::count;
use crate::routes::Route;
use crate::session::use_session;

/// `/models`: every model with its setting, the backend it writes to, and where its secrets are.
#[component]
pub fn ModelsPage() -> impl IntoView {
    let session = use_session();
    let models = LocalResource::new(move || async move { session.api.models_list().await });
    view! {
        <Page testid="models-page" title="Models">
            {(!use_controller().offers(Capability::BackendUsage))
                .then(|| view! { <NotOffered capability=Capability::BackendUsage /> })}
            <Loaded resource=models label="Loading models…" let:list>
                {if list.is_empty() {
                    view! { <Note testid="models-empty" text="No models yet." /> }.into_any()
                } else {
                    view! { <ModelsTable models=list /> }.into_any()
                }}
            </Loaded>
        </Page>
    }
}

const MODEL_COLUMNS: [&str; 5] = [
    "Model",
    "Type",
    "Setting",
    "Writes to",
    "Secrets by backend",
];

/// The list as a table; one row per model (`data-testid="model-row-<name>"`). Its last column,
/// the secrets by backend, only when the controller reports them.
#[component]
fn ModelsTable(models: Vec<Model>) -> impl IntoView {
    let usage = use_controller().offers(Capability::BackendUsage);
    let columns: &'static [&str] = if usage {
        &MODEL_COLUMNS
    } else {
        &MODEL_COLUMNS[..MODEL_COLUMNS.len() - 1]
    };
    let rows = models
        .into_iter()
        .map(|m| {
            let summary = backends_summary(&m);
            let href = use_session().href(&Route::Model(m.name.clone()));
            let label = m.name.clone();
            view! {
                <tr data-testid=format!("model-row-{}", m.name)>
                    <th scope="row">
                        <A href=href>{label}</A>
                    </th>
                    <td>{m.model_type.as_str()}</td>
                    <td data-testid=format!(
                        "model-setting-{}",
                        m.name,
                    )>{m.secret_backend.clone()}</td>
                    <td data-testid=format!(
                        "model-effective-{}",
                        m.name,
                    )>{m.effective_backend.clone()}</td>
                    {usage
                        .then(|| {
                            view! {
                                <td data-testid=format!("model-backends-{}", m.name)>{summary}</td>
                            }
                        })}
                </tr>
            }
        })
        .collect_view();
    view! {
        <Table testid="models-table" caption="Models and their secret backends" columns=columns>
            {rows}
        </Table>
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
pub(super) fn ordered_backends(model: &Model) -> Vec<(String, ModelBackendState)> {
    let mut backends: Vec<(String, ModelBackendState)> = model
        .secret_backends
        .iter()
        .map(|(n, s)| (n.clone(), s.clone()))
        .collect();
    backends
        .sort_by_key(|(name, state)| (state.status != ModelBackendStatus::Active, name.clone()));
    backends
}
