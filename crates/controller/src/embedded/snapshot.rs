//! A consistent read of the store (backends, models, secret counts) and the answers built from
//! it: the backend and model views of the API, with secrets counted as distinct secrets.

use std::collections::{BTreeMap, HashMap, HashSet};

use rusqlite::Connection;
use secret_backends_api::{
    AUTO_BACKEND, BackendStatus, BackendType, Config, GoDuration, INTERNAL_BACKEND, LastRotation,
    Model, ModelBackendState, ModelBackendStatus, ModelType, SecretBackend, local_backend_name,
    validate,
};

use super::rfc3339;
use super::store::{self, BackendRow, ModelRow, RevisionRow};
use crate::controller::Version;
use crate::error::Result;

/// Where a model's new revisions go.
#[derive(Debug, Clone)]
pub enum Target {
    /// The controller's own database: `internal` (id = controller uuid) or a CaaS model's
    /// `<model>-local` (id = model uuid).
    Controller { id: String, name: String },
    /// A user backend.
    External(BackendRow),
}

impl Target {
    pub fn id(&self) -> &str {
        match self {
            Target::Controller { id, .. } => id,
            Target::External(row) => &row.id,
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Target::Controller { name, .. } => name,
            Target::External(row) => &row.name,
        }
    }
}

pub struct Snapshot {
    pub controller_uuid: String,
    /// The user backends read, sorted by name (as the store lists them).
    pub backends: Vec<BackendRow>,
    pub models: Vec<ModelRow>,
    /// Distinct secrets with content, by backend id.
    pub counts: HashMap<String, u64>,
    /// The models writing to each backend, by backend id (built-ins included): computed once,
    /// so answering for every backend costs no pass over the models each.
    users: HashMap<String, Vec<String>>,
}

impl Snapshot {
    /// Every backend, model and count.
    pub fn read(c: &Connection, controller_uuid: &str) -> Result<Snapshot> {
        Ok(Snapshot::new(
            controller_uuid.to_owned(),
            store::backend_list(c)?,
            store::model_list(c)?,
            store::secret_counts(c)?,
        ))
    }

    /// Every model and count, but of the user backends only `rows`: enough for their answers
    /// and the built-ins', without reading (and parsing) every other backend. The backends the
    /// models name are looked up by name, so each model's usage is still right.
    pub fn read_only(
        c: &Connection,
        controller_uuid: &str,
        rows: Vec<BackendRow>,
    ) -> Result<Snapshot> {
        let models = store::model_list(c)?;
        let mut ids = HashMap::new();
        for model in &models {
            if let Some(name) = named_backend(model)
                && !ids.contains_key(name)
                && let Some(found) = store::backend_get(c, name)?
            {
                ids.insert(found.name, found.id);
            }
        }
        let counts = store::secret_counts(c)?;
        Ok(Snapshot::with_ids(
            controller_uuid.to_owned(),
            rows,
            models,
            counts,
            &ids,
        ))
    }

    /// A snapshot of every backend (`backends` sorted by name), model and count.
    pub fn new(
        controller_uuid: String,
        backends: Vec<BackendRow>,
        models: Vec<ModelRow>,
        counts: HashMap<String, u64>,
    ) -> Snapshot {
        let ids: HashMap<String, String> = backends
            .iter()
            .map(|b| (b.name.clone(), b.id.clone()))
            .collect();
        Snapshot::with_ids(controller_uuid, backends, models, counts, &ids)
    }

    /// `ids`: the ids of the user backends the models may name, by name.
    fn with_ids(
        controller_uuid: String,
        backends: Vec<BackendRow>,
        models: Vec<ModelRow>,
        counts: HashMap<String, u64>,
        ids: &HashMap<String, String>,
    ) -> Snapshot {
        let mut snapshot = Snapshot {
            controller_uuid,
            backends,
            models,
            counts,
            users: HashMap::new(),
        };
        let mut users: HashMap<String, Vec<String>> = HashMap::new();
        for model in &snapshot.models {
            let id = match named_backend(model).and_then(|name| ids.get(name)) {
                Some(id) => id.clone(),
                None => snapshot.built_in_target(model).id().to_owned(),
            };
            users.entry(id).or_default().push(model.name.clone());
        }
        snapshot.users = users;
        snapshot
    }

    /// The backend a model writes to now.
    pub fn target(&self, model: &ModelRow) -> Target {
        named_backend(model)
            .and_then(|name| self.row_named(name))
            .cloned()
            .map(Target::External)
            .unwrap_or_else(|| self.built_in_target(model))
    }

    /// The built-in backend of a model that names no user backend (or one that is gone): its
    /// `<model>-local` for a CaaS model on `auto`, else `internal`.
    fn built_in_target(&self, model: &ModelRow) -> Target {
        if model.secret_backend == AUTO_BACKEND && model.model_type == ModelType::Caas {
            Target::Controller {
                id: model.uuid.clone(),
                name: local_backend_name(&model.name),
            }
        } else {
            self.internal_target()
        }
    }

    /// The user backend named `name` among those read.
    fn row_named(&self, name: &str) -> Option<&BackendRow> {
        self.backends
            .binary_search_by(|b| b.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.backends[i])
    }

    fn internal_target(&self) -> Target {
        Target::Controller {
            id: self.controller_uuid.clone(),
            name: INTERNAL_BACKEND.to_owned(),
        }
    }

    /// The name of the backend with `id` (built-ins included), if it still exists.
    pub fn name_of(&self, id: &str) -> Option<String> {
        if id == self.controller_uuid {
            return Some(INTERNAL_BACKEND.to_owned());
        }
        if let Some(row) = self.backends.iter().find(|b| b.id == id) {
            return Some(row.name.clone());
        }
        self.models
            .iter()
            .find(|m| m.uuid == id)
            .map(|m| local_backend_name(&m.name))
    }

    /// Models that write to the backend with `id`.
    fn models_using(&self, id: &str) -> Vec<String> {
        self.users.get(id).cloned().unwrap_or_default()
    }

    pub fn internal_answer(&self) -> SecretBackend {
        let id = &self.controller_uuid;
        self.built_in_answer(id, INTERNAL_BACKEND.to_owned(), BackendType::Controller)
    }

    /// The `<model>-local` backends of CaaS models; listed only while they hold secrets.
    pub fn local_answers(&self) -> Vec<SecretBackend> {
        self.models
            .iter()
            .filter(|m| m.model_type == ModelType::Caas && self.count(&m.uuid) > 0)
            .map(|m| self.local_answer(m))
            .collect()
    }

    pub fn local_answer(&self, model: &ModelRow) -> SecretBackend {
        let name = local_backend_name(&model.name);
        self.built_in_answer(&model.uuid, name, BackendType::Kubernetes)
    }

    /// A built-in backend as answered: no config, always active, never checked or rotated.
    fn built_in_answer(&self, id: &str, name: String, backend_type: BackendType) -> SecretBackend {
        SecretBackend {
            id: id.to_owned(),
            name,
            backend_type,
            built_in: true,
            config: Config::new(),
            sensitive_set: Vec::new(),
            token_rotate_interval: None,
            next_rotation: None,
            last_rotation: None,
            secrets: self.count(id),
            status: BackendStatus::Active,
            message: None,
            checked_at: None,
            models: self.models_using(id),
        }
    }

    /// A user backend as answered; sensitive values only when `reveal`.
    pub fn backend_answer(&self, row: &BackendRow, reveal: bool) -> SecretBackend {
        let (masked, sensitive_set) = validate::mask_sensitive(row.backend_type, &row.config);
        SecretBackend {
            id: row.id.clone(),
            name: row.name.clone(),
            backend_type: row.backend_type,
            built_in: false,
            config: if reveal { row.config.clone() } else { masked },
            sensitive_set,
            token_rotate_interval: row
                .token_rotate_secs
                .map(|s| GoDuration::from_secs(s).to_string()),
            next_rotation: row.next_rotation_at.map(rfc3339),
            last_rotation: row.last_rotation_at.map(|at| LastRotation {
                at: rfc3339(at),
                error: row.last_rotation_error.clone(),
            }),
            secrets: self.count(&row.id),
            status: row.status,
            message: row.message.clone(),
            checked_at: row.checked_at.map(rfc3339),
            models: self.models_using(&row.id),
        }
    }

    pub fn count(&self, id: &str) -> u64 {
        self.counts.get(id).copied().unwrap_or(0)
    }

    /// A model as answered, from its revisions.
    pub fn model_answer(&self, model: &ModelRow, revisions: &[RevisionRow]) -> Model {
        let target = self.target(model);
        let mut per_backend: HashMap<&str, HashSet<&str>> = HashMap::new();
        for r in revisions.iter().filter(|r| r.model_uuid == model.uuid) {
            per_backend
                .entry(r.backend_id.as_str())
                .or_default()
                .insert(r.secret_uri.as_str());
        }
        let mut secret_backends = BTreeMap::new();
        secret_backends.insert(
            target.name().to_owned(),
            ModelBackendState {
                status: ModelBackendStatus::Active,
                secrets: per_backend.get(target.id()).map_or(0, |s| s.len() as u64),
            },
        );
        for (id, secrets) in per_backend {
            if id == target.id() {
                continue;
            }
            let name = self.name_of(id).unwrap_or_else(|| id.to_owned());
            secret_backends.insert(
                name,
                ModelBackendState {
                    status: ModelBackendStatus::Draining,
                    secrets: secrets.len() as u64,
                },
            );
        }
        Model {
            name: model.name.clone(),
            uuid: model.uuid.clone(),
            model_type: model.model_type,
            secret_backend: model.secret_backend.clone(),
            effective_backend: target.name().to_owned(),
            secret_backends,
        }
    }
}

/// The user backend a model names, if it names one (not `auto` or `internal`).
fn named_backend(model: &ModelRow) -> Option<&str> {
    match model.secret_backend.as_str() {
        AUTO_BACKEND | INTERNAL_BACKEND => None,
        name => Some(name),
    }
}

/// The version of a stored backend: its id and revision (the store counts changes).
pub fn backend_version(row: &BackendRow) -> Version {
    Version::new(format!("{}-{}", row.id, row.revision))
}

/// The version of a built-in backend: it never changes.
pub fn built_in_version(id: &str) -> Version {
    Version::new(format!("{id}-1"))
}

/// The version of a model: its uuid and revision.
pub fn model_version(model: &ModelRow) -> Version {
    Version::new(format!("{}-{}", model.uuid, model.revision))
}
