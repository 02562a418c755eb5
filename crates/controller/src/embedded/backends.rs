//! Secret backends: add, list, get, update, remove, reveal, test, check and rotate the token
//! (`docs/rules.md`: add, list, update, rename, remove, sensitive values, token rotation).

use async_trait::async_trait;
use secret_backends_api::{
    AddBackendRequest, BackendCheck, BackendCheckRequest, BackendStatus, BackendType, Config,
    ErrorCode, EventKind, GoDuration, INTERNAL_BACKEND, SecretBackend, UpdateBackendRequest,
    ValidationError, is_built_in_backend, validate,
};

use super::drivers::{self, DriverError};
use super::snapshot::{Snapshot, backend_version, built_in_version};
use super::store::{self, AuditRecord, BackendRow};
use super::{EmbeddedController, check_version, now, require_superuser};
use crate::controller::{Backends, Caller, ListOptions, Version, Versioned};
use crate::error::{Error, Result};

/// When the next rotation is due after one at `at`: the interval's 75%, at most 24 hours.
pub fn next_rotation(at: i64, interval_secs: u64) -> i64 {
    let lead = (interval_secs * 3 / 4).min(24 * 3600);
    at + lead as i64
}

/// How long a failed rotation waits before it is tried again.
pub const ROTATION_RETRY_SECS: i64 = 120;

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
        let uuid = self.controller_uuid.clone();
        let snapshot = self.store.call(move |c| Snapshot::read(c, &uuid)).await?;
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
        for (name, keys) in revealed {
            self.audit(AuditRecord {
                user: &caller.name,
                action: "reveal",
                backend: Some(&name),
                keys,
                ..Default::default()
            })
            .await?;
        }
        Ok(backends)
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
        let uuid = self.controller_uuid.clone();
        let snapshot = self.store.call(move |c| Snapshot::read(c, &uuid)).await?;
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
            self.audit(AuditRecord {
                user: &caller.name,
                action: "reveal",
                backend: Some(name),
                keys: answer.sensitive_set.clone(),
                ..Default::default()
            })
            .await?;
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
        validate::backend_name(&request.name)?;
        let backend_type = BackendType::parse(&request.backend_type)?;
        if !backend_type.user_managed() {
            return Err(ValidationError::field(
                "backend-type",
                format!(
                    "secret backends of type {:?} cannot be added",
                    backend_type.as_str()
                ),
            )
            .with_code(ErrorCode::NotSupported)
            .into());
        }
        let rotate = request
            .token_rotate_interval
            .as_deref()
            .map(|t| validate::token_rotate_interval(backend_type, t, validate::Operation::Add))
            .transpose()?
            .flatten();
        let config = validate::backend(backend_type, &request.config, rotate)?;
        let id = match request.import_id {
            Some(id) if id.trim().is_empty() => {
                return Err(
                    ValidationError::field("import-id", "empty import-id not valid").into(),
                );
            }
            Some(id) => id,
            None => uuid::Uuid::new_v4().to_string(),
        };
        // Refuse a duplicate before the (slow) ping, and again in the write transaction below.
        let probe = (request.name.clone(), id.clone());
        self.store
            .call(move |c| refuse_duplicate(c, &probe.0, &probe.1))
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
        let keys: Vec<String> = row.config.keys().cloned().collect();
        let user = caller.name.clone();
        self.store
            .call(move |c| {
                let tx = c.transaction()?;
                refuse_duplicate(&tx, &saved.name, &saved.id)?;
                store::backend_insert(&tx, &saved, now())?;
                store::audit_insert(
                    &tx,
                    &AuditRecord {
                        user: &user,
                        action: "add",
                        backend: Some(&saved.name),
                        keys,
                        detail: Some(format!("type {}", saved.backend_type)),
                        ..Default::default()
                    },
                    now(),
                )?;
                tx.commit()?;
                Ok(())
            })
            .await?;
        tracing::info!(user = %caller.name, backend = %row.name, r#type = %backend_type, "secret backend added");
        self.emit(EventKind::BackendAdded, &row.name);
        self.answer_for(&row.id).await
    }

    async fn backend_update(
        &self,
        caller: &Caller,
        name: &str,
        request: UpdateBackendRequest,
        expected: Option<&Version>,
    ) -> Result<Versioned<SecretBackend>> {
        require_superuser(caller)?;
        if is_built_in_backend(name) {
            return Err(built_in_immutable());
        }
        let owned = name.to_owned();
        let stored = self
            .store
            .call(move |c| store::backend_get(c, &owned))
            .await?
            .ok_or_else(|| Error::backend_not_found(name))?;
        check_version(
            expected,
            &backend_version(&stored),
            &format!("secret backend {name:?}"),
        )?;
        validate::update_request(&request)?;

        // 1-4: merge, reset, immutable keys, validate.
        let merged = validate::merge_config(
            stored.backend_type,
            &stored.config,
            &request.config,
            &request.reset,
        )?;
        // 6: the rotate interval (`0` turns it off).
        let rotate_secs = match request.token_rotate_interval.as_deref() {
            None => stored.token_rotate_secs,
            Some(text) => validate::token_rotate_interval(
                stored.backend_type,
                text,
                validate::Operation::Update,
            )?
            .map(GoDuration::as_secs),
        };
        let config = validate::backend(
            stored.backend_type,
            &merged,
            rotate_secs.map(GoDuration::from_secs),
        )?;
        let new_name = match request.name.as_deref() {
            Some(n) if n != stored.name => {
                validate::backend_name(n)?;
                Some(n.to_owned())
            }
            _ => None,
        };
        let rotate_changed = rotate_secs != stored.token_rotate_secs;
        // Nothing to save means nothing to ping and nothing to audit.
        if config == stored.config && new_name.is_none() && !rotate_changed {
            return Err(validate::nothing_changes().into());
        }
        // 5: ping the merged config, unless forced (force skips only the ping).
        let pinged = if request.force {
            None
        } else {
            drivers::ping(stored.backend_type, &config)
                .await
                .map_err(|e| Error::refused(ErrorCode::Unreachable, e.to_string()))?;
            Some(now())
        };

        let changed_keys = changed_keys(&stored.config, &config);
        let answer_id = stored.id.clone();
        let user = caller.name.clone();
        let seen = backend_version(&stored);
        let id = stored.id.clone();
        let rename = new_name;
        let (old_name, final_name) = self
            .store
            .call(move |c| {
                let tx = c.transaction()?;
                let mut row = store::backend_get_by_id(&tx, &id)?
                    .ok_or_else(|| Error::backend_not_found(&stored.name))?;
                // Someone changed it while we pinged: refuse rather than overwrite.
                if backend_version(&row) != seen {
                    return Err(Error::refused(
                        ErrorCode::Conflict,
                        format!("secret backend {:?} was changed by someone else; reload it and try again", row.name),
                    ));
                }
                let old_name = row.name.clone();
                if let Some(new_name) = &rename {
                    let counts = store::secret_counts(&tx)?;
                    if counts.get(&row.id).copied().unwrap_or(0) > 0 {
                        return Err(ValidationError::field(
                            "name",
                            "cannot rename a secret backend that is in use",
                        )
                        .with_code(ErrorCode::InUse)
                        .into());
                    }
                    if store::backend_get(&tx, new_name)?.is_some() {
                        return Err(ValidationError::field(
                            "name",
                            format!("secret backend {new_name:?} already exists"),
                        )
                        .with_code(ErrorCode::AlreadyExists)
                        .into());
                    }
                    store::models_rename_backend(&tx, &old_name, new_name)?;
                    row.name = new_name.clone();
                }
                row.config = config;
                if rotate_changed {
                    row.token_rotate_secs = rotate_secs;
                    row.next_rotation_at = rotate_secs.map(|s| next_rotation(now(), s));
                }
                if let Some(at) = pinged {
                    row.status = BackendStatus::Active;
                    row.message = None;
                    row.checked_at = Some(at);
                }
                row.revision += 1;
                store::backend_update(&tx, &row)?;
                let mut detail = Vec::new();
                if rename.is_some() {
                    detail.push(format!("renamed from {old_name:?}"));
                }
                if rotate_changed {
                    detail.push(match rotate_secs {
                        Some(s) => format!("token rotation every {}", GoDuration::from_secs(s)),
                        None => "token rotation off".to_owned(),
                    });
                }
                if pinged.is_none() {
                    detail.push("forced (not pinged)".to_owned());
                }
                store::audit_insert(
                    &tx,
                    &AuditRecord {
                        user: &user,
                        action: "update",
                        backend: Some(&row.name),
                        keys: changed_keys,
                        detail: (!detail.is_empty()).then(|| detail.join("; ")),
                        ..Default::default()
                    },
                    now(),
                )?;
                tx.commit()?;
                Ok((old_name, row.name))
            })
            .await?;
        tracing::info!(user = %caller.name, backend = %final_name, "secret backend updated");
        if old_name != final_name {
            self.emit(EventKind::BackendRemoved, &old_name);
            self.emit(EventKind::BackendAdded, &final_name);
        } else {
            self.emit(EventKind::BackendUpdated, &final_name);
        }
        self.answer_for(&answer_id).await
    }

    async fn backend_remove(
        &self,
        caller: &Caller,
        name: &str,
        force: bool,
        expected: Option<&Version>,
    ) -> Result<()> {
        require_superuser(caller)?;
        if is_built_in_backend(name) {
            return Err(built_in_immutable());
        }
        let owned = name.to_owned();
        let expected = expected.cloned();
        let user = caller.name.clone();
        let moved_models = self
            .store
            .call(move |c| {
                let tx = c.transaction()?;
                let row = store::backend_get(&tx, &owned)?
                    .ok_or_else(|| Error::backend_not_found(&owned))?;
                check_version(
                    expected.as_ref(),
                    &backend_version(&row),
                    &format!("secret backend {owned:?}"),
                )?;
                let holds = store::secret_counts(&tx)?
                    .get(&row.id)
                    .copied()
                    .unwrap_or(0);
                if holds > 0 && !force {
                    return Err(Error::refused(
                        ErrorCode::InUse,
                        format!("backend {owned:?} still contains secret content"),
                    ));
                }
                let models = store::models_naming_backend(&tx, &owned)?;
                for m in &models {
                    store::model_set_backend(&tx, &m.uuid, secret_backends_api::AUTO_BACKEND)?;
                }
                if holds > 0 {
                    store::revisions_forget_backend(&tx, &row.id)?;
                }
                store::backend_delete(&tx, &row.id)?;
                store::audit_insert(
                    &tx,
                    &AuditRecord {
                        user: &user,
                        action: "remove",
                        backend: Some(&owned),
                        detail: force.then(|| {
                            format!(
                                "forced: {holds} secrets forgotten, {} models moved to auto",
                                models.len()
                            )
                        }),
                        ..Default::default()
                    },
                    now(),
                )?;
                tx.commit()?;
                Ok(models.into_iter().map(|m| m.name).collect::<Vec<_>>())
            })
            .await?;
        tracing::info!(user = %caller.name, backend = %name, force, "secret backend removed");
        self.emit(EventKind::BackendRemoved, name);
        for model in moved_models {
            self.emit(EventKind::ModelUpdated, &model);
        }
        Ok(())
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
        let owned = name.to_owned();
        let row = self
            .store
            .call(move |c| store::backend_get(c, &owned))
            .await?
            .ok_or_else(|| Error::backend_not_found(name))?;
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
        let owned = name.to_owned();
        let row = self
            .store
            .call(move |c| store::backend_get(c, &owned))
            .await?
            .ok_or_else(|| Error::backend_not_found(name))?;
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
    /// The answer for one stored backend, read afresh.
    async fn answer_for(&self, id: &str) -> Result<Versioned<SecretBackend>> {
        let uuid = self.controller_uuid.clone();
        let id = id.to_owned();
        self.store
            .call(move |c| {
                let snapshot = Snapshot::read(c, &uuid)?;
                let row = snapshot
                    .backends
                    .iter()
                    .find(|b| b.id == id)
                    .ok_or_else(|| Error::internal("backend vanished"))?;
                Ok(Versioned {
                    value: snapshot.backend_answer(row, false),
                    version: backend_version(row),
                })
            })
            .await
    }

    /// Pings one backend and records the outcome; tells the feed when the status changed.
    pub(super) async fn check_one(&self, row: BackendRow) -> Result<()> {
        let outcome = drivers::ping(row.backend_type, &row.config).await;
        let (status, message) = match outcome {
            Ok(()) => (BackendStatus::Active, None),
            Err(e) => (BackendStatus::Error, Some(e.to_string())),
        };
        let id = row.id.clone();
        let changed = self
            .store
            .call(move |c| store::backend_set_status(c, &id, status, message.as_deref(), now()))
            .await?;
        if changed {
            self.emit(EventKind::BackendStatus, &row.name);
        }
        Ok(())
    }

    /// Mints a fresh token and stores it; records the outcome either way.
    pub(super) async fn rotate(
        &self,
        row: BackendRow,
        interval_secs: u64,
        user: &str,
    ) -> std::result::Result<(), RotateError> {
        let lifetime = std::time::Duration::from_secs(interval_secs);
        let minted = drivers::driver(row.backend_type)
            .rotate_token(&row.config, lifetime)
            .await;
        let at = now();
        let outcome = minted.as_ref().map(|_| ()).map_err(Clone::clone);
        let id = row.id.clone();
        let user = user.to_owned();
        let name = row.name.clone();
        self.store
            .call(move |c| {
                let tx = c.transaction()?;
                let Some(mut current) = store::backend_get_by_id(&tx, &id)? else {
                    return Ok(());
                };
                match &minted {
                    Ok(token) => {
                        current
                            .config
                            .insert("token".to_owned(), token.clone().into());
                        current.revision += 1;
                        current.last_rotation_error = None;
                        current.next_rotation_at =
                            current.token_rotate_secs.map(|s| next_rotation(at, s));
                    }
                    Err(message) => {
                        current.last_rotation_error = Some(message.to_string());
                        current.next_rotation_at = Some(at + ROTATION_RETRY_SECS);
                    }
                }
                current.last_rotation_at = Some(at);
                store::backend_update(&tx, &current)?;
                store::audit_insert(
                    &tx,
                    &AuditRecord {
                        user: &user,
                        action: "rotate",
                        backend: Some(&current.name),
                        keys: vec!["token".to_owned()],
                        detail: minted.as_ref().err().map(|e| format!("failed: {e}")),
                        ..Default::default()
                    },
                    now(),
                )?;
                tx.commit()?;
                Ok(())
            })
            .await?;
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

/// Why a rotation did not happen: the backend refused (recorded on the backend and retried
/// later), or the store failed (nothing recorded).
#[derive(Debug, thiserror::Error)]
pub(super) enum RotateError {
    #[error(transparent)]
    Backend(DriverError),
    #[error(transparent)]
    Store(#[from] Error),
}

/// The keys whose value differs between two configs (names only).
fn changed_keys(before: &Config, after: &Config) -> Vec<String> {
    let mut keys: Vec<String> = before
        .keys()
        .chain(after.keys())
        .filter(|k| before.get(*k) != after.get(*k))
        .cloned()
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

fn refuse_duplicate(c: &rusqlite::Connection, name: &str, id: &str) -> Result<()> {
    if store::backend_get(c, name)?.is_some() {
        return Err(ValidationError::field(
            "name",
            format!("secret backend {name:?} already exists"),
        )
        .with_code(ErrorCode::AlreadyExists)
        .into());
    }
    if store::backend_id_exists(c, id)? {
        return Err(ValidationError::field(
            "import-id",
            format!("secret backend with ID {id:?} already exists"),
        )
        .with_code(ErrorCode::AlreadyExists)
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_rotation_is_three_quarters_of_the_interval_at_most_a_day() {
        assert_eq!(next_rotation(1000, 3600), 1000 + 2700);
        assert_eq!(next_rotation(0, 48 * 3600), 24 * 3600);
        assert_eq!(next_rotation(0, 7 * 24 * 3600), 24 * 3600);
    }
}
