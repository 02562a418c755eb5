//! Messages: an error in the service's own words, and progress while something waits.

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
