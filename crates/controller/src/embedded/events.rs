//! The change feed: one broadcast channel that every change is sent on (see `emit`).

use async_trait::async_trait;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

use super::EmbeddedController;
use crate::controller::{Caller, EventStream, Events, Lagged};
use crate::error::Result;

#[async_trait]
impl Events for EmbeddedController {
    /// Any logged-in user may follow the feed: it names what changed, never a value.
    async fn events(&self, _caller: &Caller) -> Result<EventStream> {
        let changes = BroadcastStream::new(self.events.subscribe())
            .map(|item| item.map_err(|BroadcastStreamRecvError::Lagged(missed)| Lagged { missed }));
        Ok(Box::pin(changes))
    }
}
