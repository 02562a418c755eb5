//! A native modal `<dialog>` that keeps the keyboard inside it and gives the focus back.

use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// What a modal dialog can take focus on.
const FOCUSABLE: &str = "a[href], button:not([disabled]), input:not([disabled]), \
    select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex=\"-1\"])";

/// A native modal `<dialog>`, shown with `showModal()` when it mounts so that the page behind it
/// is inert. It focuses the element `initial_focus` (a selector) finds inside it, keeps Tab and
/// Shift+Tab inside it, calls `on_cancel` on Escape, and gives focus back to `opener` when it
/// goes.
#[component]
pub fn Modal(
    testid: &'static str,
    /// The id of the element that names the dialog.
    title_id: &'static str,
    initial_focus: &'static str,
    opener: NodeRef<leptos::html::Button>,
    on_cancel: Callback<()>,
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    Effect::new(move || {
        let Some(d) = dialog.get() else { return };
        if !d.open() {
            let _ = d.show_modal();
        }
        if let Ok(Some(first)) = d.query_selector(initial_focus)
            && let Ok(first) = first.dyn_into::<web_sys::HtmlElement>()
        {
            let _ = first.focus();
        }
    });
    on_cleanup(move || {
        if let Some(d) = dialog.try_get_untracked().flatten() {
            d.close();
        }
        // Once the dialog is gone (its removal may come after this), the page is no longer inert.
        set_timeout(
            move || {
                if let Some(button) = opener.try_get_untracked().flatten() {
                    let _ = button.focus();
                }
            },
            Duration::ZERO,
        );
    });
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        if ev.key() != "Tab" {
            return;
        }
        let Some(d) = dialog.get_untracked() else {
            return;
        };
        let Ok(nodes) = d.query_selector_all(FOCUSABLE) else {
            return;
        };
        let focusable: Vec<web_sys::HtmlElement> = (0..nodes.length())
            .filter_map(|i| nodes.item(i))
            .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
            .filter(|e| e.offset_width() > 0 || e.offset_height() > 0)
            .collect();
        let (Some(first), Some(last)) = (focusable.first(), focusable.last()) else {
            return;
        };
        let active = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element());
        let at = |e: &web_sys::HtmlElement| {
            active
                .as_ref()
                .is_some_and(|a| a == e.unchecked_ref::<web_sys::Element>())
        };
        // Tab past the last control (or Shift+Tab before the first) wraps round, rather than
        // leaving for the browser's own toolbar.
        let to = if ev.shift_key() && at(first) {
            last
        } else if !ev.shift_key() && at(last) {
            first
        } else {
            return;
        };
        ev.prevent_default();
        let _ = to.focus();
    };
    view! {
        <dialog
            node_ref=dialog
            class="sbc-dialog"
            aria-labelledby=title_id
            data-testid=testid
            on:keydown=on_keydown
            on:cancel=move |ev: web_sys::Event| {
                ev.prevent_default();
                on_cancel.run(());
            }
        >
            {children()}
        </dialog>
    }
}
