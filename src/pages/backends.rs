//! `/backends`: every backend with its type, secrets and status, as the CLI's table has them.

use leptos::prelude::*;
use leptos_router::components::A;
use secret_backends_api::SecretBackend;

use crate::app::use_session;
use crate::components::{Alert, Progress, StatusCell};

#[component]
pub fn BackendsPage() -> impl IntoView {
    let session = use_session();
    let backends = LocalResource::new(move || async move { session.api.backends().await });
    Effect::new(move || session.report(backends.get().as_ref()));

    view! {
        <section class="sbc-page" data-testid="backends-page">
            <div class="sbc-toolbar">
                <h1>"Secret backends"</h1>
                <Show when=move || session.is_superuser()>
                    <A href="/backends/new" attr:class="sbc-button sbc-button--primary" attr:data-testid="add-backend">
                        "Add backend"
                    </A>
                </Show>
            </div>
            {move || match backends.get() {
                None => view! { <Progress label="Loading backends…" /> }.into_any(),
                Some(Err(e)) => view! {
                    <Alert message=e.message() retry=Callback::new(move |()| backends.refetch()) />
                }.into_any(),
                Some(Ok(list)) => view! { <BackendsTable backends=list /> }.into_any(),
            }}
        </section>
    }
}

/// The list as a table; one row per backend (`data-testid="backend-row-<name>"`).
#[component]
pub fn BackendsTable(backends: Vec<SecretBackend>) -> impl IntoView {
    let rows = backends
        .into_iter()
        .map(|b| {
            let name = b.name.clone();
            let row_id = format!("backend-row-{name}");
            let status_id = format!("backend-status-{name}");
            let href = format!("/backends/{name}");
            view! {
                <tr data-testid=row_id>
                    <th scope="row">
                        <A href=href>{name}</A>
                        {b.built_in.then(|| view! { <span class="sbc-badge">"built-in"</span> })}
                    </th>
                    <td>{b.backend_type.as_str()}</td>
                    <td class="sbc-number">{b.secrets}</td>
                    <td data-testid=status_id><StatusCell backend=b /></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="sbc-table-wrap">
            <table class="sbc-table" data-testid="backends-table">
                <caption class="sbc-visually-hidden">"Secret backends of the controller"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Backend"</th>
                        <th scope="col">"Type"</th>
                        <th scope="col" class="sbc-number">"Secrets"</th>
                        <th scope="col">"Status"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
