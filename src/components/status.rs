//! A backend's status: `active`, or `error` with the check's message.

use leptos::prelude::*;
use secret_backends_api::{BackendStatus, SecretBackend};

/// The status of a backend, as the CLI's table shows it (`error: vault is sealed`).
#[component]
pub fn StatusCell(backend: SecretBackend) -> impl IntoView {
    let class = match backend.status {
        BackendStatus::Active => "sbc-status sbc-status--active",
        BackendStatus::Error => "sbc-status sbc-status--error",
    };
    let text = match (&backend.status, &backend.message) {
        (BackendStatus::Error, Some(message)) => format!("error: {message}"),
        (status, _) => status.as_str().to_owned(),
    };
    view! { <span class=class>{text}</span> }
}
