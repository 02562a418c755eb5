//! A sensitive config key on the edit page: whether it is set, never its value; "Replace" opens a
//! password input for a new value, "Reset" clears it.

use leptos::prelude::*;

use crate::components::{Badge, ConfigInput, EditedKey, FieldError, SensitiveValue};

/// A sensitive key: "set" / "not set", never the value; "Replace" opens a password input for a
/// new value, "Reset" clears it.
#[component]
pub fn SensitiveField(
    field: EditedKey,
    /// Whether the key holds a value now.
    set: bool,
) -> impl IntoView {
    let EditedKey { spec, edit, error } = field;
    let key = spec.name;
    let id = field.input_id();
    let replacing = RwSignal::new(false);
    let is_reset = move || field.is_reset();
    let new_value = move || edit.with(|e| e.replaced.get(key).cloned().unwrap_or_default());
    let set_value = Callback::new(move |text: String| {
        edit.update(|e| {
            e.replaced.insert(key.to_owned(), text);
        })
    });
    view! {
        <div class="sbc-field" data-testid=format!("sensitive-{key}")>
            <span class="sbc-label" id=format!("{id}-label")>
                {key}
                <Badge text="sensitive" />
            </span>
            <div class="sbc-sensitive-row">
                {move || {
                    if is_reset() {
                        view! {
                            <span
                                class="sbc-sensitive sbc-sensitive--reset"
                                data-testid="sensitive-state"
                            >
                                <s aria-hidden="true">"•••••• set"</s>
                                " will be cleared: reset to the default"
                            </span>
                        }
                            .into_any()
                    } else {
                        view! { <SensitiveValue set=set /> }.into_any()
                    }
                }}
                <button
                    type="button"
                    class="sbc-button"
                    data-testid=format!("replace-{key}")
                    aria-expanded=move || replacing.get().to_string()
                    on:click=move |_| {
                        let now = !replacing.get_untracked();
                        replacing.set(now);
                        if !now {
                            edit.update(|e| {
                                e.replaced.remove(key);
                            });
                        }
                    }
                >
                    {move || {
                        if replacing.get() {
                            "Keep the current value"
                        } else if set {
                            "Replace"
                        } else {
                            "Set"
                        }
                    }}
                </button>
                {set
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="sbc-button"
                                data-testid=format!("reset-{key}")
                                aria-pressed=move || is_reset().to_string()
                                on:click=move |_| {
                                    edit.update(|e| {
                                        if !e.reset.remove(key) {
                                            e.reset.insert(key.to_owned());
                                        }
                                    })
                                }
                            >
                                {move || if is_reset() { "Undo reset" } else { "Reset" }}
                            </button>
                        }
                    })}
            </div>
            <Show when=move || replacing.get() && !is_reset()>
                <label for=id.clone()>"New value for " {key}</label>
                <ConfigInput
                    kind=spec.kind
                    id=id.clone()
                    testid=format!("field-{key}")
                    value=Signal::derive(new_value)
                    set=set_value
                    sensitive=true
                />
            </Show>
            <p class="sbc-hint">{spec.description}</p>
            <FieldError error=error />
        </div>
    }
}
