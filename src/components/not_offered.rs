//! The sentence shown where a control would be when the controller does not offer what it needs
//! (see `controller.rs`): the admin who looks for it learns why it is not there.

use leptos::prelude::*;

use crate::controller::{Capability, use_controller};

/// "Rotation times are not reported by this Juju controller…", quiet, with the capability's
/// `data-testid` (`not-offered-<capability>`).
#[component]
pub fn NotOffered(
    capability: Capability,
    /// Inside a line of text (a fact's value) rather than a paragraph of its own.
    #[prop(optional)]
    inline: bool,
) -> impl IntoView {
    let reason = capability.reason(use_controller().kind());
    let testid = capability.testid();
    if inline {
        view! {
            <span class="sbc-muted" data-testid=testid>
                {reason}
            </span>
        }
        .into_any()
    } else {
        view! {
            <p class="sbc-muted" data-testid=testid>
                {reason}
            </p>
        }
        .into_any()
    }
}
