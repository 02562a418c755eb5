//! The audit trail, as recorded by each change in its own transaction.

use async_trait::async_trait;
use secret_backends_api::AuditEntry;

use super::store;
use super::{EmbeddedController, require_superuser};
use crate::controller::{Audit, Caller};
use crate::error::Result;

#[async_trait]
impl Audit for EmbeddedController {
    async fn audit_list(
        &self,
        caller: &Caller,
        backend: Option<String>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>> {
        require_superuser(caller)?;
        let limit = limit.clamp(1, 1000);
        self.store
            .call(move |c| store::audit_list(c, backend.as_deref(), limit))
            .await
    }
}
