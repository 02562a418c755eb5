//! `/backends`: every backend with its type, secrets and status (with when it was checked), as
//! the CLI's table has them, plus filter as you type, sort by any column and hide built-ins. The
//! list follows the change feed, so another admin's change shows up by itself (within a few
//! seconds when the service polls the controller for changes, which the page then says).

use std::sync::Arc;

use leptos::either::Either;
use leptos::html::Tbody;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;
use secret_backends_api::{RemovedBackend, SecretBackend};

use crate::components::{
    ExportPanel, FilterField, Loaded, NotOffered, StatusCell, first_viewport, follow_viewport,
    gap_row, keyed_body,
};
use crate::controller::{Capability, use_controller};
use crate::listing::{ListView, SortKey, filtered, shown_count, sorted, visible};
use crate::routes::Route;
use crate::session::{Session, use_session};
use crate::time::ago;
use crate::windowing::{Slot, Viewport, rows_in_view, slots};

#[component]
pub fn BackendsPage() -> impl IntoView {
    let session = use_session();
    let backends = LocalResource::new(move || {
        session.changes.track();
        // Shared, not copied, by the page's readers (10,000 backends are worth not copying).
        async move { session.api.backends_list().await.map(Arc::new) }
    });
    let view_choice = RwSignal::new(ListView::default());
    let viewport = RwSignal::new(first_viewport());
    // The last good list, for the export while a live update fetches the next one.
    let last = RwSignal::new(None::<Arc<Vec<SecretBackend>>>);
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
                <BackendsTable backends=list view=view_choice viewport=viewport />
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

/// Rows rendered beyond each edge of the viewport: ready before they scroll in, and where Tab
/// finds the next row (focusing it scrolls it into view, which moves the window on).
const OVERSCAN: usize = 10;

/// The list's columns.
const COLUMNS: usize = 4;

/// What the table body holds, top to bottom: a backend's row (its place in the list shown, and
/// its place in the service's list), or a gap standing for rows not rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum BodySlot {
    Row { position: usize, backend: usize },
    Gap { first: usize, rows: usize },
}

/// The list as a table (`data-testid="backend-row-<name>"` on each rendered row). Only the rows
/// in view are rendered (`crate::windowing`); `aria-rowcount` and each row's `aria-rowindex` tell
/// screen readers where they are. The row holding focus stays rendered when it scrolls out of
/// view, so focus never moves by itself; Tab goes on to the rows in view.
#[component]
pub fn BackendsTable(
    backends: Arc<Vec<SecretBackend>>,
    view: RwSignal<ListView>,
    /// Where the table is on screen; the page's, so that a live update starts at the same rows.
    viewport: RwSignal<Viewport>,
) -> impl IntoView {
    let total = backends.len();
    let backends = StoredValue::new(backends);
    // Sorted once per sort; filtered once per keystroke: positions in `backends`, no copies.
    let sort = Memo::new(move |_| view.with(|v| (v.sort, v.descending)));
    let order = Memo::new(move |_| {
        let (key, descending) = sort.get();
        backends.with_value(|all| sorted(all, key, descending))
    });
    let shown = Memo::new(move |_| {
        view.with(|v| order.with(|o| backends.with_value(|all| filtered(all, o, v))))
    });
    let window = Memo::new(move |_| rows_in_view(viewport.get(), OVERSCAN, shown.with(Vec::len)));
    // The backend whose row holds focus (a place in `backends`).
    let focused = RwSignal::new(None::<usize>);
    let body_slots = Memo::new(move |_| {
        shown.with(|shown| {
            let kept = focused
                .get()
                .and_then(|b| shown.iter().position(|&i| i == b));
            slots(window.get(), kept, shown.len())
                .into_iter()
                .map(|slot| match slot {
                    Slot::Row(position) => BodySlot::Row {
                        position,
                        backend: shown[position],
                    },
                    Slot::Gap { first, rows } => BodySlot::Gap { first, rows },
                })
                .collect::<Vec<_>>()
        })
    });
    let body = NodeRef::<Tbody>::new();
    follow_viewport(body, viewport);
    let session = use_session();
    keyed_body(body, body_slots, move |slot: BodySlot| match slot {
        BodySlot::Row { position, backend } => Either::Left(backends.with_value(|all| {
            backend_row(session, &all[backend], position + 2, move || {
                focused.set(Some(backend))
            })
        })),
        BodySlot::Gap { rows, .. } => Either::Right(gap_row(rows, COLUMNS, viewport)),
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
            {move || shown_count(shown.with(Vec::len), total)}
        </p>
        <div class="sbc-table-wrap">
            <table
                class="sbc-table sbc-table--windowed"
                data-testid="backends-table"
                aria-rowcount=move || shown.with(Vec::len) + 1
            >
                <caption class="sbc-visually-hidden">"Secret backends of the controller"</caption>
                <thead>
                    <tr aria-rowindex="1">
                        {header(SortKey::Name, false)} {header(SortKey::Type, false)}
                        {header(SortKey::Secrets, true)} {header(SortKey::Status, false)}
                    </tr>
                </thead>
                // Focus leaving a row lets it go; moving to another row keeps that one instead.
                <tbody node_ref=body on:focusout=move |_| focused.set(None)></tbody>
            </table>
        </div>
        <Show when=move || shown.with(Vec::is_empty)>
            <p class="sbc-empty" data-testid="backends-empty">
                "No backend matches the filter."
            </p>
        </Show>
    }
}

/// One backend of the list (`data-testid="backend-row-<name>"`), rendered once: only the time
/// since its check follows the clock.
fn backend_row<F: Fn() + 'static>(
    session: Session,
    backend: &SecretBackend,
    rowindex: usize,
    on_focus: F,
) -> impl IntoView + use<F> {
    let name = backend.name.clone();
    let row_id = format!("backend-row-{name}");
    let status_id = format!("backend-status-{name}");
    let href = session.href(&Route::Backend(name.clone()));
    let built_in = backend
        .built_in
        .then(|| view! { <span class="sbc-badge">"built-in"</span> });
    let checked = backend.checked_at.clone().map(|at| {
        view! {
            <span class="sbc-muted sbc-checked">
                " · checked " {move || ago(&at, session.now.get())}
            </span>
        }
    });
    view! {
        <tr data-testid=row_id aria-rowindex=rowindex on:focusin=move |_| on_focus()>
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
