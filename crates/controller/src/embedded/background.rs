//! Work off the request path: health checks of external backends (a round: see
//! `backends/health.rs`), token rotation when due, and draining content out of a model's
//! previous backend. Each is a method the tests call directly,
//! and [`EmbeddedController::spawn_background`] runs them on timers.

use std::sync::Arc;
use std::time::Duration;

use secret_backends_api::EventKind;

use super::backends::RotateError;
use super::models::{delete_content, read_content, write_content};
use super::snapshot::{Snapshot, Target};
use super::store::{self, RevisionRow};
use super::{EmbeddedController, now};
use crate::error::Result;

/// How often each job runs.
#[derive(Debug, Clone, Copy)]
pub struct Background {
    /// A round of health checks: every distinct server (reachable, unsealed).
    pub health_every: Duration,
    /// About how often each backend's own credentials are checked, spread over the rounds.
    pub token_check_every: Duration,
    pub rotation_every: Duration,
    pub drain_every: Duration,
}

impl Default for Background {
    fn default() -> Self {
        Background {
            health_every: Duration::from_secs(5),
            token_check_every: Duration::from_secs(300),
            rotation_every: Duration::from_secs(5),
            drain_every: Duration::from_secs(30),
        }
    }
}

impl EmbeddedController {
    /// Starts the background jobs; they stop when the controller is dropped.
    pub fn spawn_background(self: &Arc<Self>, timing: Background) {
        let weak = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut health = tokio::time::interval(timing.health_every);
            let mut rotation = tokio::time::interval(timing.rotation_every);
            let mut drain = tokio::time::interval(timing.drain_every);
            for t in [&mut health, &mut rotation, &mut drain] {
                t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            }
            loop {
                let Some(controller) = weak.upgrade() else {
                    return;
                };
                let job = tokio::select! {
                    _ = health.tick() => controller.health_round_with(&timing).await,
                    _ = rotation.tick() => controller.rotate_due().await,
                    _ = drain.tick() => controller.drain_all().await,
                    () = controller.drain_wake.notified() => controller.drain_all().await,
                };
                if let Err(e) = job {
                    tracing::warn!(error = %e, "background job failed");
                }
            }
        });
    }

    /// Rotates the token of every backend whose rotation is due.
    pub async fn rotate_due(&self) -> Result<()> {
        let due = self
            .store
            .call(|c| store::backends_due_for_rotation(c, now()))
            .await?;
        for row in due {
            if let Some(interval) = row.token_rotate_secs {
                // A failure is recorded on the backend and retried later; it is not a job error.
                if let Err(RotateError::Store(e)) = self.rotate(row, interval, "controller").await {
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    /// Moves every revision whose content is not in its model's current backend there: write
    /// to the new place, point the record at it, then delete the old copy (a crash in between
    /// leaves a stray copy, never a lost one).
    pub async fn drain_all(&self) -> Result<()> {
        let _one_drain = self.drain_lock.lock().await;
        let uuid = self.controller_uuid.clone();
        let (snapshot, revisions) = self
            .store
            .call(move |c| Ok((Snapshot::read(c, &uuid)?, store::revisions_all(c)?)))
            .await?;
        let mut touched = Vec::new();
        for revision in revisions {
            let Some(model) = snapshot
                .models
                .iter()
                .find(|m| m.uuid == revision.model_uuid)
            else {
                continue;
            };
            let target = snapshot.target(model);
            if revision.backend_id == target.id() {
                continue;
            }
            let Some(source) = source_of(&snapshot, &revision) else {
                tracing::warn!(secret = %revision.secret_uri, "content in an unknown backend; left in place");
                continue;
            };
            match self
                .move_revision(&source, &target, &model.name, &revision)
                .await
            {
                Ok(()) => touched.push(model.name.clone()),
                Err(e) => {
                    tracing::warn!(secret = %revision.secret_uri, revision = revision.revision, error = %e, "cannot drain yet; will retry")
                }
            }
        }
        touched.dedup();
        self.emit_each(EventKind::ModelUpdated, &touched);
        Ok(())
    }

    /// Moves one revision's content from `source` to `target` (also a forced removal's move).
    pub(super) async fn move_revision(
        &self,
        source: &Target,
        target: &Target,
        model_name: &str,
        revision: &RevisionRow,
    ) -> std::result::Result<(), String> {
        let content = read_content(source, model_name, revision)
            .await
            .map_err(|e| e.to_string())?;
        let kept = write_content(target, model_name, revision, &content)
            .await
            .map_err(|e| e.to_string())?;
        let (uri, number, to) = (
            revision.secret_uri.clone(),
            revision.revision,
            target.id().to_owned(),
        );
        self.store
            .call(move |c| store::revision_move(c, &uri, number, &to, kept.as_deref()))
            .await
            .map_err(|e| e.to_string())?;
        if let Err(e) = delete_content(source, model_name, revision).await {
            tracing::warn!(secret = %revision.secret_uri, error = %e, "moved, but the old copy could not be deleted");
        }
        Ok(())
    }
}

/// Where a revision's content is now.
fn source_of(snapshot: &Snapshot, revision: &RevisionRow) -> Option<Target> {
    if let Some(row) = snapshot
        .backends
        .iter()
        .find(|b| b.id == revision.backend_id)
    {
        return Some(Target::External(row.clone()));
    }
    snapshot
        .name_of(&revision.backend_id)
        .map(|name| Target::Controller {
            id: revision.backend_id.clone(),
            name,
        })
}
