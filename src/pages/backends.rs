//! `/backends`: every backend with its type, secrets and status (with when it was checked), as
//! the CLI's table has them, plus filter as you type, sort by any column and hide built-ins. The
//! list follows the change feed, so another admin's change shows up by itself (within a few
//! seconds when the service polls the controller for changes, which the page then says).

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;
use secret_backends_api::{RemovedBackend, SecretBackend};

use crate::components::{ExportPanel, FilterField, Loaded, NotOffered, StatusCell};
use crate::controller::{Capability, use_controller};
use crate::listing::{ListView, SortKey, count, visible};
use crate::routes::Route;
use crate::session::use_session;
use crate::time::ago;

#[component]
pub fn BackendsPage() -> impl IntoView {
    let session = use_session();
    let backends = LocalResource::new(move || {
        session.changes.track();
        async move { session.api.backends_list().await }
    });
    let view_choice = RwSignal::new(ListView::default());
    // The last good list, for the export while a live update fetches the next one.
    let last = RwSignal::new(None::<Vec<SecretBackend>>);
    Effect::new(move || {
        if let Some(Ok(list)) = backends.get() {
            last.set(Some(list));
        }
    });

    view! {
        <section class="sbc-page" data-testid="backends-page">
            <div class="sbc-toolbar">
                <h1>"Secret backends"</h1>
                <Show when=move || session.is_superuser()>
                    <A
                        href=session.href(&Route::AddBackend)
                        attr:class="sbc-button sbc-button--primary"
                        attr:data-testid="add-backend"
                    >
                        "Add backend"
                    </A>
                </Show>
            </div>
            // Export sits at the end of the filter row: it exports what the filter shows.
            <div class="sbc-list-bar">
                <ListControls view=view_choice />
                <ExportPanel
                    backends=Signal::derive(move || {
                        let choice = view_choice.get();
                        last.with(|l| {
                            l.as_deref()
                                .map(|all| visible(all, &choice).into_iter().cloned().collect())
                                .unwrap_or_default()
                        })
                    })
                    file_stem="secret-backends".to_owned()
                />
            </div>
            <LeftBehind />
            {(!use_controller().offers(Capability::LiveChanges))
                .then(|| view! { <NotOffered capability=Capability::LiveChanges /> })}
            <Loaded resource=backends label="Loading backends…" let:list>
                <BackendsTable backends=list view=view_choice />
            </Loaded>
        </section>
    }
}

/// After a forced removal that could not move all the content it held (the remove dialog hands
/// the service's answer over with the navigation): the service's sentence naming the secrets left
/// behind. It stays until the admin goes elsewhere; a reload does not bring it back.
#[component]
fn LeftBehind() -> impl IntoView {
    let state = use_location().state;
    let removed = move || {
        state
            .with(|s| s.to_js_value().as_string())
            .and_then(|json| serde_json::from_str::<RemovedBackend>(&json).ok())
    };
    move || {
        removed().map(|removed| {
            view! {
                <div class="sbc-alert" role="alert" data-testid="removed-left-behind">
                    <span class="sbc-alert__text">{removed.message}</span>
                </div>
            }
        })
    }
}

/// Filter and "hide built-ins".
#[component]
fn ListControls(view: RwSignal<ListView>) -> impl IntoView {
    view! {
        <div class="sbc-controls" role="search">
            <FilterField
                id="sbc-backends-filter"
                testid="filter"
                placeholder="name, type or status"
                value=Signal::derive(move || view.with(|v| v.filter.clone()))
                set=Callback::new(move |text| view.update(|v| v.filter = text))
            />
            <label class="sbc-check">
                <input
                    type="checkbox"
                    data-testid="hide-built-in"
                    prop:checked=move || view.with(|v| v.hide_built_in)
                    on:change=move |ev| {
                        let checked = event_target_checked(&ev);
                        view.update(|v| v.hide_built_in = checked);
                    }
                />
                " Hide built-in backends"
            </label>
        </div>
    }
}

/// The list as a table; one row per backend (`data-testid="backend-row-<name>"`).
#[component]
pub fn BackendsTable(backends: Vec<SecretBackend>, view: RwSignal<ListView>) -> impl IntoView {
    let total = backends.len();
    let backends = StoredValue::new(backends);
    let rows = Memo::new(move |_| {
        view.with(|v| {
            backends.with_value(|all| visible(all, v).into_iter().cloned().collect::<Vec<_>>())
        })
    });
    let header = move |key: SortKey, numeric: bool| {
        let aria_sort = move || {
            view.with(|v| match (v.sort == key, v.descending) {
                (false, _) => "none",
                (true, false) => "ascending",
                (true, true) => "descending",
            })
        };
        let arrow = move || {
            view.with(|v| match (v.sort == key, v.descending) {
                (false, _) => "",
                (true, false) => " ▲",
                (true, true) => " ▼",
            })
        };
        view! {
            <th scope="col" class:sbc-number=numeric aria-sort=aria_sort>
                <button
                    type="button"
                    class="sbc-sort"
                    data-testid=format!("sort-{}", key.label().to_lowercase())
                    on:click=move |_| {
                        view.update(|v| {
                            v.descending = v.sort == key && !v.descending;
                            v.sort = key;
                        })
                    }
                >
                    {key.label()}
                    <span aria-hidden="true">{arrow}</span>
                </button>
            </th>
        }
    };
    view! {
        <p class="sbc-muted" role="status" data-testid="backends-count">
            {move || {
                let shown = rows.with(Vec::len);
                if shown == total {
                    count(total as u64, "backend", "backends")
                } else {
                    format!("{shown} of {}", count(total as u64, "backend", "backends"))
                }
            }}
        </p>
        <div class="sbc-table-wrap">
            <table class="sbc-table" data-testid="backends-table">
                <caption class="sbc-visually-hidden">"Secret backends of the controller"</caption>
                <thead>
                    <tr>
                        {header(SortKey::Name, false)} {header(SortKey::Type, false)}
                        {header(SortKey::Secrets, true)} {header(SortKey::Status, false)}
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || rows.get()
                        key=|b| (
                            b.name.clone(),
                            b.secrets,
                            b.status,
                            b.message.clone(),
                            b.checked_at.clone(),
                        )
                        children=|b| view! { <BackendRow backend=b /> }
                    />
                </tbody>
            </table>
        </div>
        <Show when=move || rows.with(Vec::is_empty)>
            <p class="sbc-empty" data-testid="backends-empty">
                "No backend matches the filter."
            </p>
        </Show>
    }
}

/// One backend of the list (`data-testid="backend-row-<name>"`).
#[component]
fn BackendRow(backend: SecretBackend) -> impl IntoView {
    let session = use_session();
    let name = backend.name.clone();
    let checked = backend.checked_at.clone();
    let row_id = format!("backend-row-{name}");
    let status_id = format!("backend-status-{name}");
    let href = session.href(&Route::Backend(name.clone()));
    let built_in = backend
        .built_in
        .then(|| view! { <span class="sbc-badge">"built-in"</span> });
    let checked = checked.map(|at| {
        view! {
            <span class="sbc-muted sbc-checked">
                " · checked " {move || ago(&at, session.now.get())}
            </span>
        }
    });
    view! {
        <tr data-testid=row_id>
            <th scope="row">
                <A href=href>{name}</A>
                {built_in}
            </th>
            <td>{backend.backend_type.as_str()}</td>
            <td class="sbc-number">{backend.secrets}</td>
            <td data-testid=status_id>
                <StatusCell backend=backend.clone() short=true />
                {checked}
            </td>
        </tr>
    }
}
