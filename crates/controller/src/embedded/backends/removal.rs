//! A forced removal of a backend that holds secret content (`docs/rules.md#remove`): first its
//! content moves to the backend each model falls back to once this one is gone, by the drain's
//! own move; what cannot be moved (the backend does not answer, or the new one refuses) is named.
//! The plan and the naming are plain functions; [`EmbeddedController::rescue_content`] runs them.

use std::collections::HashMap;

use secret_backends_api::{AUTO_BACKEND, LeftBehind};

use super::super::drivers;
use super::super::snapshot::{Snapshot, Target, backend_version};
use super::super::store::{self, BackendRow, ModelRow, RevisionRow};
use super::super::{EmbeddedController, check_version};
use crate::controller::Version;
use crate::error::{Error, Result};

/// Why each revision (secret URI, revision) could not be moved.
pub(super) type Unmoved = HashMap<(String, u64), String>;

/// One revision's content to move out of the backend being removed.
#[derive(Debug, Clone)]
pub(super) struct Rescue {
    pub revision: RevisionRow,
    pub model_name: String,
    /// The backend the model writes to once the removed one is gone.
    pub target: Target,
}

/// Where each revision held by `removed` goes: the target of its model in the store as it will
/// be after the removal (the backend gone, the models naming it back on `auto`).
pub(super) fn plan_rescue(
    snapshot: &Snapshot,
    removed: &BackendRow,
    revisions: &[RevisionRow],
) -> Vec<Rescue> {
    let after = Snapshot::new(
        snapshot.controller_uuid.clone(),
        snapshot
            .backends
            .iter()
            .filter(|b| b.id != removed.id)
            .cloned()
            .collect(),
        snapshot
            .models
            .iter()
            .map(|m| ModelRow {
                secret_backend: if m.secret_backend == removed.name {
                    AUTO_BACKEND.to_owned()
                } else {
                    m.secret_backend.clone()
                },
                ..m.clone()
            })
            .collect(),
        HashMap::new(),
    );
    revisions
        .iter()
        .filter(|r| r.backend_id == removed.id)
        .filter_map(|r| {
            let model = after.models.iter().find(|m| m.uuid == r.model_uuid)?;
            Some(Rescue {
                revision: r.clone(),
                model_name: model.name.clone(),
                target: after.target(model),
            })
        })
        .collect()
}

/// The secrets whose revisions are still in the removed backend (`remaining`, each secret's
/// revisions in ascending order), each with why it could not be moved, by model and label.
pub(super) fn left_behind(
    remaining: &[RevisionRow],
    models: &[ModelRow],
    unmoved: &Unmoved,
) -> Vec<LeftBehind> {
    let mut secrets: Vec<LeftBehind> = Vec::new();
    for r in remaining {
        let reason = unmoved
            .get(&(r.secret_uri.clone(), r.revision))
            .cloned()
            .unwrap_or_else(|| "not moved".to_owned());
        match secrets.iter_mut().find(|s| s.uri == r.secret_uri) {
            Some(secret) => {
                secret.revisions.push(r.revision);
                if !secret.reason.contains(&reason) {
                    secret.reason = format!("{}; {reason}", secret.reason);
                }
            }
            None => secrets.push(LeftBehind {
                model: models
                    .iter()
                    .find(|m| m.uuid == r.model_uuid)
                    .map_or_else(|| r.model_uuid.clone(), |m| m.name.clone()),
                uri: r.secret_uri.clone(),
                label: r.label.clone(),
                revisions: vec![r.revision],
                reason,
            }),
        }
    }
    // By model, then label: the order an admin reads them in, whatever the store's order.
    secrets.sort_by(|a, b| (&a.model, &a.label, &a.uri).cmp(&(&b.model, &b.label, &b.uri)));
    secrets
}

impl EmbeddedController {
    /// Moves every revision held by the backend `name` to its model's next backend, unless the
    /// backend does not answer; returns what could not be moved and why. Refuses a stale
    /// `expected` before moving anything. The caller holds the drain and secret locks, so
    /// nothing else moves or adds content meanwhile.
    pub(super) async fn rescue_content(
        &self,
        name: &str,
        expected: Option<&Version>,
    ) -> Result<(Vec<String>, Unmoved)> {
        let uuid = self.controller_uuid.clone();
        let (snapshot, revisions) = self
            .store
            .call(move |c| Ok((Snapshot::read(c, &uuid)?, store::revisions_all(c)?)))
            .await?;
        let row = snapshot
            .backends
            .iter()
            .find(|b| b.name == name)
            .cloned()
            .ok_or_else(|| Error::backend_not_found(name))?;
        check_version(
            expected,
            &backend_version(&row),
            &format!("secret backend {name:?}"),
        )?;
        let rescues = plan_rescue(&snapshot, &row, &revisions);
        let mut unmoved = Unmoved::new();
        let mut touched: Vec<String> = Vec::new();
        if rescues.is_empty() {
            return Ok((touched, unmoved));
        }
        // One ping first: a backend that does not answer would make every move wait for it.
        if let Err(e) = drivers::ping(row.backend_type, &row.config).await {
            for rescue in rescues {
                let r = rescue.revision;
                unmoved.insert((r.secret_uri, r.revision), e.to_string());
            }
            return Ok((touched, unmoved));
        }
        let source = Target::External(row);
        for rescue in rescues {
            let r = &rescue.revision;
            match self
                .move_revision(&source, &rescue.target, &rescue.model_name, r)
                .await
            {
                Ok(()) if !touched.contains(&rescue.model_name) => touched.push(rescue.model_name),
                Ok(()) => {}
                Err(reason) => {
                    unmoved.insert((r.secret_uri.clone(), r.revision), reason);
                }
            }
        }
        Ok((touched, unmoved))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embedded::backends::plan::tests::vault_row;
    use secret_backends_api::ModelType;

    fn model(uuid: &str, model_type: ModelType, setting: &str) -> ModelRow {
        ModelRow {
            uuid: uuid.into(),
            name: format!("m-{uuid}"),
            model_type,
            secret_backend: setting.into(),
            revision: 1,
        }
    }

    fn revision(model_uuid: &str, uri: &str, number: u64, backend_id: &str) -> RevisionRow {
        RevisionRow {
            secret_uri: uri.into(),
            model_uuid: model_uuid.into(),
            label: format!("label-{uri}"),
            revision: number,
            backend_id: backend_id.into(),
            content: None,
        }
    }

    /// `myvault` (id-1) is removed; `other` (id-2) stays.
    fn snapshot(models: Vec<ModelRow>) -> Snapshot {
        let other = BackendRow {
            id: "id-2".into(),
            name: "other".into(),
            ..vault_row()
        };
        Snapshot::new(
            "ctl".into(),
            vec![vault_row(), other],
            models,
            HashMap::new(),
        )
    }

    #[test]
    fn content_goes_where_each_model_writes_once_the_backend_is_gone() {
        let snapshot = snapshot(vec![
            // On the removed backend: back to auto, i.e. internal for IaaS ...
            model("a", ModelType::Iaas, "myvault"),
            // ... and its own <model>-local for CaaS.
            model("b", ModelType::Caas, "myvault"),
            // Moved on to another vault and still draining from the removed one: goes there.
            model("c", ModelType::Iaas, "other"),
        ]);
        let revisions = vec![
            revision("a", "s1", 1, "id-1"),
            revision("a", "s1", 2, "id-1"),
            revision("b", "s2", 1, "id-1"),
            revision("c", "s3", 1, "id-1"),
            // Not in the removed backend: not moved.
            revision("c", "s4", 1, "id-2"),
        ];
        let plan = plan_rescue(&snapshot, &vault_row(), &revisions);
        let summary: Vec<(&str, u64, &str, &str)> = plan
            .iter()
            .map(|r| {
                let uri = r.revision.secret_uri.as_str();
                (uri, r.revision.revision, r.target.id(), r.target.name())
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("s1", 1, "ctl", "internal"),
                ("s1", 2, "ctl", "internal"),
                ("s2", 1, "b", "m-b-local"),
                ("s3", 1, "id-2", "other"),
            ]
        );
        assert_eq!(plan[3].model_name, "m-c");
    }

    #[test]
    fn nothing_is_planned_for_a_backend_that_holds_nothing() {
        let snapshot = snapshot(vec![model("a", ModelType::Iaas, "myvault")]);
        let revisions = vec![revision("a", "s1", 1, "ctl")];
        assert!(plan_rescue(&snapshot, &vault_row(), &revisions).is_empty());
    }

    #[test]
    fn what_is_left_behind_is_named_per_secret_with_its_revisions_and_reasons() {
        let models = [model("a", ModelType::Iaas, "auto")];
        let remaining = vec![
            revision("a", "s1", 1, "id-1"),
            revision("a", "s1", 2, "id-1"),
            revision("gone", "s2", 4, "id-1"),
        ];
        let unmoved: Unmoved = [
            (("s1".to_owned(), 1), "vault is sealed".to_owned()),
            (("s1".to_owned(), 2), "vault is sealed".to_owned()),
        ]
        .into();
        let lost = left_behind(&remaining, &models, &unmoved);
        assert_eq!(lost.len(), 2);
        // Sorted by model name; a model that is gone is named by its uuid.
        assert_eq!(
            (lost[0].model.as_str(), lost[0].revisions.as_slice()),
            ("gone", &[4][..])
        );
        assert_eq!(lost[0].reason, "not moved");
        assert_eq!(
            (lost[1].model.as_str(), lost[1].label.as_str()),
            ("m-a", "label-s1")
        );
        assert_eq!(lost[1].revisions, [1, 2]);
        assert_eq!(lost[1].reason, "vault is sealed");
    }
}
