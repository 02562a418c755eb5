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

use std::future::Future;

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::components::Page;
use crate::routes::Route;
use crate::session::{PageState, use_session};

/// The `:name` of a page's route (`/backends/:name`, `/models/:name`), and what `load` fetches
/// for it, fetched again when the name changes.
fn load_by_name<T, Fut>(load: impl Fn(String) -> Fut + 'static) -> (Memo<String>, LocalResource<T>)
where
    T: 'static,
    Fut: Future<Output = T> + 'static,
{
    let params = use_params_map();
    let name = Memo::new(move |_| params.read().get("name").unwrap_or_default());
    (name, LocalResource::new(move || load(name.get())))
}

/// Any path the console does not know.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    let session = use_session();
    session.state.set(PageState::Ready);
    view! {
        <Page testid="not-found" title="Page not found">
            <p>
                "There is no such page in the console. "
                <A href=session.href(&Route::Backends)>"Go to the backends"</A> "."
            </p>
        </Page>
    }
}
