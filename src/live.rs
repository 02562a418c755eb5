//! Keeping every page current without polling: the service's change feed (`/api/v1/events`,
//! server-sent events opened with a single-use ticket) bumps [`Session::changes`], which the
//! pages' resources read, so they fetch again when another admin changes something. A clock
//! signal ticks for "checked N s ago". Both stop when the console is unmounted.
//!
//! The feed is gloo-net's `EventSource`: dropping it closes the stream, and its subscriptions
//! take their listeners with them when the task reading them ends (which the close causes). A
//! generation counter tells that task, and a pending reconnect, that the feed they belong to is
//! gone (logged out, or the console unmounted).

use std::time::Duration;

use futures::StreamExt;
use gloo_net::eventsource::futures::EventSource;
use leptos::prelude::*;
use secret_backends_api::{Event, EventKind};

use crate::session::Session;
use crate::time::now_ms;

/// How long to wait before opening the feed again after it closed.
const RECONNECT_AFTER: Duration = Duration::from_secs(5);

/// How often the clock ticks.
const CLOCK_TICK: Duration = Duration::from_secs(5);

/// Starts the clock and, while logged in, the change feed. Call once, in the console's root.
pub fn start(session: Session) {
    if let Ok(handle) = set_interval_with_handle(move || session.now.set(now_ms()), CLOCK_TICK) {
        on_cleanup(move || handle.clear());
    }

    let feed = Feed {
        session,
        source: StoredValue::new_local(None),
        generation: StoredValue::new(0),
        retry: StoredValue::new(None),
    };
    Effect::new(move || {
        let logged_in = session.logged_in();
        // Any change of login state ends the current feed and its pending reconnects.
        feed.end();
        if logged_in {
            feed.open(feed.generation.get_value());
        }
    });
    on_cleanup(move || {
        feed.end();
        if let Some(handle) = feed.retry.try_get_value().flatten() {
            handle.clear();
        }
    });
}

/// The change feed's state, shared by the task reading it and its pending reconnect.
#[derive(Clone, Copy)]
struct Feed {
    session: Session,
    /// The open stream; `None` closes it.
    source: StoredValue<Option<EventSource>, LocalStorage>,
    /// Bumped when the feed ends: a task or reconnect of an older generation stops.
    generation: StoredValue<u64>,
    retry: StoredValue<Option<TimeoutHandle>>,
}

impl Feed {
    /// Closes the stream and tells its task and any pending reconnect that they are gone.
    fn end(self) {
        self.generation.update_value(|g| *g += 1);
        self.source.set_value(None);
    }

    /// Whether generation `mine` is still the current one (and the console still mounted).
    fn is_current(self, mine: u64) -> bool {
        self.generation.try_get_value() == Some(mine)
    }

    fn open(self, mine: u64) {
        let session = self.session;
        leptos::task::spawn_local(async move {
            let url = match session.api.events_url().await {
                Ok(url) if self.is_current(mine) => url,
                Ok(_) => return,
                Err(_) => {
                    self.reconnect_later(mine);
                    return;
                }
            };
            let Ok(mut source) = EventSource::new(&url) else {
                return;
            };
            let kinds = [
                EventKind::BackendAdded,
                EventKind::BackendUpdated,
                EventKind::BackendRemoved,
                EventKind::BackendStatus,
                EventKind::ModelUpdated,
            ];
            let subscriptions: Vec<_> = kinds
                .iter()
                .map(|k| k.as_str())
                .chain(["resync"])
                .filter_map(|kind| source.subscribe(kind).ok())
                .collect();
            if !self.is_current(mine) {
                // Dropping the source closes it.
                return;
            }
            self.source.set_value(Some(source));
            let mut events = futures::stream::select_all(subscriptions);
            while let Some(next) = events.next().await {
                if !self.is_current(mine) {
                    return;
                }
                match next {
                    Ok((_, message)) => {
                        let event = message
                            .data()
                            .as_string()
                            .and_then(|d| serde_json::from_str::<Event>(&d).ok());
                        session.last_event.set(event);
                        session.changes.update(|n| *n += 1);
                    }
                    // The stream closed (a browser's own reconnect attempts are not reported).
                    // The ticket works once: open a new one with a new ticket.
                    Err(_) => {
                        self.source.set_value(None);
                        self.reconnect_later(mine);
                        return;
                    }
                }
            }
        });
    }

    fn reconnect_later(self, mine: u64) {
        let handle = set_timeout_with_handle(
            move || {
                if self.is_current(mine) {
                    self.open(mine);
                }
            },
            RECONNECT_AFTER,
        );
        self.retry.try_set_value(handle.ok());
    }
}
