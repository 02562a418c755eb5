//! The audit trail.

use async_trait::async_trait;
use secret_backends_api::AuditEntry;

use super::Caller;
use crate::error::Result;

#[async_trait]
pub trait Audit: Send + Sync + 'static {
    /// Who changed or revealed what, newest first, at most `limit` entries (clamped to 1..=1000),
    /// only `backend`'s when given. Values are never recorded. Superuser only.
    async fn audit_list(
        &self,
        caller: &Caller,
        backend: Option<String>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>>;
}
