//! One component per page (deep-linkable: `/login`, `/backends`, `/backends/new`,
//! `/backends/{name}`, `/backends/{name}/edit`, `/models`, `/models/{name}`, `/audit`).

mod add_backend;
mod audit;
mod backend;
mod backend_dialogs;
mod backends;
mod edit_backend;
mod login;
mod model;
mod models;

pub use add_backend::AddBackendPage;
pub use audit::AuditPage;
pub use backend::BackendPage;
pub use backends::BackendsPage;
pub use edit_backend::EditBackendPage;
pub use login::LoginPage;
pub use model::ModelPage;
pub use models::ModelsPage;

use leptos::prelude::*;
use leptos_router::components::A;

use crate::routes::Route;
use crate::session::{PageState, use_session};

/// Any path the console does not know.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    let session = use_session();
    session.state.set(PageState::Ready);
    view! {
        <section class="sbc-page" data-testid="not-found">
            <h1>"Page not found"</h1>
            <p>"There is no such page in the console. " <A href=session.href(&Route::Backends)>"Go to the backends"</A> "."</p>
        </section>
    }
}
