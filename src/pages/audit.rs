//! `/audit`: who did what and when, newest first, filterable. Values are never in the trail.
//! Times are relative ("5 min ago", the exact time on hover); on a narrow screen each entry is a
//! stacked block rather than a table row.

use leptos::prelude::*;
use secret_backends_api::AuditEntry;

use crate::components::{Ago, FilterField, Loaded};
use crate::session::{PageState, use_session};

/// How many entries the page loads.
const LIMIT: u32 = 500;

#[component]
pub fn AuditPage() -> impl IntoView {
    let session = use_session();
    let entries = LocalResource::new(move || {
        session.changes.track();
        async move { session.api.audit_list(None, LIMIT).await }
    });
    // The entries report the page's readiness; without them there is nothing to wait for.
    Effect::new(move || {
        if !session.is_superuser() {
            session.state.set(PageState::Ready);
        }
    });
    let filter = RwSignal::new(String::new());
    view! {
        <section class="sbc-page" data-testid="audit-page">
            <h1>"Audit"</h1>
            <Show
                when=move || session.is_superuser()
                fallback=|| {
                    view! {
                        <p data-testid="audit-superuser-only">
                            "The audit trail is shown to controller superusers."
                        </p>
                    }
                }
            >
                <div class="sbc-controls" role="search">
                    <FilterField
                        id="sbc-audit-filter"
                        testid="audit-filter"
                        placeholder="user, action, backend or model"
                        value=filter
                        set=Callback::new(move |text| filter.set(text))
                    />
                </div>
                <Loaded resource=entries label="Loading the audit trail…" let:list>
                    <AuditTable entries=list filter=filter />
                </Loaded>
            </Show>
        </section>
    }
}

#[component]
fn AuditTable(entries: Vec<AuditEntry>, filter: RwSignal<String>) -> impl IntoView {
    let entries = StoredValue::new(entries);
    let rows = move || {
        let needle = filter.get().trim().to_lowercase();
        entries.with_value(|all| {
            all.iter()
                .filter(|e| needle.is_empty() || matches(e, &needle))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <div class="sbc-table-wrap">
            <table class="sbc-table sbc-table--stack" data-testid="audit-table">
                <caption class="sbc-visually-hidden">"Audit trail, newest first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"When"</th>
                        <th scope="col">"Who"</th>
                        <th scope="col">"What"</th>
                        <th scope="col">"Backend"</th>
                        <th scope="col">"Model"</th>
                        <th scope="col">"Details"</th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        rows()
                            .into_iter()
                            .map(|e| {
                                let no_backend = e.backend.is_none();
                                let no_model = e.model.is_none();
                                let no_details = e.keys.is_empty() && e.detail.is_none();
                                view! {
                                    <tr data-testid="audit-row">
                            <td class="sbc-nowrap" data-label="When"><Ago at=e.at /></td>
                            <td data-label="Who">{e.user}</td>
                            <td data-label="What">{e.action}</td>
                            <td data-label="Backend" class:sbc-cell--empty=no_backend>{e.backend.unwrap_or_default()}</td>
                            <td data-label="Model" class:sbc-cell--empty=no_model>{e.model.unwrap_or_default()}</td>
                            <td data-label="Details" class="sbc-audit__details" class:sbc-cell--empty=no_details>
                                {(!e.keys.is_empty()).then(|| format!("keys: {}", e.keys.join(", ")))}
                                {e.detail.map(|d| format!(" {d}"))}
                            </td>
                        </tr>
                                }
                            })
                            .collect_view()
                    }}
                </tbody>
            </table>
        </div>
    }
}

fn matches(e: &AuditEntry, needle: &str) -> bool {
    [
        Some(e.user.as_str()),
        Some(e.action.as_str()),
        e.backend.as_deref(),
        e.model.as_deref(),
        e.detail.as_deref(),
    ]
    .into_iter()
    .flatten()
    .any(|field| field.to_lowercase().contains(needle))
}
