//! `/audit`: who did what and when, newest first, filterable. Values are never in the trail.
//! Times are relative ("5 min ago", the exact time on hover); on a narrow screen each entry is a
//! stacked block rather than a table row. A controller without an audit trail (a Juju controller)
//! gets the reason instead.

use leptos::prelude::*;
use secret_backends_api::AuditEntry;

use crate::components::{Ago, FilterField, Loaded, NotOffered, Page, Table};
use crate::controller::{Capability, use_controller};
use crate::session::{PageState, use_session};

/// How many entries the page loads.
const LIMIT: u32 = 500;

#[component]
pub fn AuditPage() -> impl IntoView {
    let session = use_session();
    if !use_controller().offers(Capability::Audit) {
        // Reached by its URL: there is nothing to load.
        session.state.set(PageState::Ready);
        return view! {
            <Page testid="audit-page" title="Audit">
                <NotOffered capability=Capability::Audit />
            </Page>
        }
        .into_any();
    }
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
        <Page testid="audit-page" title="Audit">
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
        </Page>
    }
    .into_any()
}

const AUDIT_COLUMNS: [&str; 6] = ["When", "Who", "What", "Backend", "Model", "Details"];

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
        <Table
            testid="audit-table"
            caption="Audit trail, newest first"
            columns=&AUDIT_COLUMNS
            class="sbc-table sbc-table--stack"
        >
            {move || rows().into_iter().map(audit_row).collect_view()}
        </Table>
    }
}

/// One entry; on a narrow screen, a block whose cells name their column (`data-label`).
fn audit_row(e: AuditEntry) -> impl IntoView {
    // On a narrow screen, where each cell is a labelled line, an empty cell is left out.
    let empty = |none: bool| none.then_some("sbc-cell--empty");
    let backend_class = empty(e.backend.is_none());
    let model_class = empty(e.model.is_none());
    let details_class = if e.keys.is_empty() && e.detail.is_none() {
        "sbc-audit__details sbc-cell--empty"
    } else {
        "sbc-audit__details"
    };
    view! {
        <tr data-testid="audit-row">
            <td class="sbc-nowrap" data-label="When">
                <Ago at=e.at />
            </td>
            <td data-label="Who">{e.user}</td>
            <td data-label="What">{e.action}</td>
            <td data-label="Backend" class=backend_class>
                {e.backend.unwrap_or_default()}
            </td>
            <td data-label="Model" class=model_class>
                {e.model.unwrap_or_default()}
            </td>
            <td data-label="Details" class=details_class>
                {(!e.keys.is_empty()).then(|| format!("keys: {}", e.keys.join(", ")))}
                {e.detail.map(|d| format!(" {d}"))}
            </td>
        </tr>
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
