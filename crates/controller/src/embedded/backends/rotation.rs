//! Token rotation of stored backends: asking the driver, then recording the outcome.

use secret_backends_api::{AuditAction, ErrorCode, EventKind, GoDuration};

use super::super::drivers::{self, DriverError};
use super::super::store::{self, AuditRecord, BackendRow};
use super::super::{EmbeddedController, now};
use crate::error::Error;

/// When the next rotation is due after one at `at`: the interval's 75%, at most 24 hours.
pub fn next_rotation(at: i64, interval_secs: u64) -> i64 {
    let lead = (interval_secs * 3 / 4).min(24 * 3600);
    at + lead as i64
}

/// How long a failed rotation waits before it is tried again.
pub const ROTATION_RETRY_SECS: i64 = 120;

/// Why a rotation did not happen: the backend refused (recorded on the backend and retried
/// later), or the store failed (nothing recorded).
#[derive(Debug, thiserror::Error)]
pub(in crate::embedded) enum RotateError {
    #[error(transparent)]
    Backend(DriverError),
    #[error(transparent)]
    Store(#[from] Error),
}

impl EmbeddedController {
    /// Mints a fresh token and stores it; records the outcome either way.
    pub(in crate::embedded) async fn rotate(
        &self,
        row: BackendRow,
        interval_secs: u64,
        user: &str,
    ) -> Result<(), RotateError> {
        let lifetime = std::time::Duration::from_secs(interval_secs);
        let minted = drivers::driver(row.backend_type)
            .rotate_token(&row.config, lifetime)
            .await;
        let at = now();
        let outcome = minted.as_ref().map(|_| ()).map_err(Clone::clone);
        let id = row.id.clone();
        let user = user.to_owned();
        let name = row.name.clone();
        let missing = name.clone();
        let written = self
            .store
            .write(move |tx| {
                let current = store::backend_get_by_id(tx, &id)?
                    .ok_or_else(|| Error::backend_not_found(&missing))?;
                let (rotated, record) = apply_rotation(current, &minted, at, &user);
                store::backend_update(tx, &rotated)?;
                Ok(((), record))
            })
            .await;
        match written {
            // Removed while the token was minted: nothing is left to record it on.
            Err(e) if e.code() == ErrorCode::NotFound => {}
            other => other?,
        }
        match &outcome {
            Ok(()) => tracing::info!(backend = %name, "token rotated"),
            Err(e) => {
                tracing::warn!(backend = %name, error = %e, "token rotation failed; retrying in {}", GoDuration::from_secs(ROTATION_RETRY_SECS as u64))
            }
        }
        self.emit(EventKind::BackendUpdated, &name);
        outcome.map_err(RotateError::Backend)
    }
}

/// A rotation's outcome on the stored backend (a new token and the next rotation, or the error
/// and a retry soon), and its audit record.
pub(super) fn apply_rotation(
    mut current: BackendRow,
    minted: &Result<String, DriverError>,
    at: i64,
    user: &str,
) -> (BackendRow, AuditRecord) {
    match minted {
        Ok(token) => {
            current
                .config
                .insert("token".to_owned(), token.clone().into());
            current.revision += 1;
            current.last_rotation_error = None;
            current.next_rotation_at = current.token_rotate_secs.map(|s| next_rotation(at, s));
        }
        Err(message) => {
            current.last_rotation_error = Some(message.to_string());
            current.next_rotation_at = Some(at + ROTATION_RETRY_SECS);
        }
    }
    current.last_rotation_at = Some(at);
    let record = AuditRecord::new(user, AuditAction::RotateToken)
        .backend(&current.name)
        .keys(vec!["token".to_owned()])
        .detail(minted.as_ref().err().map(|e| format!("failed: {e}")));
    (current, record)
}

#[cfg(test)]
mod tests {
    use super::super::plan::tests::vault_row;
    use super::*;

    #[test]
    fn next_rotation_is_three_quarters_of_the_interval_at_most_a_day() {
        assert_eq!(next_rotation(1000, 3600), 1000 + 2700);
        assert_eq!(next_rotation(0, 48 * 3600), 24 * 3600);
        assert_eq!(next_rotation(0, 7 * 24 * 3600), 24 * 3600);
    }

    #[test]
    fn a_minted_token_is_stored_and_the_next_rotation_planned() {
        let (row, record) =
            apply_rotation(vault_row(), &Ok("s.new".to_owned()), 1000, "controller");
        assert_eq!(row.config["token"], "s.new");
        assert_eq!(row.revision, 2);
        assert_eq!(row.last_rotation_at, Some(1000));
        assert_eq!(row.last_rotation_error, None);
        assert_eq!(row.next_rotation_at, Some(1000 + 2700));
        assert_eq!(record.action, AuditAction::RotateToken);
        assert_eq!(record.user, "controller");
        assert_eq!(record.backend.as_deref(), Some("myvault"));
        assert_eq!(record.keys, ["token"]);
        assert_eq!(record.detail, None);
    }

    #[test]
    fn a_failed_rotation_keeps_the_token_and_retries_soon() {
        let failed = Err(DriverError::failed("rotate-token", "permission denied"));
        let (row, record) = apply_rotation(vault_row(), &failed, 1000, "admin");
        assert_eq!(row.config, vault_row().config);
        assert_eq!(row.revision, 1, "a failure is not an edit");
        assert_eq!(
            row.last_rotation_error.as_deref(),
            Some("permission denied")
        );
        assert_eq!(row.next_rotation_at, Some(1000 + ROTATION_RETRY_SECS));
        assert_eq!(record.detail.as_deref(), Some("failed: permission denied"));
    }
}
