//! The change feed, polled: Juju has no feed of backend changes, so each subscriber's stream
//! looks at the backends and models every [`POLL_SECONDS`] as the subscriber's own session, and
//! tells what changed since the last look: a backend added, removed, changed or with a new
//! status; a model with a new backend. The stream ends with the session.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures::StreamExt;
use secret_backends_api::{ErrorCode, Event, EventKind, POLL_SECONDS, SecretBackend};

use super::JujuBridge;
use crate::controller::{Caller, EventStream, Events, ListOptions, Models};
use crate::error::Result;

/// What a look saw: each backend's version and status, each model's setting.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Seen {
    backends: BTreeMap<String, (String, String)>,
    models: BTreeMap<String, String>,
}

impl JujuBridge {
    async fn look(&self, caller: &Caller) -> Result<Seen> {
        let backends =
            crate::controller::Backends::backends_list(self, caller, ListOptions::default())
                .await?;
        let models = self.models_list(caller).await?;
        Ok(Seen {
            backends: backends.into_iter().map(seen_backend).collect(),
            models: models
                .into_iter()
                .map(|m| (m.name, m.secret_backend))
                .collect(),
        })
    }
}

fn seen_backend(backend: SecretBackend) -> (String, (String, String)) {
    let version = serde_json::json!([backend.config, backend.token_rotate_interval, backend.id]);
    let status = format!(
        "{}\n{}",
        backend.status.as_str(),
        backend.message.unwrap_or_default()
    );
    (backend.name, (version.to_string(), status))
}

/// The events that lead from `before` to `after`.
pub(super) fn changes(before: &Seen, after: &Seen) -> Vec<Event> {
    let event = |kind, name: &str| Event {
        kind,
        name: name.to_owned(),
    };
    let mut events = Vec::new();
    for (name, (version, status)) in &after.backends {
        match before.backends.get(name) {
            None => events.push(event(EventKind::BackendAdded, name)),
            Some((v, _)) if v != version => events.push(event(EventKind::BackendUpdated, name)),
            Some((_, s)) if s != status => events.push(event(EventKind::BackendStatus, name)),
            Some(_) => {}
        }
    }
    for name in before.backends.keys() {
        if !after.backends.contains_key(name) {
            events.push(event(EventKind::BackendRemoved, name));
        }
    }
    for (name, setting) in &after.models {
        if before.models.get(name) != Some(setting) {
            events.push(event(EventKind::ModelUpdated, name));
        }
    }
    events
}

#[async_trait]
impl Events for JujuBridge {
    async fn events(&self, caller: &Caller) -> Result<EventStream> {
        let bridge: Arc<JujuBridge> = self
            .me
            .upgrade()
            .ok_or_else(crate::error::Error::unauthorized)?;
        let first = bridge.look(caller).await?;
        let caller = caller.clone();
        let every = Duration::from_secs(POLL_SECONDS);
        let looks = futures::stream::unfold(
            (bridge, caller, first),
            move |(bridge, caller, before)| async move {
                loop {
                    tokio::time::sleep(every).await;
                    match bridge.look(&caller).await {
                        Ok(after) => {
                            let events = changes(&before, &after);
                            return Some((events, (bridge, caller, after)));
                        }
                        // The session ended: so does its feed.
                        Err(e) if e.code() == ErrorCode::Unauthorized => return None,
                        // Unreachable for now: look again next time.
                        Err(e) => tracing::debug!(error = %e, "a polled look failed"),
                    }
                }
            },
        );
        Ok(looks
            .flat_map(|events| futures::stream::iter(events.into_iter().map(Ok)))
            .boxed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(backends: &[(&str, &str, &str)], models: &[(&str, &str)]) -> Seen {
        Seen {
            backends: backends
                .iter()
                .map(|(n, v, s)| (n.to_string(), (v.to_string(), s.to_string())))
                .collect(),
            models: models
                .iter()
                .map(|(n, s)| (n.to_string(), s.to_string()))
                .collect(),
        }
    }

    #[test]
    fn each_difference_is_one_event_of_its_kind() {
        let before = seen(
            &[
                ("a", "1", "active"),
                ("b", "1", "active"),
                ("c", "1", "active"),
            ],
            &[("m", "auto")],
        );
        let after = seen(
            &[
                ("a", "2", "active"),
                ("b", "1", "error"),
                ("d", "1", "active"),
            ],
            &[("m", "a")],
        );
        let kinds: Vec<(EventKind, String)> = changes(&before, &after)
            .into_iter()
            .map(|e| (e.kind, e.name))
            .collect();
        assert_eq!(
            kinds,
            [
                (EventKind::BackendUpdated, "a".to_owned()),
                (EventKind::BackendStatus, "b".to_owned()),
                (EventKind::BackendAdded, "d".to_owned()),
                (EventKind::BackendRemoved, "c".to_owned()),
                (EventKind::ModelUpdated, "m".to_owned()),
            ]
        );
        assert!(changes(&after, &after).is_empty());
    }
}
