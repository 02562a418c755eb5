//! A backend's config as a definition list: every key of its type, sensitive ones as "set" or
//! "not set" (the console never receives their values). PEM text is shown as it is written, 64
//! characters a line, with a certificate's subject and expiry beside it.

use leptos::prelude::*;
use secret_backends_api::{FieldKind, SecretBackend, certificate_summary};

use crate::components::Note;
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
        return view! { <Note testid="config-empty" text="This backend has no configuration." /> }
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
            let pem = matches!(field.kind, FieldKind::Pem | FieldKind::List);
            let value = if let Some(secret) = revealed_value {
                view! { <RevealedValue key=field.name value=secret pem=pem /> }.into_any()
            } else if field.sensitive {
                let set = backend.sensitive_set.iter().any(|k| k == field.name);
                view! { <SensitiveValue set=set /> }.into_any()
            } else {
                match backend.config.get(field.name).map(value_text) {
                    Some(text) if pem => view! { <PemValue key=field.name text=text /> }.into_any(),
                    Some(text) => {
                        view! { <span class="sbc-config__value">{text}</span> }.into_any()
                    }
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
    view! {
        <dl class="sbc-config" data-testid="config">
            {rows}
        </dl>
    }
    .into_any()
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

/// PEM text line by line as written (never wrapped inside a line: it scrolls sideways where it
/// does not fit), and what its first certificate says about itself.
#[component]
fn PemValue(key: &'static str, text: String) -> impl IntoView {
    let summary = certificate_summary(&text);
    view! {
        <div class="sbc-pem-value">
            // Focusable, as it scrolls sideways on a narrow screen.
            <pre class="sbc-pem" tabindex="0">
                {text}
            </pre>
            {summary
                .map(|c| {
                    view! {
                        <p class="sbc-pem__summary" data-testid=format!("certificate-{key}")>
                            <span class="sbc-muted">"Subject "</span>
                            {c.subject}
                            <br />
                            <span class="sbc-muted">"Expires "</span>
                            <time datetime=c.not_after.clone() title=c.not_after.clone()>
                                {c.not_after.split('T').next().unwrap_or_default().to_owned()}
                            </time>
                        </p>
                    }
                })}
        </div>
    }
}

/// A revealed sensitive value, with a button that copies it to the clipboard. A one-line value
/// (a token) stays one line and scrolls sideways, so a long token does not make a tall row.
#[component]
fn RevealedValue(key: &'static str, value: String, pem: bool) -> impl IntoView {
    let copied = RwSignal::new(false);
    let text = StoredValue::new(value.clone());
    let copy = move |_| {
        super::copy_text(&text.get_value(), move || {
            copied.try_set(true);
        });
    };
    let shown = if pem {
        view! {
            <pre class="sbc-pem sbc-revealed" tabindex="0" data-testid=format!("revealed-{key}")>
                {value}
            </pre>
        }
        .into_any()
    } else {
        view! {
            <code
                class="sbc-revealed sbc-revealed--line"
                tabindex="0"
                data-testid=format!("revealed-{key}")
            >
                {value}
            </code>
        }
        .into_any()
    };
    view! {
        <div class="sbc-revealed-row">
            {shown}
            <button
                type="button"
                class="sbc-button sbc-button--quiet"
                data-testid=format!("copy-{key}")
                aria-label=format!("Copy {key}")
                on:click=copy
            >
                {move || if copied.get() { "Copied" } else { "Copy" }}
            </button>
        </div>
    }
}
