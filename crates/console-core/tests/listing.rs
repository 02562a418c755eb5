//! The backends list's filter, sort and counts (`src/listing.rs`).

use secret_backends_api::{BackendStatus, BackendType, SecretBackend, fixtures};
use secret_backends_console_core::listing::{
    ListView, SortKey, count, filtered, shown, shown_count, sorted, visible,
};
use serde_json::json;

#[test]
fn count_takes_the_singular_for_one_only() {
    assert_eq!(count(1, "secret", "secrets"), "1 secret");
    assert_eq!(count(0, "secret", "secrets"), "0 secrets");
    assert_eq!(count(2, "secret", "secrets"), "2 secrets");
    assert_eq!(count(1, "model", "models"), "1 model");
    assert_eq!(count(11, "backend", "backends"), "11 backends");
}

#[test]
fn the_count_line_says_how_many_of_all_show() {
    assert_eq!(shown_count(3, 3), "3 backends");
    assert_eq!(shown_count(1, 1), "1 backend");
    assert_eq!(shown_count(1, 3), "1 of 3 backends");
    assert_eq!(shown_count(0, 10_001), "0 of 10001 backends");
}

fn backend(
    name: &str,
    backend_type: BackendType,
    secrets: u64,
    error: Option<&str>,
) -> SecretBackend {
    let mut b = fixtures::backend(name, backend_type, json!({}));
    b.secrets = secrets;
    if let Some(message) = error {
        b.status = BackendStatus::Error;
        b.message = Some(message.into());
    }
    b
}

/// In no order: the list as the service might send it.
fn list() -> Vec<SecretBackend> {
    let mut internal = backend("internal", BackendType::Controller, 2, None);
    internal.built_in = true;
    vec![
        backend("vault-b", BackendType::Vault, 5, Some("vault is sealed")),
        internal,
        backend("k8s", BackendType::Kubernetes, 0, None),
        backend("vault-a", BackendType::Vault, 5, None),
    ]
}

fn names(list: &[SecretBackend], positions: &[usize]) -> Vec<String> {
    positions.iter().map(|&i| list[i].name.clone()).collect()
}

#[test]
fn the_sort_orders_positions_by_the_column_then_the_name() {
    let list = list();
    let by = |sort, descending| names(&list, &sorted(&list, sort, descending));
    assert_eq!(
        by(SortKey::Name, false),
        ["internal", "k8s", "vault-a", "vault-b"]
    );
    assert_eq!(
        by(SortKey::Name, true),
        ["vault-b", "vault-a", "k8s", "internal"]
    );
    assert_eq!(
        by(SortKey::Type, false),
        ["internal", "k8s", "vault-a", "vault-b"]
    );
    assert_eq!(
        by(SortKey::Secrets, false),
        ["k8s", "internal", "vault-a", "vault-b"]
    );
    assert_eq!(
        by(SortKey::Secrets, true),
        ["vault-b", "vault-a", "internal", "k8s"]
    );
    // Errors first: they need attention.
    assert_eq!(
        by(SortKey::Status, false),
        ["vault-b", "internal", "k8s", "vault-a"]
    );
}

#[test]
fn the_filter_keeps_the_sorted_order_and_matches_name_type_status_and_message() {
    let list = list();
    let order = sorted(&list, SortKey::Name, true);
    let filter = |text: &str, hide_built_in| {
        let view = ListView {
            filter: text.into(),
            hide_built_in,
            ..ListView::default()
        };
        names(&list, &filtered(&list, &order, &view))
    };
    assert_eq!(filter("", false), ["vault-b", "vault-a", "k8s", "internal"]);
    assert_eq!(filter("VAULT", false), ["vault-b", "vault-a"]);
    assert_eq!(filter("  sealed ", false), ["vault-b"]);
    assert_eq!(filter("error", false), ["vault-b"]);
    assert_eq!(filter("kubernetes", false), ["k8s"]);
    assert_eq!(filter("", true), ["vault-b", "vault-a", "k8s"]);
    assert_eq!(filter("inter", true), Vec::<String>::new());
    assert_eq!(filter("zzz", false), Vec::<String>::new());
}

#[test]
fn shown_is_the_sort_then_the_filter_and_visible_the_same_backends() {
    let list = list();
    let view = ListView {
        filter: "a".into(),
        sort: SortKey::Secrets,
        descending: false,
        hide_built_in: true,
    };
    let positions = shown(&list, &view);
    assert_eq!(names(&list, &positions), ["k8s", "vault-a", "vault-b"]);
    let backends: Vec<&str> = visible(&list, &view)
        .iter()
        .map(|b| b.name.as_str())
        .collect();
    assert_eq!(backends, ["k8s", "vault-a", "vault-b"]);
}

#[test]
fn ten_thousand_backends_filter_to_one_by_position() {
    let list: Vec<SecretBackend> = (0..10_000)
        .map(|i| backend(&format!("backend-{i:05}"), BackendType::Vault, 0, None))
        .collect();
    let order = sorted(&list, SortKey::Name, false);
    assert_eq!(order.len(), 10_000);
    let view = ListView {
        filter: "backend-04242".into(),
        ..ListView::default()
    };
    assert_eq!(filtered(&list, &order, &view), [4242]);
}
