//! The change feed.

use async_trait::async_trait;
use futures::stream::BoxStream;
use secret_backends_api::Event;

use super::Caller;
use crate::error::Result;

/// The subscriber fell behind and missed this many changes: reload what you show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("missed {missed} changes")]
pub struct Lagged {
    pub missed: u64,
}

/// One subscriber's changes, in order, until the subscriber drops it.
pub type EventStream = BoxStream<'static, Result<Event, Lagged>>;

#[async_trait]
pub trait Events: Send + Sync + 'static {
    /// Subscribes to the change feed: every change after this call, as its kind and the name of
    /// what changed (never a value). Anyone logged in.
    async fn events(&self, caller: &Caller) -> Result<EventStream>;
}
