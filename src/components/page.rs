//! A page's frame: the section that styles and tests find a page by, with its title.

use leptos::prelude::*;

#[component]
pub fn Page(
    /// The page's `data-testid` (`models-page`).
    testid: &'static str,
    /// The page's heading, when the content does not carry its own.
    #[prop(optional)]
    title: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    view! {
        <section class="sbc-page" data-testid=testid>
            {title.map(|title| view! { <h1>{title}</h1> })}
            {children()}
        </section>
    }
}
