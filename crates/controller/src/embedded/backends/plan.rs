//! The rules of changing a stored backend, as plain functions of what the store holds: they
//! decide and describe (the new row, the audit record); the callers read and write.

use secret_backends_api::{
    AuditAction, BackendStatus, Config, ErrorCode, GoDuration, LeftBehind, UpdateBackendRequest,
    ValidationError, left_behind_sentence, validate,
};

use super::super::snapshot::backend_version;
use super::super::store::{AuditRecord, BackendRow};
use super::super::{already_exists, check_version};
use super::rotation::next_rotation;
use crate::controller::Version;
use crate::error::{Error, Result};

/// Refuses a backend whose name or id is taken (`name_taken`, `id_taken`: the store's answers).
pub(super) fn refuse_duplicate(
    name: &str,
    id: &str,
    name_taken: bool,
    id_taken: bool,
) -> Result<()> {
    if name_taken {
        return Err(already_exists(
            "name",
            format!("secret backend {name:?} already exists"),
        ));
    }
    if id_taken {
        return Err(already_exists(
            "import-id",
            format!("secret backend with ID {id:?} already exists"),
        ));
    }
    Ok(())
}

/// The audit record of adding `row`: its config keys (never values) and type.
pub(super) fn add_record(user: &str, row: &BackendRow) -> AuditRecord {
    AuditRecord::new(user, AuditAction::AddBackend)
        .backend(&row.name)
        .keys(row.config.keys().cloned().collect())
        .detail(Some(format!("type {}", row.backend_type)))
}

/// An update checked against the stored backend, ready to be written.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct UpdatePlan {
    /// The version the plan was made from; the write refuses any other.
    pub seen: Version,
    pub rename: Option<String>,
    /// The merged and validated config.
    pub config: Config,
    /// The interval in seconds, when it changes (`Some(None)`: rotation off).
    pub rotate: Option<Option<u64>>,
}

/// Checks an update request against the stored backend (`docs/rules.md#update`): merge and reset
/// the config, keep immutable keys, validate the result, parse the rotate interval (`0` turns it
/// off) and the new name. Refuses a request that changes nothing.
pub(super) fn plan_update(
    stored: &BackendRow,
    request: &UpdateBackendRequest,
) -> Result<UpdatePlan> {
    validate::update_request(request)?;
    let merged = validate::merge_config(
        stored.backend_type,
        &stored.config,
        &request.config,
        &request.reset,
    )?;
    let rotate_secs = match request.token_rotate_interval.as_deref() {
        None => stored.token_rotate_secs,
        Some(text) => {
            validate::token_rotate_interval(stored.backend_type, text, validate::Operation::Update)?
                .map(GoDuration::as_secs)
        }
    };
    let config = validate::backend(
        stored.backend_type,
        &merged,
        rotate_secs.map(GoDuration::from_secs),
    )?;
    let rename = match request.name.as_deref() {
        Some(n) if n != stored.name => {
            validate::backend_name(n)?;
            Some(n.to_owned())
        }
        _ => None,
    };
    let rotate = (rotate_secs != stored.token_rotate_secs).then_some(rotate_secs);
    // Nothing to save means nothing to ping and nothing to audit.
    if config == stored.config && rename.is_none() && rotate.is_none() {
        return Err(validate::nothing_changes().into());
    }
    Ok(UpdatePlan {
        seen: backend_version(stored),
        rename,
        config,
        rotate,
    })
}

/// What the store and the ping say when an update is written.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct UpdateFacts {
    /// The backend holds secret content.
    pub in_use: bool,
    /// Another backend has the new name.
    pub name_taken: bool,
    /// When the merged config was pinged; `None` when forced.
    pub pinged: Option<i64>,
}

/// Applies a planned update to the backend as it is now, refusing if someone changed it since
/// the plan or the rename is not allowed any more. Returns the row to write and its audit record.
pub(super) fn apply_update(
    mut row: BackendRow,
    plan: &UpdatePlan,
    facts: UpdateFacts,
    user: &str,
    now: i64,
) -> Result<(BackendRow, AuditRecord)> {
    // Someone changed it while we pinged: refuse rather than overwrite.
    let what = format!("secret backend {:?}", row.name);
    check_version(Some(&plan.seen), &backend_version(&row), &what)?;
    let mut detail = Vec::new();
    if let Some(new_name) = &plan.rename {
        if facts.in_use {
            return Err(ValidationError::field(
                "name",
                "cannot rename a secret backend that is in use",
            )
            .with_code(ErrorCode::InUse)
            .into());
        }
        if facts.name_taken {
            return Err(already_exists(
                "name",
                format!("secret backend {new_name:?} already exists"),
            ));
        }
        detail.push(format!("renamed from {:?}", row.name));
        row.name = new_name.clone();
    }
    let changed_keys = changed_keys(&row.config, &plan.config);
    row.config = plan.config.clone();
    if let Some(rotate_secs) = plan.rotate {
        row.token_rotate_secs = rotate_secs;
        row.next_rotation_at = rotate_secs.map(|s| next_rotation(now, s));
        detail.push(match rotate_secs {
            Some(s) => format!("token rotation every {}", GoDuration::from_secs(s)),
            None => "token rotation off".to_owned(),
        });
    }
    match facts.pinged {
        Some(at) => {
            row.status = BackendStatus::Active;
            row.message = None;
            row.checked_at = Some(at);
        }
        None => detail.push("forced (not pinged)".to_owned()),
    }
    row.revision += 1;
    let record = AuditRecord::new(user, AuditAction::UpdateBackend)
        .backend(&row.name)
        .keys(changed_keys)
        .detail((!detail.is_empty()).then(|| detail.join("; ")));
    Ok((row, record))
}

/// The rules of removing a stored backend (`docs/rules.md#remove`): at the version the caller
/// saw, and holding no secret content unless forced (`left_behind`: the secrets whose content is
/// still in it, after a forced removal moved what it could). Returns the audit record, which
/// names what a forced removal left behind.
pub(super) fn plan_remove(
    user: &str,
    row: &BackendRow,
    expected: Option<&Version>,
    force: bool,
    left_behind: &[LeftBehind],
    models_moved: usize,
) -> Result<AuditRecord> {
    let what = format!("secret backend {:?}", row.name);
    check_version(expected, &backend_version(row), &what)?;
    if !left_behind.is_empty() && !force {
        return Err(Error::refused(
            ErrorCode::InUse,
            format!("backend {:?} still contains secret content", row.name),
        ));
    }
    let lost = if left_behind.is_empty() {
        "nothing left behind".to_owned()
    } else {
        left_behind_sentence(left_behind)
    };
    Ok(AuditRecord::new(user, AuditAction::RemoveBackend)
        .backend(&row.name)
        .detail(force.then(|| format!("forced: {models_moved} models moved to auto; {lost}"))))
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

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::embedded::refusal;
    use secret_backends_api::BackendType;

    /// A stored vault backend at revision 1, rotating its token hourly.
    pub fn vault_row() -> BackendRow {
        BackendRow {
            id: "id-1".into(),
            name: "myvault".into(),
            backend_type: BackendType::Vault,
            config: [
                ("endpoint".to_owned(), "http://vault:8200".into()),
                ("token".to_owned(), "s.old".into()),
            ]
            .into(),
            token_rotate_secs: Some(3600),
            revision: 1,
            status: BackendStatus::Error,
            message: Some("unreachable".into()),
            checked_at: Some(1),
            next_rotation_at: Some(2701),
            last_rotation_at: None,
            last_rotation_error: None,
        }
    }

    fn request(body: serde_json::Value) -> UpdateBackendRequest {
        serde_json::from_value(body).unwrap()
    }

    #[test]
    fn a_taken_name_or_id_is_refused_and_a_new_backend_recorded_with_its_keys() {
        let name = refusal(refuse_duplicate("v", "id", true, false));
        assert_eq!(
            (name.code, name.field.as_deref()),
            (ErrorCode::AlreadyExists, Some("name"))
        );
        let id = refusal(refuse_duplicate("v", "id", false, true));
        assert_eq!(
            (id.code, id.field.as_deref()),
            (ErrorCode::AlreadyExists, Some("import-id"))
        );
        assert!(refuse_duplicate("v", "id", false, false).is_ok());
        let record = add_record("admin", &vault_row());
        assert_eq!(record.action, AuditAction::AddBackend);
        assert_eq!(record.keys, ["endpoint", "token"]);
        assert_eq!(record.detail.as_deref(), Some("type vault"));
    }

    #[test]
    fn an_update_merges_the_config_and_names_only_the_changed_keys() {
        let stored = vault_row();
        let plan = plan_update(
            &stored,
            &request(serde_json::json!({"config": {"token": "s.new"}})),
        )
        .unwrap();
        assert_eq!(plan.config["endpoint"], "http://vault:8200");
        assert_eq!(plan.config["token"], "s.new");
        assert_eq!((plan.rename.as_deref(), plan.rotate), (None, None));
        let facts = UpdateFacts {
            pinged: Some(50),
            ..UpdateFacts::default()
        };
        let (row, record) = apply_update(stored, &plan, facts, "admin", 50).unwrap();
        assert_eq!(row.revision, 2);
        assert_eq!(
            (row.status, row.message, row.checked_at),
            (BackendStatus::Active, None, Some(50))
        );
        assert_eq!(record.action, AuditAction::UpdateBackend);
        assert_eq!(record.keys, ["token"]);
        assert_eq!(record.detail, None);
    }

    #[test]
    fn an_update_that_changes_nothing_is_refused_before_any_ping() {
        let stored = vault_row();
        let same = request(serde_json::json!({"name": "myvault", "config": {"token": "s.old"}}));
        assert!(plan_update(&stored, &same).is_err());
    }

    #[test]
    fn a_forced_rename_with_rotation_off_is_described_in_the_record() {
        let stored = vault_row();
        let body = serde_json::json!({"name": "newvault", "token-rotate-interval": "0"});
        let plan = plan_update(&stored, &request(body)).unwrap();
        assert_eq!(plan.rename.as_deref(), Some("newvault"));
        assert_eq!(plan.rotate, Some(None));
        let (row, record) =
            apply_update(stored, &plan, UpdateFacts::default(), "admin", 50).unwrap();
        assert_eq!(row.name, "newvault");
        assert_eq!((row.token_rotate_secs, row.next_rotation_at), (None, None));
        assert_eq!(row.status, BackendStatus::Error, "not pinged, not checked");
        assert_eq!(record.backend.as_deref(), Some("newvault"));
        assert_eq!(
            record.detail.as_deref(),
            Some("renamed from \"myvault\"; token rotation off; forced (not pinged)")
        );
    }

    #[test]
    fn a_rename_is_refused_when_in_use_or_taken_and_any_update_when_changed_meanwhile() {
        let plan =
            plan_update(&vault_row(), &request(serde_json::json!({"name": "other"}))).unwrap();
        let in_use = UpdateFacts {
            in_use: true,
            ..UpdateFacts::default()
        };
        let refused = refusal(apply_update(vault_row(), &plan, in_use, "admin", 0));
        assert_eq!(refused.code, ErrorCode::InUse);
        let taken = UpdateFacts {
            name_taken: true,
            ..UpdateFacts::default()
        };
        let refused = refusal(apply_update(vault_row(), &plan, taken, "admin", 0));
        assert_eq!(refused.code, ErrorCode::AlreadyExists);
        let changed = BackendRow {
            revision: 2,
            ..vault_row()
        };
        let refused = refusal(apply_update(
            changed,
            &plan,
            UpdateFacts::default(),
            "admin",
            0,
        ));
        assert_eq!(refused.code, ErrorCode::Conflict);
    }

    #[test]
    fn a_backend_holding_content_is_removed_only_when_forced_naming_what_is_left_behind() {
        let row = vault_row();
        let lost = [LeftBehind {
            model: "m1".into(),
            uri: "secret:abc".into(),
            label: "db".into(),
            revisions: vec![1, 2],
            reason: "vault is sealed".into(),
        }];
        let refused = refusal(plan_remove("admin", &row, None, false, &lost, 0));
        assert_eq!(refused.code, ErrorCode::InUse);
        let record = plan_remove("admin", &row, None, false, &[], 0).unwrap();
        assert_eq!(
            (record.action, record.detail),
            (AuditAction::RemoveBackend, None)
        );
        let forced = plan_remove("admin", &row, None, true, &lost, 1).unwrap();
        assert_eq!(
            forced.detail.as_deref(),
            Some(
                "forced: 1 models moved to auto; the content of 1 secret could not be moved: \
                 secret:abc revisions 1, 2 (\"db\" in model \"m1\"): vault is sealed"
            )
        );
        let moved = plan_remove("admin", &row, None, true, &[], 1).unwrap();
        assert_eq!(
            moved.detail.as_deref(),
            Some("forced: 1 models moved to auto; nothing left behind")
        );
        let stale = Version::new("id-1-0");
        let refused = refusal(plan_remove("admin", &row, Some(&stale), true, &[], 0));
        assert_eq!(refused.code, ErrorCode::Conflict);
    }
}
