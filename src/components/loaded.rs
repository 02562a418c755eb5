//! A page's data as it loads: progress while it is on its way, the service's sentence (with
//! "Try again") when it failed, the content once it is in. The page's readiness (`data-state` on
//! the root) is reported here, so that no page writes it by hand.

use leptos::prelude::*;

use crate::api::ApiResult;
use crate::components::{Alert, Progress};
use crate::session::use_session;

/// Shows `resource` as it loads; `children` makes the content from the loaded value.
///
/// While the resource fetches again (the change feed, a reload), the last value stays on screen
/// rather than a progress line, so a live update does not blink.
#[component]
pub fn Loaded<T, V, F>(
    /// The data.
    resource: LocalResource<ApiResult<T>>,
    /// What the wait says, e.g. "Loading backends…".
    #[prop(into)]
    label: String,
    /// Whether this is the page's own load, whose state is the page's `data-state`. A second
    /// load on a page (an excerpt, a picker's choices) says `false`.
    #[prop(default = true)]
    report: bool,
    /// Whether a failure offers "Try again".
    #[prop(default = true)]
    retry: bool,
    /// A heading shown above a failure (when the content carries the page's heading).
    #[prop(optional, into)]
    error_heading: Option<Signal<String>>,
    /// Shown below a failure, e.g. a way back.
    #[prop(optional, into)]
    error_footer: Option<ViewFn>,
    /// The content, from the loaded value.
    children: F,
) -> impl IntoView
where
    T: Clone + 'static,
    F: Fn(T) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let session = use_session();
    if report {
        Effect::new(move || session.report(resource.get().as_ref()));
    }
    let last = StoredValue::new_local(None::<T>);
    let retry = retry.then(|| Callback::new(move |()| resource.refetch()));
    move || match resource.get() {
        Some(Ok(value)) => {
            last.set_value(Some(value.clone()));
            children(value).into_any()
        }
        Some(Err(e)) => {
            last.set_value(None);
            let footer = error_footer.clone();
            let alert = match retry {
                Some(retry) => view! { <Alert message=e.message() retry=retry /> }.into_any(),
                None => view! { <Alert message=e.message() /> }.into_any(),
            };
            view! {
                {error_heading.map(|h| view! { <h1>{move || h.get()}</h1> })}
                {alert}
                {footer.map(|f| f.run())}
            }
            .into_any()
        }
        None => match last.get_value() {
            Some(value) => children(value).into_any(),
            None => view! { <Progress label=label.clone() /> }.into_any(),
        },
    }
}
