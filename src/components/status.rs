//! A backend's status: `active`, or `error` with the check's message.

use leptos::prelude::*;
use secret_backends_api::{BackendStatus, SecretBackend};

/// The status of a backend, as the CLI's table shows it (`error: vault is sealed`).
///
/// The message is shown whole by default (the detail page); lists and pickers ask for the short
/// sentence, as Juju's table cuts its messages, with the whole message kept as a tooltip.
#[component]
pub fn StatusCell(
    backend: SecretBackend,
    /// Show the short form of the message.
    #[prop(optional)]
    short: bool,
) -> impl IntoView {
    let class = match backend.status {
        BackendStatus::Active => "sbc-status sbc-status--active",
        BackendStatus::Error => "sbc-status sbc-status--error",
    };
    let title = (short && backend.status == BackendStatus::Error)
        .then(|| backend.message.clone())
        .flatten();
    let text = if short {
        backend.short_status_text()
    } else {
        backend.status_text()
    };
    view! {
        <span class=class title=title>
            {text}
        </span>
    }
}
