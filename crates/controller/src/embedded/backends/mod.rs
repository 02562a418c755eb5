//! Secret backends: add, list, get, update, remove, reveal, test, check and rotate the token
//! (`docs/rules.md`: add, list, update, rename, remove, sensitive values, token rotation); their
//! health checks in `health.rs`.

mod health;
mod listed;
mod plan;
mod removal;
mod rotation;

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use secret_backends_api::{
    AUTO_BACKEND, AddBackendRequest, AuditAction, BackendCheck, BackendCheckRequest, BackendStatus,
    BackendType, ErrorCode, EventKind, GoDuration, INTERNAL_BACKEND, RemovedBackend, SecretBackend,
    UpdateBackendRequest, ValidationError, is_built_in_backend, validate,
};

pub(super) use self::health::HealthBook;
pub(super) use self::listed::Listed;
use self::listed::Whole;
pub(super) use self::rotation::RotateError;
use self::rotation::next_rotation;
use super::drivers;
use super::snapshot::{Snapshot, backend_version, built_in_version};
use super::store::{self, AuditRecord, BackendRow};
use super::{EmbeddedController, check_version, now, require_superuser};
use crate::controller::backends::list_json;
use crate::controller::{Backends, Caller, Change, ListOptions, Removal, Versioned};
use crate::error::{Error, Result};

fn built_in_immutable() -> Error {
    Error::refused(
        ErrorCode::NotValid,
        "built-in secret backends are immutable",
    )
}

#[async_trait]
impl Backends for EmbeddedController {
    async fn backends_list(
        &self,
        caller: &Caller,
        options: ListOptions,
    ) -> Result<Vec<SecretBackend>> {
        if options.reveal {
            require_superuser(caller)?;
        }
        if options.names.is_none() && !options.reveal {
            return Ok(self.whole_list().await?.backends.clone());
        }
        let (backends, revealed) = self.read_list(&options).await?;
        for (name, keys) in revealed {
            self.store.audit(reveal_record(caller, &name, keys)).await?;
        }
        Ok(backends)
    }

    async fn backends_list_json(&self, caller: &Caller, options: ListOptions) -> Result<Bytes> {
        if options.names.is_none() && !options.reveal {
            return self.whole_list().await?.json();
        }
        list_json(self.backends_list(caller, options).await?)
    }

    async fn backend_get(
        &self,
        caller: &Caller,
        name: &str,
        reveal: bool,
    ) -> Result<Versioned<SecretBackend>> {
        if reveal {
            require_superuser(caller)?;
        }
        let (uuid, owned) = (self.controller_uuid.clone(), name.to_owned());
        let mut snapshot = self
            .store
            .call(move |c| {
                if owned == INTERNAL_BACKEND {
                    // Which models use `internal` depends on every backend the models name.
                    return Snapshot::read(c, &uuid);
                }
                let row = store::backend_get(c, &owned)?;
                Snapshot::read_only(c, &uuid, row.into_iter().collect())
            })
            .await?;
        self.health.overlay(&mut snapshot.backends);
        if name == INTERNAL_BACKEND {
            return Ok(Versioned {
                value: snapshot.internal_answer(),
                version: built_in_version(&snapshot.controller_uuid),
            });
        }
        if let Some(local) = snapshot
            .local_answers()
            .into_iter()
            .find(|b| b.name == name)
        {
            let version = built_in_version(&local.id);
            return Ok(Versioned {
                value: local,
                version,
            });
        }
        let row = snapshot
            .backends
            .iter()
            .find(|b| b.name == name)
            .ok_or_else(|| Error::backend_not_found(name))?;
        let answer = snapshot.backend_answer(row, reveal);
        if reveal && !answer.sensitive_set.is_empty() {
            let record = reveal_record(caller, name, answer.sensitive_set.clone());
            self.store.audit(record).await?;
        }
        Ok(Versioned {
            value: answer,
            version: backend_version(row),
        })
    }

    async fn backend_add(
        &self,
        caller: &Caller,
        request: AddBackendRequest,
    ) -> Result<Versioned<SecretBackend>> {
        require_superuser(caller)?;
        let validate::CheckedAdd {
            backend_type,
            config,
            token_rotate_interval: rotate,
        } = validate::add_request(&request)?;
        let id = request
            .import_id
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        // Refuse a duplicate before the (slow) ping, and again in the write transaction below.
        let probe = (request.name.clone(), id.clone());
        self.store
            .call(move |c| check_unique(c, &probe.0, &probe.1))
            .await?;

        drivers::ping(backend_type, &config)
            .await
            .map_err(|e| Error::refused(ErrorCode::Unreachable, e.to_string()))?;

        let at = now();
        let row = BackendRow {
            id,
            name: request.name,
            backend_type,
            config,
            token_rotate_secs: rotate.map(GoDuration::as_secs),
            revision: 1,
            status: BackendStatus::Active,
            message: None,
            checked_at: Some(at),
            next_rotation_at: rotate.map(|d| next_rotation(at, d.as_secs())),
            last_rotation_at: None,
            last_rotation_error: None,
        };
        let saved = row.clone();
        let record = plan::add_record(&caller.name, &row);
        self.store
            .write(move |tx| {
                check_unique(tx, &saved.name, &saved.id)?;
                store::backend_insert(tx, &saved, now())?;
                Ok(((), record))
            })
            .await?;
        self.health.record_check(&row, at, Ok(()));
        tracing::info!(user = %caller.name, backend = %row.name, r#type = %backend_type, "secret backend added");
        self.emit(EventKind::BackendAdded, &row.name);
        self.answer_for(&row.id).await
    }

    async fn backend_update(
        &self,
        caller: &Caller,
        change: Change<'_, UpdateBackendRequest>,
    ) -> Result<Versioned<SecretBackend>> {
        let (name, request, expected) = (change.name, change.request, change.expected);
        require_superuser(caller)?;
        if is_built_in_backend(name) {
            return Err(built_in_immutable());
        }
        let stored = self.backend_row(name).await?;
        check_version(
            expected,
            &backend_version(&stored),
            &format!("secret backend {name:?}"),
        )?;
        let stored_id = stored.id.clone();
        let plan = plan::plan_update(&stored, &request)?;
        // Ping the merged config, unless forced (force skips only the ping).
        let pinged = if request.force {
            None
        } else {
            drivers::ping(stored.backend_type, &plan.config)
                .await
                .map_err(|e| Error::refused(ErrorCode::Unreachable, e.to_string()))?;
            Some(now())
        };
        let user = caller.name.clone();
        let id = stored.id.clone();
        let (old_name, final_name) = self
            .store
            .write(move |tx| {
                let current = store::backend_get_by_id(tx, &id)?
                    .ok_or_else(|| Error::backend_not_found(&stored.name))?;
                let facts = plan::UpdateFacts {
                    in_use: store::secret_counts(tx)?.get(&id).is_some_and(|n| *n > 0),
                    name_taken: match &plan.rename {
                        Some(new_name) => store::backend_get(tx, new_name)?.is_some(),
                        None => false,
                    },
                    pinged,
                };
                let old_name = current.name.clone();
                let (row, record) = plan::apply_update(current, &plan, facts, &user, now())?;
                if row.name != old_name {
                    store::models_rename_backend(tx, &old_name, &row.name)?;
                }
                store::backend_update(tx, &row)?;
                Ok(((old_name, row.name), record))
            })
            .await?;
        tracing::info!(user = %caller.name, backend = %final_name, "secret backend updated");
        if old_name != final_name {
            self.emit(EventKind::BackendRemoved, &old_name);
            self.emit(EventKind::BackendAdded, &final_name);
        } else {
            self.emit(EventKind::BackendUpdated, &final_name);
        }
        self.answer_for(&stored_id).await
    }

    async fn backend_remove(
        &self,
        caller: &Caller,
        change: Change<'_, Removal>,
    ) -> Result<RemovedBackend> {
        let (name, force, expected) = (change.name, change.request.force, change.expected);
        require_superuser(caller)?;
        if is_built_in_backend(name) {
            return Err(built_in_immutable());
        }
        // A forced removal first moves the content out; no drain or new secret may interleave.
        let _no_drain = if force {
            Some(self.drain_lock.lock().await)
        } else {
            None
        };
        let _no_new_secret = if force {
            Some(self.secret_lock.lock().await)
        } else {
            None
        };
        let (touched, unmoved) = if force {
            self.rescue_content(name, expected).await?
        } else {
            Default::default()
        };
        let owned = name.to_owned();
        let expected = expected.cloned();
        let user = caller.name.clone();
        let (moved_models, lost) = self
            .store
            .write(move |tx| {
                let row = store::backend_get(tx, &owned)?
                    .ok_or_else(|| Error::backend_not_found(&owned))?;
                let remaining: Vec<_> = store::revisions_all(tx)?
                    .into_iter()
                    .filter(|r| r.backend_id == row.id)
                    .collect();
                let lost = removal::left_behind(&remaining, &store::model_list(tx)?, &unmoved);
                let models = store::models_naming_backend(tx, &owned)?;
                let record =
                    plan::plan_remove(&user, &row, expected.as_ref(), force, &lost, models.len())?;
                for m in &models {
                    store::model_set_backend(tx, &m.uuid, AUTO_BACKEND)?;
                }
                if !remaining.is_empty() {
                    store::revisions_forget_backend(tx, &row.id)?;
                }
                store::backend_delete(tx, &row.id)?;
                let moved: Vec<String> = models.into_iter().map(|m| m.name).collect();
                Ok(((moved, lost), record))
            })
            .await?;
        tracing::info!(user = %caller.name, backend = %name, force, left_behind = lost.len(), "secret backend removed");
        self.emit(EventKind::BackendRemoved, name);
        let mut models = moved_models;
        models.extend(
            touched
                .into_iter()
                .filter(|m| !models.contains(m))
                .collect::<Vec<_>>(),
        );
        self.emit_each(EventKind::ModelUpdated, &models);
        Ok(RemovedBackend::new(name, lost))
    }

    async fn backend_test(
        &self,
        caller: &Caller,
        request: BackendCheckRequest,
    ) -> Result<BackendCheck> {
        require_superuser(caller)?;
        let backend_type = BackendType::parse(&request.backend_type)?;
        let config = validate::config(backend_type, &request.config)?;
        Ok(drivers::check(backend_type, &config).await)
    }

    /// Any logged-in user may ask for a fresh check: it reads nothing secret and changes only
    /// the status.
    async fn backend_check(&self, caller: &Caller, name: &str) -> Result<Versioned<SecretBackend>> {
        if is_built_in_backend(name) {
            return self.backend_get(caller, name, false).await;
        }
        let row = self.backend_row(name).await?;
        self.check_one(row.clone()).await?;
        self.answer_for(&row.id).await
    }

    async fn backend_rotate_token(
        &self,
        caller: &Caller,
        name: &str,
    ) -> Result<Versioned<SecretBackend>> {
        require_superuser(caller)?;
        if is_built_in_backend(name) {
            return Err(Error::refused(
                ErrorCode::NotSupported,
                "token refresh on secret backend of type \"controller\" not supported",
            ));
        }
        let row = self.backend_row(name).await?;
        let Some(interval) = row.token_rotate_secs else {
            return Err(ValidationError::field(
                "token-rotate-interval",
                format!("secret backend {name:?} has no token rotate interval: set one first"),
            )
            .into());
        };
        let id = row.id.clone();
        match self.rotate(row, interval, &caller.name).await {
            Ok(()) => {}
            Err(RotateError::Backend(e)) => {
                return Err(Error::refused(
                    ErrorCode::Unreachable,
                    format!("cannot rotate the token of secret backend {name:?}: {e}"),
                ));
            }
            Err(RotateError::Store(e)) => return Err(e),
        }
        self.answer_for(&id).await
    }
}

impl EmbeddedController {
    /// The whole list (no filter, no reveal: the same for every caller), kept until the next
    /// change (`listed.rs`).
    async fn whole_list(&self) -> Result<Arc<Whole>> {
        let generation = self.listed.generation();
        if let Some(kept) = self.listed.get(generation) {
            return Ok(kept);
        }
        let (backends, _) = self.read_list(&ListOptions::default()).await?;
        let whole = Arc::new(Whole::new(backends));
        self.listed.put(generation, whole.clone());
        Ok(whole)
    }

    /// The list as the store and the health checks have it, and what it reveals: each
    /// backend's name with the keys of its sensitive values shown.
    async fn read_list(&self, options: &ListOptions) -> Result<(Vec<SecretBackend>, Revealed)> {
        let uuid = self.controller_uuid.clone();
        let mut snapshot = self.store.call(move |c| Snapshot::read(c, &uuid)).await?;
        self.health.overlay(&mut snapshot.backends);
        let wanted = |name: &str| {
            options
                .names
                .as_ref()
                .is_none_or(|names| names.iter().any(|n| n == name))
        };
        let mut backends = Vec::with_capacity(snapshot.backends.len() + 1);
        if wanted(INTERNAL_BACKEND) {
            backends.push(snapshot.internal_answer());
        }
        backends.extend(
            snapshot
                .local_answers()
                .into_iter()
                .filter(|b| wanted(&b.name)),
        );
        let mut revealed = Vec::new();
        for row in snapshot.backends.iter().filter(|r| wanted(&r.name)) {
            let answer = snapshot.backend_answer(row, options.reveal);
            if options.reveal && !answer.sensitive_set.is_empty() {
                revealed.push((row.name.clone(), answer.sensitive_set.clone()));
            }
            backends.push(answer);
        }
        Ok((backends, revealed))
    }

    /// A stored backend by name.
    async fn backend_row(&self, name: &str) -> Result<BackendRow> {
        let owned = name.to_owned();
        self.store
            .call(move |c| store::backend_get(c, &owned))
            .await?
            .ok_or_else(|| Error::backend_not_found(name))
    }

    /// The answer for one stored backend, read afresh (that backend's row only).
    async fn answer_for(&self, id: &str) -> Result<Versioned<SecretBackend>> {
        let uuid = self.controller_uuid.clone();
        let id = id.to_owned();
        let mut snapshot = self
            .store
            .call(move |c| {
                let row = store::backend_get_by_id(c, &id)?
                    .ok_or_else(|| Error::internal("backend vanished"))?;
                Snapshot::read_only(c, &uuid, vec![row])
            })
            .await?;
        self.health.overlay(&mut snapshot.backends);
        let row = &snapshot.backends[0];
        Ok(Versioned {
            value: snapshot.backend_answer(row, false),
            version: backend_version(row),
        })
    }
}

/// Backends whose sensitive values a list showed, with the keys shown.
type Revealed = Vec<(String, Vec<String>)>;

/// The audit record of showing a backend's sensitive values (`keys`: their names).
fn reveal_record(caller: &Caller, backend: &str, keys: Vec<String>) -> AuditRecord {
    AuditRecord::new(&caller.name, AuditAction::RevealBackend)
        .backend(backend)
        .keys(keys)
}

/// Refuses a backend whose name or id is taken in the store.
fn check_unique(c: &rusqlite::Connection, name: &str, id: &str) -> Result<()> {
    let name_taken = store::backend_get(c, name)?.is_some();
    plan::refuse_duplicate(name, id, name_taken, store::backend_id_exists(c, id)?)
}
