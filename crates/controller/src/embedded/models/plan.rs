//! The rules of changing a model, as plain functions of what the store holds: they decide and
//! describe (the setting to store, the audit record); the callers read and write.

use secret_backends_api::{
    AUTO_BACKEND, AuditAction, INTERNAL_BACKEND, ModelType, ValidationError,
};

use super::super::snapshot::model_version;
use super::super::store::{AuditRecord, ModelRow};
use super::super::{already_exists, check_version};
use crate::controller::Version;
use crate::error::{Error, Result};

/// The rule of adding a model that needs the store's answer (`taken`: the name is in use), and
/// the audit record of the addition.
pub(super) fn plan_model_add(user: &str, row: &ModelRow, taken: bool) -> Result<AuditRecord> {
    if taken {
        return Err(already_exists(
            "name",
            format!("model {:?} already exists", row.name),
        ));
    }
    Ok(AuditRecord::new(user, AuditAction::AddModel)
        .model(&row.name)
        .detail(Some(format!("type {}", row.model_type.as_str()))))
}

/// The setting a request asks for, as stored: trimmed, and a Kubernetes model's own
/// `<model>-local` stored as `auto` (which means it).
pub(super) fn model_backend_setting(model: &ModelRow, requested: &str) -> Result<String> {
    let setting = requested.trim();
    if setting.is_empty() {
        return Err(ValidationError::field(
            "secret-backend",
            "missing backend name not valid: use \"auto\" or a secret backend's name",
        )
        .into());
    }
    let own_local = secret_backends_api::local_backend_name(&model.name);
    if setting == own_local && model.model_type == ModelType::Caas {
        return Ok(AUTO_BACKEND.to_owned());
    }
    Ok(setting.to_owned())
}

/// A model backend change, with what the store says at the moment of writing it.
pub(super) struct BackendChange<'a> {
    /// The model's version when the change was checked (and the backend pinged).
    pub seen: &'a Version,
    /// The setting to store.
    pub setting: &'a str,
    /// Whether a user backend of that name exists now.
    pub backend_exists: bool,
    /// The backend was not pinged.
    pub force: bool,
}

/// The rules of a model backend change checked in the writing transaction (nobody changed the
/// model, the backend was not removed meanwhile), and the audit record of the change.
pub(super) fn plan_set_backend(
    user: &str,
    current: &ModelRow,
    change: &BackendChange<'_>,
) -> Result<AuditRecord> {
    let what = format!("model {:?}", current.name);
    check_version(Some(change.seen), &model_version(current), &what)?;
    let built_in = change.setting == AUTO_BACKEND || change.setting == INTERNAL_BACKEND;
    if !built_in && !change.backend_exists {
        return Err(Error::backend_not_found(change.setting));
    }
    let forced = if change.force {
        ", forced (not pinged)"
    } else {
        ""
    };
    Ok(AuditRecord::new(user, AuditAction::SetModelBackend)
        .model(&current.name)
        .backend(change.setting)
        .detail(Some(format!("from {:?}{forced}", current.secret_backend))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embedded::refusal;
    use secret_backends_api::ErrorCode;

    fn model(model_type: ModelType, secret_backend: &str) -> ModelRow {
        ModelRow {
            uuid: "uuid-m1".into(),
            name: "m1".into(),
            model_type,
            secret_backend: secret_backend.into(),
            revision: 3,
        }
    }

    fn change<'a>(seen: &'a Version, setting: &'a str, backend_exists: bool) -> BackendChange<'a> {
        BackendChange {
            seen,
            setting,
            backend_exists,
            force: false,
        }
    }

    #[test]
    fn a_new_model_is_recorded_with_its_type_and_a_taken_name_refused() {
        let row = model(ModelType::Caas, AUTO_BACKEND);
        let record = plan_model_add("admin", &row, false).unwrap();
        assert_eq!(record.action, AuditAction::AddModel);
        assert_eq!(record.model.as_deref(), Some("m1"));
        assert_eq!(record.detail.as_deref(), Some("type caas"));
        let refusal = refusal(plan_model_add("admin", &row, true));
        assert_eq!(refusal.code, ErrorCode::AlreadyExists);
        assert_eq!(refusal.field.as_deref(), Some("name"));
    }

    #[test]
    fn the_setting_is_trimmed_and_a_kubernetes_model_s_own_local_backend_is_auto() {
        let caas = model(ModelType::Caas, AUTO_BACKEND);
        let iaas = model(ModelType::Iaas, AUTO_BACKEND);
        assert_eq!(
            model_backend_setting(&caas, "  myvault ").unwrap(),
            "myvault"
        );
        assert_eq!(
            model_backend_setting(&caas, "m1-local").unwrap(),
            AUTO_BACKEND
        );
        assert_eq!(
            model_backend_setting(&iaas, "m1-local").unwrap(),
            "m1-local"
        );
        assert_eq!(
            model_backend_setting(&caas, "m2-local").unwrap(),
            "m2-local"
        );
        let refusal = refusal(model_backend_setting(&caas, "   "));
        assert_eq!(refusal.code, ErrorCode::NotValid);
        assert_eq!(refusal.field.as_deref(), Some("secret-backend"));
    }

    #[test]
    fn a_backend_change_is_recorded_with_the_setting_it_replaces() {
        let current = model(ModelType::Iaas, INTERNAL_BACKEND);
        let seen = model_version(&current);
        let record = plan_set_backend("admin", &current, &change(&seen, "myvault", true)).unwrap();
        assert_eq!(record.action, AuditAction::SetModelBackend);
        assert_eq!(record.model.as_deref(), Some("m1"));
        assert_eq!(record.backend.as_deref(), Some("myvault"));
        assert_eq!(record.detail.as_deref(), Some("from \"internal\""));
        let forced = BackendChange {
            force: true,
            ..change(&seen, AUTO_BACKEND, false)
        };
        let record = plan_set_backend("admin", &current, &forced).unwrap();
        assert_eq!(
            record.detail.as_deref(),
            Some("from \"internal\", forced (not pinged)")
        );
    }

    #[test]
    fn a_backend_change_is_refused_if_the_model_or_the_backend_changed_meanwhile() {
        let current = model(ModelType::Iaas, AUTO_BACKEND);
        let stale = Version::new("uuid-m1-2");
        let refusal_of_stale = refusal(plan_set_backend(
            "admin",
            &current,
            &change(&stale, INTERNAL_BACKEND, false),
        ));
        assert_eq!(refusal_of_stale.code, ErrorCode::Conflict);
        assert!(
            refusal_of_stale
                .detail
                .starts_with("model \"m1\" was changed")
        );
        let seen = model_version(&current);
        let gone = refusal(plan_set_backend(
            "admin",
            &current,
            &change(&seen, "myvault", false),
        ));
        assert_eq!(gone.code, ErrorCode::NotFound);
    }
}
