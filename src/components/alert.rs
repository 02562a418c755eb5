//! Messages: an error in the service's own words, progress while something waits, a note in
//! place of what there is none of; and one fact of a list of facts.

use leptos::prelude::*;

/// An error message (`role="alert"`), with an optional retry.
#[component]
pub fn Alert(
    /// The sentence to show.
    #[prop(into)]
    message: Signal<String>,
    /// Called by the "Try again" button; no button without it.
    #[prop(optional, into)]
    retry: Option<Callback<()>>,
) -> impl IntoView {
    view! {
        <div class="sbc-alert" role="alert" data-testid="alert">
            <span class="sbc-alert__text">{move || message.get()}</span>
            {retry
                .map(|retry| {
                    view! {
                        <button
                            type="button"
                            class="sbc-button sbc-button--quiet"
                            on:click=move |_| retry.run(())
                        >
                            "Try again"
                        </button>
                    }
                })}
        </div>
    }
}

/// A wait in progress (`role="status"`, announced politely).
#[component]
pub fn Progress(
    /// What is happening, e.g. "Loading backends…".
    #[prop(into)]
    label: String,
) -> impl IntoView {
    view! {
        <p class="sbc-progress" role="status" data-testid="progress">
            <span class="sbc-progress__spinner" aria-hidden="true"></span>
            {label}
        </p>
    }
}

/// A quiet sentence in place of content there is none of ("This model has no secrets.").
#[component]
pub fn Note(
    /// The paragraph's `data-testid`.
    testid: &'static str,
    text: &'static str,
) -> impl IntoView {
    view! {
        <p class="sbc-muted" data-testid=testid>
            {text}
        </p>
    }
}

/// One fact of a `<dl class="sbc-facts">`: what it is, and its value (`children`).
#[component]
pub fn Fact(
    term: &'static str,
    /// The value's `data-testid`.
    #[prop(optional)]
    testid: Option<&'static str>,
    /// The value's class.
    #[prop(optional)]
    class: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    view! {
        <div>
            <dt>{term}</dt>
            <dd data-testid=testid class=class>
                {children()}
            </dd>
        </div>
    }
}
