//! `/models` and `/models/{name}`: each model's backend setting, its backends (active, draining)
//! with secret counts, and the picker that sets the backend.

use leptos::prelude::*;

use crate::app::{PageState, use_session};

#[component]
pub fn ModelsPage() -> impl IntoView {
    use_session().state.set(PageState::Ready);
    view! { <section class="sbc-page" data-testid="models-page"><h1>"Models"</h1></section> }
}

#[component]
pub fn ModelPage() -> impl IntoView {
    use_session().state.set(PageState::Ready);
    view! { <section class="sbc-page" data-testid="model-page"><h1>"Model"</h1></section> }
}
