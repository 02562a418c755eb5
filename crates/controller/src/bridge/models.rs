//! Models through `ModelManager.ListModelSummaries` (the caller's models; a superuser's, every
//! model), and each model's backend through the model's own connection: the `secret-backend`
//! key of `ModelConfig` (`ModelGet`/`ModelSet`) up to version 3, `GetModelSecretBackend`/
//! `SetModelSecretBackend` from version 4 (Juju 4), chosen by what the login reported.
//!
//! A Juju model name is unique per owner only: the API names a model by its name, and a name two
//! owners use is refused as ambiguous unless one of them is the caller.

use std::collections::BTreeMap;

use async_trait::async_trait;
use futures::{StreamExt, TryStreamExt};
use secret_backends_api::{
    AUTO_BACKEND, AddModelRequest, AddSecretRequest, ErrorCode, INTERNAL_BACKEND, Model, ModelType,
    SecretInfo, SetModelBackendRequest, local_backend_name,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::facades::{
    self, ErrorResult, ModelConfigResults, ModelSet, ModelSummariesRequest, ModelSummary,
    ModelSummaryResults, NoParams, SetModelSecretBackendArg, StringResult,
};
use super::session::Session;
use super::{JujuBridge, not_offered};
use crate::controller::{Caller, Change, Models, Version, Versioned, check_version};
use crate::error::{Error, Result};

/// How many models' configs are read at once for the models page.
const CONCURRENT_READS: usize = 4;

impl JujuBridge {
    /// The caller's models as Juju summarises them (every model for a superuser).
    pub(super) async fn model_summaries(&self, caller: &Caller) -> Result<Vec<ModelSummary>> {
        let session = self.session(caller)?;
        let request = ModelSummariesRequest {
            user_tag: format!("user-{}", caller.name),
            all: caller.is_superuser(),
        };
        let answer: ModelSummaryResults = session
            .call(
                &self.endpoint,
                (
                    "ModelManager",
                    session.versions.model_manager,
                    "ListModelSummaries",
                ),
                &request,
                &[],
            )
            .await?;
        Ok(answer
            .results
            .into_iter()
            .filter_map(|r| {
                if let Some(e) = &r.error {
                    tracing::warn!(error = %e.message, "a model summary Juju could not give");
                }
                r.result
            })
            .collect())
    }

    /// The model called `name` among the caller's.
    async fn summary(&self, caller: &Caller, name: &str) -> Result<ModelSummary> {
        let mut found: Vec<ModelSummary> = self
            .model_summaries(caller)
            .await?
            .into_iter()
            .filter(|m| m.name == name)
            .collect();
        if found.len() > 1 {
            let own = format!("user-{}", caller.name);
            found.retain(|m| m.owner_tag == own);
            if found.len() != 1 {
                return Err(Error::refused(
                    ErrorCode::NotValid,
                    format!("model name {name:?} is used by more than one owner"),
                ));
            }
        }
        found
            .pop()
            .ok_or_else(|| Error::refused(ErrorCode::NotFound, format!("model {name:?} not found")))
    }

    /// The model's `secret-backend` setting, read on its own connection.
    async fn setting(&self, session: &Session, uuid: &str) -> Result<String> {
        let version = session.versions.model_config;
        let setting = if version >= facades::MODEL_CONFIG_CALLS {
            let answer: StringResult = session
                .call_model(
                    &self.endpoint,
                    uuid,
                    ("ModelConfig", version, "GetModelSecretBackend"),
                    &NoParams {},
                )
                .await?;
            if let Some(e) = answer.error {
                return Err(super::errors::refusal(&e.message, &e.code, &[]));
            }
            answer.result
        } else {
            let answer: ModelConfigResults = session
                .call_model(
                    &self.endpoint,
                    uuid,
                    ("ModelConfig", version, "ModelGet"),
                    &NoParams {},
                )
                .await?;
            answer
                .config
                .get(facades::SECRET_BACKEND_KEY)
                .and_then(|c| c.value.as_str())
                .unwrap_or_default()
                .to_owned()
        };
        Ok(if setting.is_empty() {
            AUTO_BACKEND.to_owned()
        } else {
            setting
        })
    }

    async fn model(&self, session: &Session, summary: ModelSummary) -> Result<Versioned<Model>> {
        let setting = self.setting(session, &summary.uuid).await?;
        Ok(shown(summary, setting))
    }
}

/// A Juju model as the API shows it; its version is a digest of its uuid and setting.
fn shown(summary: ModelSummary, setting: String) -> Versioned<Model> {
    let model_type = match summary.model_type.as_str() {
        "caas" => ModelType::Caas,
        _ => ModelType::Iaas,
    };
    let effective = match (setting.as_str(), model_type) {
        (AUTO_BACKEND, ModelType::Caas) => local_backend_name(&summary.name),
        (AUTO_BACKEND, ModelType::Iaas) => INTERNAL_BACKEND.to_owned(),
        (other, _) => other.to_owned(),
    };
    let digest = Sha256::digest(format!("{}\n{setting}", summary.uuid).as_bytes());
    Versioned {
        version: Version::new(hex::encode(&digest[..12])),
        value: Model {
            name: summary.name,
            uuid: summary.uuid,
            model_type,
            secret_backend: setting,
            effective_backend: effective,
            secret_backends: BTreeMap::new(),
        },
    }
}

#[async_trait]
impl Models for JujuBridge {
    async fn models_list(&self, caller: &Caller) -> Result<Vec<Model>> {
        let session = self.session(caller)?;
        let summaries = self.model_summaries(caller).await?;
        let session = &session;
        let mut models: Vec<Model> = futures::stream::iter(summaries)
            .map(|summary| async move { self.model(session, summary).await.map(|m| m.value) })
            .buffered(CONCURRENT_READS)
            .try_collect()
            .await?;
        models.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(models)
    }

    async fn model_get(&self, caller: &Caller, name: &str) -> Result<Versioned<Model>> {
        let session = self.session(caller)?;
        let summary = self.summary(caller, name).await?;
        self.model(&session, summary).await
    }

    async fn model_add(
        &self,
        _caller: &Caller,
        _request: AddModelRequest,
    ) -> Result<Versioned<Model>> {
        Err(not_offered("adding a model", "use juju add-model"))
    }

    async fn model_set_backend(
        &self,
        caller: &Caller,
        change: Change<'_, SetModelBackendRequest>,
    ) -> Result<Versioned<Model>> {
        let session = self.session(caller)?;
        let summary = self.summary(caller, change.name).await?;
        let uuid = summary.uuid.clone();
        let current = self.model(&session, summary).await?;
        check_version(
            change.expected,
            &current.version,
            &format!("model {:?}", change.name),
        )?;
        let setting = change.request.secret_backend.as_str();
        // As in embedded mode, an unknown backend is `not-found` (Juju's own word differs
        // between versions).
        if setting != AUTO_BACKEND
            && setting != INTERNAL_BACKEND
            && self
                .list_results(&session, &[setting.to_owned()], false)
                .await?
                .is_empty()
        {
            return Err(Error::backend_not_found(setting));
        }
        let version = session.versions.model_config;
        if version >= facades::MODEL_CONFIG_CALLS {
            let answer: ErrorResult = session
                .call_model(
                    &self.endpoint,
                    &uuid,
                    ("ModelConfig", version, "SetModelSecretBackend"),
                    &SetModelSecretBackendArg {
                        secret_backend_name: setting.to_owned(),
                    },
                )
                .await?;
            if let Some(e) = answer.error {
                return Err(super::errors::refusal(&e.message, &e.code, &[]));
            }
        } else {
            let config = BTreeMap::from([(
                facades::SECRET_BACKEND_KEY.to_owned(),
                Value::String(setting.to_owned()),
            )]);
            let _: Value = session
                .call_model(
                    &self.endpoint,
                    &uuid,
                    ("ModelConfig", version, "ModelSet"),
                    &ModelSet { config },
                )
                .await?;
        }
        tracing::info!(user = %caller.name, model = %change.name, backend = %setting, "model secret backend set in Juju");
        self.model_get(caller, change.name).await
    }

    async fn secrets_list(&self, _caller: &Caller, _model: &str) -> Result<Vec<SecretInfo>> {
        Err(not_offered("listing a model's secrets", "use juju secrets"))
    }

    async fn secret_add(
        &self,
        _caller: &Caller,
        _model: &str,
        _request: AddSecretRequest,
    ) -> Result<SecretInfo> {
        Err(not_offered("adding a secret", "use juju add-secret"))
    }
}
