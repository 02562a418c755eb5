//! A data table as every list of the console shows one: scrollable on a narrow screen, with a
//! caption for screen readers and column headings; and what a windowed table (the backends list,
//! which may hold 10,000 rows) needs to render only the rows in view.

use std::hash::Hash;

use leptos::html::Tbody;
use leptos::prelude::*;
use leptos::tachys::view::{Mountable, Render};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::windowing::Viewport;

/// A table of `columns` whose body is `children` (its rows).
#[component]
pub fn Table(
    /// The table's `data-testid`.
    testid: &'static str,
    /// What the table holds, for screen readers.
    caption: &'static str,
    /// The column headings.
    columns: &'static [&'static str],
    /// The columns that hold numbers (right-aligned), by heading.
    #[prop(optional)]
    numeric: &'static [&'static str],
    /// What some columns mean, on hover: (heading, meaning).
    #[prop(optional)]
    titles: &'static [(&'static str, &'static str)],
    #[prop(default = "sbc-table")] class: &'static str,
    children: Children,
) -> impl IntoView {
    let headings = columns
        .iter()
        .map(|&heading| {
            let title = titles.iter().find(|(h, _)| *h == heading).map(|(_, t)| *t);
            view! {
                <th scope="col" class:sbc-number=numeric.contains(&heading) title=title>
                    {heading}
                </th>
            }
        })
        .collect_view();
    view! {
        <div class="sbc-table-wrap">
            <table class=class data-testid=testid>
                <caption class="sbc-visually-hidden">{caption}</caption>
                <thead>
                    <tr>{headings}</tr>
                </thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}

/// Where a windowed table's body is on screen (see [`crate::windowing`]), measured from `body`
/// once it is mounted, then again at every scroll (the page's, or any element's around the
/// console: a host's scrolling panel) and resize, until the console is unmounted. Only a new
/// measurement is written, so a scroll within the same rows renders nothing.
pub fn follow_viewport(body: NodeRef<Tbody>, viewport: RwSignal<Viewport>) {
    let measure = move || {
        let Some(body) = body.get_untracked() else {
            return;
        };
        let current = viewport.get_untracked();
        let row_height = body
            .query_selector("tr[aria-rowindex]")
            .ok()
            .flatten()
            .map(|row| row.get_bounding_client_rect().height())
            .filter(|h| *h >= 1.0)
            .unwrap_or(current.row_height);
        let measured = Viewport {
            offset: -body.get_bounding_client_rect().top(),
            height: viewport_height(),
            row_height,
        };
        if measured != current {
            viewport.set(measured);
        }
    };
    Effect::new(move || {
        if body.get().is_some() {
            measure();
        }
    });
    let Some(window) = web_sys::window() else {
        return;
    };
    let listener = Closure::<dyn Fn()>::new(measure);
    // Scroll events do not bubble: caught on the way down, they come from any scrolling element.
    let scroll = web_sys::AddEventListenerOptions::new();
    scroll.set_capture(true);
    scroll.set_passive(true);
    let callback: &js_sys::Function = listener.as_ref().unchecked_ref();
    let added = window
        .add_event_listener_with_callback_and_add_event_listener_options(
            "scroll", callback, &scroll,
        )
        .and_then(|()| window.add_event_listener_with_callback("resize", callback));
    if added.is_err() {
        return;
    }
    let listening = StoredValue::new_local(Some(Listening { window, listener }));
    on_cleanup(move || {
        listening.try_set_value(None);
    });
}

/// The window's listeners of [`follow_viewport`], removed when dropped.
struct Listening {
    window: web_sys::Window,
    listener: Closure<dyn Fn()>,
}

impl Drop for Listening {
    fn drop(&mut self) {
        let callback: &js_sys::Function = self.listener.as_ref().unchecked_ref();
        let _ = self
            .window
            .remove_event_listener_with_callback_and_bool("scroll", callback, true);
        let _ = self
            .window
            .remove_event_listener_with_callback("resize", callback);
    }
}

/// What a windowed table assumes before it has measured anything: at the top of the viewport,
/// with rows of the usual height, so a first render fills the screen.
pub fn first_viewport() -> Viewport {
    Viewport {
        offset: 0.0,
        height: viewport_height(),
        row_height: 41.0,
    }
}

fn viewport_height() -> f64 {
    web_sys::window()
        .and_then(|w| w.inner_height().ok())
        .and_then(|h| h.as_f64())
        .unwrap_or(1000.0)
}

/// A row of a windowed table's body standing for `rows` rows that are not rendered: as tall as
/// they would be, hidden from screen readers (the rows' `aria-rowindex` says where they are).
pub fn gap_row(rows: usize, columns: usize, viewport: RwSignal<Viewport>) -> impl IntoView {
    let height = move || format!("{}px", rows as f64 * viewport.with(|v| v.row_height));
    view! {
        <tr class="sbc-table__gap" aria-hidden="true">
            <td colspan=columns style:height=height></td>
        </tr>
    }
}

/// Renders `slots` into `body`, each with `render`, keeping the DOM nodes of every slot that stays
/// exactly where they are: a windowed body only ever drops rows and adds rows between those that
/// stay, in the same order, so nothing is ever moved. (Leptos' `For` may move a row that stays,
/// which takes the focus away from its link and, with most rows out, scrolls the page to the top.)
/// Each slot's view has its own reactive owner, disposed with the slot.
pub fn keyed_body<K, V>(
    body: NodeRef<Tbody>,
    slots: Memo<Vec<K>>,
    render: impl Fn(K) -> V + 'static,
) where
    K: Copy + Eq + Hash + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let owner = Owner::current().unwrap_or_default();
    let rendered = StoredValue::new_local(Vec::<(K, Owner, <View<V> as Render>::State)>::new());
    Effect::new(move || {
        let new = slots.get();
        let Some(parent) = body.get() else {
            return;
        };
        let parent: &web_sys::Element = &parent;
        rendered.update_value(|old| {
            let staying: std::collections::HashSet<K> = new.iter().copied().collect();
            old.retain_mut(|(key, row_owner, state)| {
                let stays = staying.contains(key);
                if !stays {
                    state.unmount();
                    row_owner.cleanup();
                }
                stays
            });
            let mut kept = std::mem::take(old).into_iter().peekable();
            for key in new {
                if kept.peek().is_some_and(|(k, ..)| *k == key) {
                    old.extend(kept.next());
                    continue;
                }
                let row_owner = owner.child();
                let mut state = row_owner.with(|| render(key).into_view().build());
                match kept.peek() {
                    Some((_, _, next)) => {
                        next.insert_before_this(&mut state);
                    }
                    None => state.mount(parent, None),
                }
                old.push((key, row_owner, state));
            }
        });
    });
}
