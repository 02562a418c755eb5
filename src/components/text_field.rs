//! A labelled one-line input with its hint and its error, wired for screen readers
//! (`aria-describedby`, `aria-invalid`).

use leptos::prelude::*;

use crate::api::ApiError;

/// A word beside a label (`sensitive`, `read-only`, `built-in`), after a space.
#[component]
pub fn Badge(text: &'static str) -> impl IntoView {
    view! {
        " "
        <span class="sbc-badge">{text}</span>
    }
}

/// The refusal that concerns an input, under it (the input's `aria-describedby` names `id`).
#[component]
pub fn FieldError(
    #[prop(optional, into)] id: Option<String>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <p class="sbc-field-error" id=id>
            {move || error.get()}
        </p>
    }
}

/// What a form's refusal says about the input `field` names (`name`, `config.endpoint`, …):
/// shown under that input.
pub fn refusal_of(refusal: RwSignal<Option<ApiError>>, field: String) -> Signal<Option<String>> {
    Signal::derive(move || {
        refusal.with(|e| {
            e.as_ref()
                .filter(|e| e.field() == Some(field.as_str()))
                .map(ApiError::message)
        })
    })
}

/// A page's filter-as-you-type search box, labelled "Filter".
#[component]
pub fn FilterField(
    /// The input's id (the label points at it).
    id: &'static str,
    /// The input's `data-testid`.
    testid: &'static str,
    /// What can be searched, e.g. "name, type or status".
    placeholder: &'static str,
    #[prop(into)] value: Signal<String>,
    /// Called with the text on every change.
    set: Callback<String>,
) -> impl IntoView {
    view! {
        <div class="sbc-field sbc-field--inline">
            <label for=id>"Filter"</label>
            <input
                id=id
                class="sbc-input"
                type="search"
                placeholder=placeholder
                autocomplete="off"
                data-testid=testid
                prop:value=value
                on:input=move |ev| set.run(event_target_value(&ev))
            />
        </div>
    }
}

/// A required input's mark: a star on screen, "(required)" for a screen reader.
#[component]
pub fn RequiredMark() -> impl IntoView {
    view! {
        <span class="sbc-required" aria-hidden="true">
            " *"
        </span>
        <span class="sbc-visually-hidden">" (required)"</span>
    }
}

#[component]
pub fn TextField(
    /// The input's id (the label points at it).
    #[prop(into)]
    id: String,
    label: &'static str,
    /// The input's `data-testid`.
    testid: &'static str,
    value: RwSignal<String>,
    #[prop(optional)] required: bool,
    /// A line under the input saying what to type.
    #[prop(optional)]
    hint: Option<&'static str>,
    /// The refusal that concerns this input, shown under it.
    #[prop(optional, into)]
    error: Signal<Option<String>>,
    /// `text` (default) or `password`.
    #[prop(default = "text")]
    input_type: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    /// Take the focus once shown (the first field of a page that is only this form).
    #[prop(optional)]
    autofocus: bool,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let label_for = id.clone();
    let input_ref = NodeRef::<leptos::html::Input>::new();
    if autofocus {
        Effect::new(move || {
            if let Some(input) = input_ref.get() {
                let _ = input.focus();
            }
        });
    }
    view! {
        <div class="sbc-field">
            <label for=label_for>{label} {required.then(|| view! { <RequiredMark /> })}</label>
            <input
                node_ref=input_ref
                id=id
                class="sbc-input"
                type=input_type
                autocomplete=autocomplete
                spellcheck="false"
                required=required
                data-testid=testid
                aria-describedby=format!("{hint_id} {error_id}")
                aria-invalid=move || error.get().is_some().to_string()
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
            {hint
                .map(|hint| {
                    view! {
                        <p class="sbc-hint" id=hint_id.clone()>
                            {hint}
                        </p>
                    }
                })}
            <FieldError id=error_id error=error />
        </div>
    }
}
