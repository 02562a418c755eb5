//! The audit trail, as recorded by each change in its own transaction.

use async_trait::async_trait;
use secret_backends_api::AuditEntry;

use super::store::{self, AuditRow};
use super::{EmbeddedController, require_superuser, rfc3339};
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
        let rows = self
            .store
            .call(move |c| store::audit_list(c, backend.as_deref(), limit))
            .await?;
        Ok(rows.into_iter().map(entry).collect())
    }
}

/// A stored entry as answered.
fn entry(AuditRow { id, at, record }: AuditRow) -> AuditEntry {
    AuditEntry {
        id,
        at: rfc3339(at),
        user: record.user,
        action: record.action.as_str().to_owned(),
        backend: record.backend,
        model: record.model,
        keys: record.keys,
        detail: record.detail,
    }
}
