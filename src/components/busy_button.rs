//! Buttons: a plain one that runs a callback, and one that says what it is doing: while its
//! action runs, it is disabled and its label says so ("Checking…"), so a second click cannot
//! send the request twice.

use leptos::prelude::*;

/// A plain button that runs `on_click`.
#[component]
pub fn Button(
    /// The button's `data-testid`.
    #[prop(into)]
    testid: String,
    on_click: Callback<()>,
    children: Children,
) -> impl IntoView {
    view! {
        <button
            type="button"
            class="sbc-button"
            data-testid=testid
            on:click=move |_| on_click.run(())
        >
            {children()}
        </button>
    }
}

/// A button busy while its action runs.
#[component]
pub fn BusyButton(
    /// The button's `data-testid`.
    testid: &'static str,
    /// The label at rest, e.g. "Check now".
    label: &'static str,
    /// The label while busy, e.g. "Checking…"; the label at rest without it.
    #[prop(optional)]
    busy_label: Option<&'static str>,
    /// Whether the action runs (an action's `pending()`).
    #[prop(into)]
    busy: Signal<bool>,
    /// Disabled while this holds too (e.g. nothing to save yet).
    #[prop(optional, into)]
    blocked: Signal<bool>,
    /// A form's submit button; a plain button otherwise.
    #[prop(optional)]
    submit: bool,
    #[prop(default = "sbc-button")] class: &'static str,
    #[prop(optional)] on_click: Option<Callback<()>>,
    #[prop(optional)] node_ref: NodeRef<leptos::html::Button>,
) -> impl IntoView {
    view! {
        <button
            type=if submit { "submit" } else { "button" }
            class=class
            data-testid=testid
            node_ref=node_ref
            prop:disabled=move || blocked.get() || busy.get()
            on:click=move |_| {
                if let Some(on_click) = on_click {
                    on_click.run(());
                }
            }
        >
            {move || if busy.get() { busy_label.unwrap_or(label) } else { label }}
        </button>
    }
}

/// A [`BusyButton`] that runs `action`, busy while it does.
#[component]
pub fn ActionButton<T: Send + Sync + 'static>(
    /// The button's `data-testid`.
    testid: &'static str,
    label: &'static str,
    busy_label: &'static str,
    action: Action<(), T>,
) -> impl IntoView {
    let run = Callback::new(move |()| {
        action.dispatch(());
    });
    view! {
        <BusyButton
            testid=testid
            label=label
            busy_label=busy_label
            busy=action.pending()
            on_click=run
        />
    }
}
