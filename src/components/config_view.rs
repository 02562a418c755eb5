//! A backend's config as a definition list: every key of its type, sensitive ones as "set" or
//! "not set" (the console never receives their values).

use leptos::prelude::*;
use secret_backends_api::SecretBackend;

use crate::form::value_text;

/// The config of `backend`, key by key, in the order of its type's schema. With `revealed`, the
/// sensitive values in `backend.config` are shown (the detail page's deliberate reveal).
#[component]
pub fn ConfigView(
    backend: SecretBackend,
    /// Show the sensitive values that `backend.config` holds.
    #[prop(optional)]
    revealed: bool,
) -> impl IntoView {
    let fields = backend.backend_type.fields();
    if fields.is_empty() {
        return view! { <p class="sbc-muted" data-testid="config-empty">"This backend has no configuration."</p> }
            .into_any();
    }
    let rows = fields
        .iter()
        .map(|field| {
            let revealed_value = backend
                .config
                .get(field.name)
                .filter(|_| revealed && field.sensitive)
                .map(value_text);
            let value = if let Some(secret) = revealed_value {
                view! { <RevealedValue key=field.name value=secret /> }.into_any()
            } else if field.sensitive {
                view! { <SensitiveValue set=backend.sensitive_set.iter().any(|k| k == field.name) /> }
                    .into_any()
            } else {
                match backend.config.get(field.name) {
                    Some(value) => view! { <span class="sbc-config__value">{value_text(value)}</span> }.into_any(),
                    None => view! { <span class="sbc-muted">"not set"</span> }.into_any(),
                }
            };
            view! {
                <div class="sbc-config__row" data-testid=format!("config-{}", field.name)>
                    <dt class="sbc-config__key">{field.name}</dt>
                    <dd>{value}</dd>
                </div>
            }
        })
        .collect_view();
    view! { <dl class="sbc-config" data-testid="config">{rows}</dl> }.into_any()
}

/// A sensitive key: whether it holds a value, never the value.
#[component]
pub fn SensitiveValue(
    /// Whether the key holds a value.
    set: bool,
) -> impl IntoView {
    let (text, class) = if set {
        ("set", "sbc-sensitive sbc-sensitive--set")
    } else {
        ("not set", "sbc-sensitive sbc-muted")
    };
    view! {
        <span class=class data-testid="sensitive-value">
            <span aria-hidden="true">{if set { "•••••• " } else { "" }}</span>
            {text}
            <span class="sbc-visually-hidden">" (sensitive, write-only)"</span>
        </span>
    }
}

/// A revealed sensitive value, with a button that copies it to the clipboard.
#[component]
fn RevealedValue(key: &'static str, value: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let text = StoredValue::new(value.clone());
    let copy = move |_| {
        if let Some(promise) = super::command_box::write_clipboard(&text.get_value()) {
            leptos::task::spawn_local(async move {
                if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
                    copied.try_set(true);
                }
            });
        }
    };
    view! {
        <code class="sbc-config__value sbc-revealed" data-testid=format!("revealed-{key}")>{value}</code>
        " "
        <button type="button" class="sbc-button sbc-button--quiet" data-testid=format!("copy-{key}")
            aria-label=format!("Copy {key}") on:click=copy>
            {move || if copied.get() { "Copied" } else { "Copy" }}
        </button>
    }
}
