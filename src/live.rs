//! Keeping every page current without polling: the service's change feed (`/api/v1/events`,
//! server-sent events opened with a single-use ticket) bumps [`Session::changes`], which the
//! pages' resources read, so they fetch again when another admin changes something. A clock
//! signal ticks for "checked N s ago". Both stop when the console is unmounted.

use std::time::Duration;

use leptos::prelude::*;
use secret_backends_api::{Event, EventKind};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::session::Session;
use crate::time::now_ms;

/// How long to wait before opening the feed again after it closed.
const RECONNECT_AFTER: Duration = Duration::from_secs(5);

/// How often the clock ticks.
const CLOCK_TICK: Duration = Duration::from_secs(5);

/// An open feed: the `EventSource` and the listeners it calls (dropped together).
struct Feed {
    source: web_sys::EventSource,
    _listeners: Vec<Closure<dyn FnMut(web_sys::MessageEvent)>>,
}

impl Drop for Feed {
    fn drop(&mut self) {
        self.source.close();
    }
}

/// Starts the clock and, while logged in, the change feed. Call once, in the console's root.
pub fn start(session: Session) {
    if let Ok(handle) = set_interval_with_handle(move || session.now.set(now_ms()), CLOCK_TICK) {
        on_cleanup(move || handle.clear());
    }

    let feed: StoredValue<Option<Feed>, LocalStorage> = StoredValue::new_local(None);
    let generation = StoredValue::new(0u64);
    let retry: StoredValue<Option<TimeoutHandle>> = StoredValue::new(None);
    Effect::new(move || {
        let logged_in = session.api.logged_in();
        // Any change of login state ends the current feed and its pending reconnects.
        generation.update_value(|g| *g += 1);
        feed.set_value(None);
        if logged_in {
            open(session, feed, generation, retry, generation.get_value());
        }
    });
    on_cleanup(move || {
        generation.update_value(|g| *g += 1);
        feed.set_value(None);
        if let Some(handle) = retry.try_get_value().flatten() {
            handle.clear();
        }
    });
}

fn open(
    session: Session,
    feed: StoredValue<Option<Feed>, LocalStorage>,
    generation: StoredValue<u64>,
    retry: StoredValue<Option<TimeoutHandle>>,
    mine: u64,
) {
    leptos::task::spawn_local(async move {
        let current = move || generation.try_get_value() == Some(mine);
        let url = match session.api.events_url().await {
            Ok(url) if current() => url,
            Ok(_) => return,
            Err(_) => {
                reconnect_later(session, feed, generation, retry, mine);
                return;
            }
        };
        let Ok(source) = web_sys::EventSource::new(&url) else {
            return;
        };
        let mut listeners = Vec::new();
        let kinds = [
            EventKind::BackendAdded,
            EventKind::BackendUpdated,
            EventKind::BackendRemoved,
            EventKind::BackendStatus,
            EventKind::ModelUpdated,
        ];
        for kind in kinds.iter().map(|k| k.as_str()).chain(["resync"]) {
            let listener = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
                move |message: web_sys::MessageEvent| {
                    let event = message
                        .data()
                        .as_string()
                        .and_then(|d| serde_json::from_str::<Event>(&d).ok());
                    session.last_event.set(event);
                    session.changes.update(|n| *n += 1);
                },
            );
            let _ =
                source.add_event_listener_with_callback(kind, listener.as_ref().unchecked_ref());
            listeners.push(listener);
        }
        // The ticket works once: when the stream ends, open a new one with a new ticket.
        let on_error = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_| {
            if !current() {
                return;
            }
            let closed = feed.with_value(|f| {
                f.as_ref()
                    .is_none_or(|f| f.source.ready_state() == web_sys::EventSource::CLOSED)
            });
            if closed {
                feed.set_value(None);
                reconnect_later(session, feed, generation, retry, mine);
            }
        });
        let _ = source.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
        listeners.push(on_error);
        if current() {
            feed.set_value(Some(Feed {
                source,
                _listeners: listeners,
            }));
        } else {
            source.close();
        }
    });
}

fn reconnect_later(
    session: Session,
    feed: StoredValue<Option<Feed>, LocalStorage>,
    generation: StoredValue<u64>,
    retry: StoredValue<Option<TimeoutHandle>>,
    mine: u64,
) {
    let handle = set_timeout_with_handle(
        move || {
            if generation.try_get_value() == Some(mine) {
                open(session, feed, generation, retry, mine);
            }
        },
        RECONNECT_AFTER,
    );
    retry.try_set_value(handle.ok());
}
