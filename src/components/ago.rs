//! A past time that follows the console's clock.

use leptos::prelude::*;

use crate::session::use_session;
use crate::time::{ago, exact_time};

/// A past time as "5 min ago", following the console's clock, with the exact time on hover.
#[component]
pub fn Ago(
    /// RFC 3339.
    at: String,
) -> impl IntoView {
    let session = use_session();
    let exact = exact_time(&at);
    let relative = at.clone();
    view! {
        <time class="sbc-ago" datetime=at title=exact>
            {move || ago(&relative, session.now.get())}
        </time>
    }
}
