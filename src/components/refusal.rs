//! A refused change, and what the admin can do next: a change refused because the backend did
//! not answer can be sent again with force; one refused because someone else changed the thing
//! first (its version is stale) offers a reload.

use leptos::prelude::*;
use secret_backends_api::{ErrorCode, short_message};

use crate::api::ApiError;
use crate::components::Alert;

/// A way out of a refusal: a note saying what happened and what the button does, and the button.
#[derive(Clone)]
pub struct Offer {
    /// The note's test id (`unreachable`, `stale-edit`, …).
    pub testid: &'static str,
    pub note: &'static str,
    /// The button's test id and label.
    pub button_testid: &'static str,
    pub button: &'static str,
    pub run: Callback<()>,
}

/// The refusal's sentence, then the offer that fits its code.
#[component]
pub fn Refusal(
    /// What was refused, by the service or by the form's own check.
    error: ApiError,
    /// Whether to show the sentence (`false`: the form shows it under the input it names).
    #[prop(default = true)]
    alert: bool,
    /// For a backend that did not answer: show the sentence's short form, with the whole one (the
    /// HTTP error chain) behind a disclosure with this test id.
    #[prop(optional)]
    whole_message: Option<&'static str>,
    /// Offered when the backend did not answer (`unreachable`); `None`: nothing to offer.
    #[prop(default = None)]
    force: Option<Offer>,
    /// Offered when someone else changed it first (`conflict`).
    reload: Offer,
) -> impl IntoView {
    let code = error.code();
    let full = error.message();
    let unreachable = code == Some(ErrorCode::Unreachable);
    let sentence = match whole_message {
        Some(testid) if unreachable => {
            let short = short_message(&full);
            let whole = (short != full).then(|| {
                view! {
                    <details class="sbc-details" data-testid=testid>
                        <summary>"The whole message"</summary>
                        <p class="sbc-mono">{full.clone()}</p>
                    </details>
                }
            });
            view! {
                <Alert message=short />
                {whole}
            }
            .into_any()
        }
        _ => view! { <Alert message=full.clone() /> }.into_any(),
    };
    let offer = match code {
        Some(ErrorCode::Unreachable) => force.map(|o| (o, "sbc-button sbc-button--danger")),
        Some(ErrorCode::Conflict) => Some((reload, "sbc-button")),
        _ => None,
    };
    view! {
        {alert.then_some(sentence)}
        {offer
            .map(|(offer, class)| {
                view! {
                    <div class="sbc-warning" data-testid=offer.testid>
                        <p>{offer.note}</p>
                        <button
                            type="button"
                            class=class
                            data-testid=offer.button_testid
                            on:click=move |_| offer.run.run(())
                        >
                            {offer.button}
                        </button>
                    </div>
                }
            })}
    }
}
