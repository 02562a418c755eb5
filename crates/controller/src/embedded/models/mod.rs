//! Models: their `secret-backend` setting (`docs/rules.md#model-backend`), their
//! secrets, and where secret content is stored: in SQLite for the controller's own backends, in a
//! KV version 1 mount per model on a vault.

mod plan;

use async_trait::async_trait;
use secret_backends_api::{
    AUTO_BACKEND, AddModelRequest, AddSecretRequest, AuditAction, ErrorCode, EventKind,
    INTERNAL_BACKEND, Model, ModelAccess, SecretInfo, SetModelBackendRequest, ValidationError,
    validate,
};

use self::plan::{BackendChange, model_backend_setting, plan_model_add, plan_set_backend};
use super::drivers::{self, Content, ContentAt, DriverError};
use super::snapshot::{Snapshot, Target, model_version};
use super::store::{self, AuditRecord, ModelRow, RevisionRow};
use super::{EmbeddedController, check_version, now, require_superuser};
use crate::controller::{Caller, Change, Models, Versioned};
use crate::error::{Error, Result};

pub fn model_not_found(name: &str) -> Error {
    Error::refused(ErrorCode::NotFound, format!("model {name:?} not found"))
}

#[async_trait]
impl Models for EmbeddedController {
    async fn models_list(&self, _caller: &Caller) -> Result<Vec<Model>> {
        let uuid = self.controller_uuid.clone();
        self.store
            .call(move |c| {
                let snapshot = Snapshot::read(c, &uuid)?;
                let revisions = store::revisions_all(c)?;
                Ok(snapshot
                    .models
                    .iter()
                    .map(|m| snapshot.model_answer(m, &revisions))
                    .collect())
            })
            .await
    }

    async fn model_get(&self, _caller: &Caller, name: &str) -> Result<Versioned<Model>> {
        self.model_answer(name).await
    }

    async fn model_add(
        &self,
        caller: &Caller,
        request: AddModelRequest,
    ) -> Result<Versioned<Model>> {
        require_superuser(caller)?;
        validate::model_name(&request.name)?;
        let row = ModelRow {
            uuid: uuid::Uuid::new_v4().to_string(),
            name: request.name.clone(),
            model_type: request.model_type,
            secret_backend: AUTO_BACKEND.to_owned(),
            revision: 1,
        };
        let user = caller.name.clone();
        self.store
            .write(move |tx| {
                let taken = store::model_get(tx, &row.name)?.is_some();
                let record = plan_model_add(&user, &row, taken)?;
                store::model_insert(tx, &row, now())?;
                Ok(((), record))
            })
            .await?;
        self.emit(EventKind::ModelUpdated, &request.name);
        self.model_answer(&request.name).await
    }

    async fn model_set_backend(
        &self,
        caller: &Caller,
        change: Change<'_, SetModelBackendRequest>,
    ) -> Result<Versioned<Model>> {
        let (name, request, expected) = (change.name, change.request, change.expected);
        let model = self.model_row(name).await?;
        self.require_model_access(caller, &model, ModelAccess::Write)
            .await?;
        check_version(expected, &model_version(&model), &format!("model {name:?}"))?;
        let setting = model_backend_setting(&model, &request.secret_backend)?;
        if setting != AUTO_BACKEND && setting != INTERNAL_BACKEND {
            let owned = setting.clone();
            let backend = self
                .store
                .call(move |c| store::backend_get(c, &owned))
                .await?
                .ok_or_else(|| {
                    Error::Refused(
                        ValidationError::field(
                            "secret-backend",
                            format!(
                                "secret backend {setting:?} not found (add it first with juju add-secret-backend, or in the console)"
                            ),
                        )
                        .with_code(ErrorCode::NotFound),
                    )
                })?;
            if !request.force {
                drivers::ping(backend.backend_type, &backend.config)
                    .await
                    .map_err(|cause| {
                        Error::refused(
                            ErrorCode::Unreachable,
                            format!("cannot ping backend {setting:?}: {cause}"),
                        )
                    })?;
            }
        }
        let seen = model_version(&model);
        let user = caller.name.clone();
        let model_name = model.name.clone();
        let force = request.force;
        self.store
            .write(move |tx| {
                let current = store::model_get(tx, &model_name)?
                    .ok_or_else(|| model_not_found(&model_name))?;
                let backend_exists = store::backend_get(tx, &setting)?.is_some();
                let change = BackendChange {
                    seen: &seen,
                    setting: &setting,
                    backend_exists,
                    force,
                };
                let record = plan_set_backend(&user, &current, &change)?;
                store::model_set_backend(tx, &current.uuid, &setting)?;
                Ok(((), record))
            })
            .await?;
        self.emit(EventKind::ModelUpdated, name);
        self.drain_wake.notify_one();
        self.model_answer(name).await
    }

    async fn secrets_list(&self, caller: &Caller, model: &str) -> Result<Vec<SecretInfo>> {
        let row = self.model_row(model).await?;
        self.require_model_access(caller, &row, ModelAccess::Read)
            .await?;
        let uuid = self.controller_uuid.clone();
        self.store
            .call(move |c| {
                let snapshot = Snapshot::read(c, &uuid)?;
                let revisions = store::model_revisions(c, &row.uuid)?;
                Ok(latest_revisions(&revisions)
                    .into_iter()
                    .map(|r| SecretInfo {
                        uri: r.secret_uri.clone(),
                        label: r.label.clone(),
                        revision: r.revision,
                        backend: snapshot
                            .name_of(&r.backend_id)
                            .unwrap_or_else(|| r.backend_id.clone()),
                    })
                    .collect())
            })
            .await
    }

    async fn secret_add(
        &self,
        caller: &Caller,
        model: &str,
        request: AddSecretRequest,
    ) -> Result<SecretInfo> {
        let row = self.model_row(model).await?;
        self.require_model_access(caller, &row, ModelAccess::Write)
            .await?;
        let label = request.label.trim().to_owned();
        if label.is_empty() {
            return Err(ValidationError::field("label", "empty secret label not valid").into());
        }
        if request.content.is_empty() || request.content.keys().any(|k| k.trim().is_empty()) {
            return Err(ValidationError::field(
                "content",
                "secret content not valid: give at least one non-empty key",
            )
            .into());
        }
        let _one_writer = self.secret_lock.lock().await;
        let uuid = self.controller_uuid.clone();
        let model_uuid = row.uuid.clone();
        let record_model_uuid = row.uuid.clone();
        let probe_label = label.clone();
        let (target, existing) = self
            .store
            .call(move |c| {
                let snapshot = Snapshot::read(c, &uuid)?;
                let model =
                    store::model_get(c, &row.name)?.ok_or_else(|| model_not_found(&row.name))?;
                Ok((
                    snapshot.target(&model),
                    store::secret_by_label(c, &model_uuid, &probe_label)?,
                ))
            })
            .await?;
        let (uri, revision) = match existing {
            Some((uri, latest)) => (uri, latest + 1),
            None => (new_secret_uri()?, 1),
        };
        let record = RevisionRow {
            secret_uri: uri.clone(),
            model_uuid: record_model_uuid,
            label: label.clone(),
            revision,
            backend_id: target.id().to_owned(),
            content: None,
        };
        let content = write_content(&target, model, &record, &request.content).await?;
        let is_new = revision == 1;
        let saved = RevisionRow { content, ..record };
        let audit = AuditRecord::new(&caller.name, AuditAction::AddSecret)
            .model(model)
            .detail(Some(format!("{uri} revision {revision}")));
        self.store
            .write(move |tx| {
                if is_new {
                    let (uri, model_uuid) = (&saved.secret_uri, &saved.model_uuid);
                    store::secret_insert(tx, uri, model_uuid, &saved.label, now())?;
                }
                store::revision_insert(tx, &saved, now())?;
                Ok(((), audit))
            })
            .await?;
        self.emit(EventKind::ModelUpdated, model);
        if let Target::External(backend) = &target {
            self.emit(EventKind::BackendUpdated, &backend.name);
        }
        Ok(SecretInfo {
            uri,
            label,
            revision,
            backend: target.name().to_owned(),
        })
    }
}

impl EmbeddedController {
    /// The caller's access to a model (superusers: admin everywhere).
    pub(super) async fn model_access(
        &self,
        caller: &Caller,
        model: &ModelRow,
    ) -> Result<Option<ModelAccess>> {
        if caller.is_superuser() {
            return Ok(Some(ModelAccess::Admin));
        }
        let user = caller.name.clone();
        let name = model.name.clone();
        Ok(self
            .store
            .call(move |c| store::user_model_access(c, &user))
            .await?
            .into_iter()
            .find(|(m, _)| *m == name)
            .map(|(_, a)| a))
    }

    async fn require_model_access(
        &self,
        caller: &Caller,
        model: &ModelRow,
        needed: ModelAccess,
    ) -> Result<()> {
        match self.model_access(caller, model).await? {
            Some(access) if access >= needed => Ok(()),
            _ => Err(Error::permission_denied()),
        }
    }

    async fn model_row(&self, name: &str) -> Result<ModelRow> {
        let owned = name.to_owned();
        self.store
            .call(move |c| store::model_get(c, &owned))
            .await?
            .ok_or_else(|| model_not_found(name))
    }

    /// A model's view, read afresh.
    async fn model_answer(&self, name: &str) -> Result<Versioned<Model>> {
        let uuid = self.controller_uuid.clone();
        let owned = name.to_owned();
        self.store
            .call(move |c| {
                let model = store::model_get(c, &owned)?.ok_or_else(|| model_not_found(&owned))?;
                let snapshot = Snapshot::read(c, &uuid)?;
                let revisions = store::model_revisions(c, &model.uuid)?;
                Ok(Versioned {
                    value: snapshot.model_answer(&model, &revisions),
                    version: model_version(&model),
                })
            })
            .await
    }
}

/// The latest revision of each secret.
fn latest_revisions(revisions: &[RevisionRow]) -> Vec<&RevisionRow> {
    let mut latest: Vec<&RevisionRow> = Vec::new();
    for r in revisions {
        match latest.iter_mut().find(|l| l.secret_uri == r.secret_uri) {
            Some(l) if l.revision < r.revision => *l = r,
            Some(_) => {}
            None => latest.push(r),
        }
    }
    latest
}

/// A new secret URI, in Juju's shape (`secret:` and 20 lowercase base32hex characters).
fn new_secret_uri() -> Result<String> {
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuv";
    let id: String = super::auth::random_bytes::<20>()?
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    Ok(format!("secret:{id}"))
}

/// Where a revision's content lives on an external backend.
fn content_at<'a>(model_name: &'a str, revision: &'a RevisionRow) -> ContentAt<'a> {
    ContentAt {
        model_name,
        model_uuid: &revision.model_uuid,
        secret_uri: &revision.secret_uri,
        revision: revision.revision,
    }
}

/// Stores a revision's content in `target`. Returns what the store keeps itself: the content for
/// the controller's own backends, nothing for a vault.
pub(super) async fn write_content(
    target: &Target,
    model_name: &str,
    revision: &RevisionRow,
    content: &Content,
) -> Result<Option<String>> {
    match target {
        Target::Controller { .. } => Ok(Some(
            serde_json::to_string(content).map_err(Error::internal)?,
        )),
        Target::External(backend) => match drivers::driver(backend.backend_type)
            .store_content(&backend.config, &content_at(model_name, revision), content)
            .await
        {
            Ok(()) => Ok(None),
            Err(DriverError::NotSupported { .. }) => Err(Error::refused(
                ErrorCode::NotSupported,
                format!(
                    "storing secret content in {} backend {:?} is not supported by this controller",
                    backend.backend_type, backend.name
                ),
            )),
            Err(e) => Err(Error::refused(
                ErrorCode::Unreachable,
                format!("secret backend {:?}: {e}", backend.name),
            )),
        },
    }
}

/// Reads a revision's content from where it is.
pub(super) async fn read_content(
    source: &Target,
    model_name: &str,
    revision: &RevisionRow,
) -> std::result::Result<Content, DriverError> {
    match source {
        Target::Controller { .. } => {
            let unreadable = |detail: &str| DriverError::failed("read-content", detail);
            revision
                .content
                .as_deref()
                .map(|c| {
                    serde_json::from_str(c).map_err(|_| unreadable("stored content unreadable"))
                })
                .unwrap_or_else(|| Err(unreadable("no stored content")))
        }
        Target::External(backend) => {
            drivers::driver(backend.backend_type)
                .read_content(&backend.config, &content_at(model_name, revision))
                .await
        }
    }
}

/// Deletes a revision's content from an external backend (the controller's own rows are
/// rewritten by the move itself).
pub(super) async fn delete_content(
    source: &Target,
    model_name: &str,
    revision: &RevisionRow,
) -> std::result::Result<(), DriverError> {
    match source {
        Target::Controller { .. } => Ok(()),
        Target::External(backend) => {
            drivers::driver(backend.backend_type)
                .delete_content(&backend.config, &content_at(model_name, revision))
                .await
        }
    }
}
