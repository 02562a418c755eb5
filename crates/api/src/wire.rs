//! Request and answer bodies of the REST API. Field names are kebab-case, as Juju prints them.
//! Requests refuse unknown fields, so a typo is an error rather than a silently ignored key.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{BackendType, Config, FieldKind, LoginSession};

// ---------------------------------------------------------------------------------------------
// Auth

/// A user's controller-wide access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Access {
    /// May do everything, including reveal.
    Superuser,
    /// May log in, list and show.
    Login,
}

/// A user's access to one model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ModelAccess {
    Read,
    Write,
    Admin,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// How the session is kept: `token` (the default) or `cookie`.
    #[serde(default)]
    pub session: LoginSession,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserRef {
    pub name: String,
    pub access: Access,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginResponse {
    /// The bearer token; absent for a cookie session, whose token only the cookie carries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    pub user: UserRef,
    /// When the session ends at the latest (RFC 3339): login time plus the session lifetime.
    pub expires: String,
}

// ---------------------------------------------------------------------------------------------
// Backend types

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct FieldInfo {
    pub name: String,
    pub kind: FieldKind,
    pub required: bool,
    pub immutable: bool,
    pub sensitive: bool,
    pub description: String,
    /// The longest value in characters (for a list: of each entry); longer is refused.
    #[serde(default)]
    pub max_length: usize,
    /// What the value must look like beyond its kind, where there is a rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<crate::ValueRule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct BackendTypeInfo {
    pub backend_type: BackendType,
    pub user_managed: bool,
    pub token_rotate: bool,
    pub fields: Vec<FieldInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackendTypes {
    pub types: Vec<BackendTypeInfo>,
}

impl BackendTypes {
    /// The answer of `GET /api/v1/backend-types`, from the static schema.
    pub fn from_schema() -> Self {
        let types = BackendType::ALL
            .into_iter()
            .map(|t| BackendTypeInfo {
                backend_type: t,
                user_managed: t.user_managed(),
                token_rotate: t.token_rotate(),
                fields: t
                    .fields()
                    .iter()
                    .map(|f| FieldInfo {
                        name: f.name.to_owned(),
                        kind: f.kind,
                        required: f.required,
                        immutable: f.immutable,
                        sensitive: f.sensitive,
                        description: f.description.to_owned(),
                        max_length: f.max_len,
                        rule: f.rule,
                    })
                    .collect(),
            })
            .collect();
        BackendTypes { types }
    }
}

// ---------------------------------------------------------------------------------------------
// Backends

/// The result of the last reachability check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum BackendStatus {
    Active,
    Error,
}

impl BackendStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BackendStatus::Active => "active",
            BackendStatus::Error => "error",
        }
    }
}

/// The outcome of the last token rotation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LastRotation {
    pub at: String,
    pub error: Option<String>,
}

/// A secret backend as the API answers it. Sensitive keys are absent from `config` unless revealed;
/// `sensitive-set` names the ones that hold a value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct SecretBackend {
    pub id: String,
    pub name: String,
    pub backend_type: BackendType,
    pub built_in: bool,
    /// Config keys of the backend type (strings, booleans, lists of strings).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub config: Config,
    #[serde(default)]
    pub sensitive_set: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_rotate_interval: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_rotation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_rotation: Option<LastRotation>,
    pub secrets: u64,
    pub status: BackendStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_at: Option<String>,
    #[serde(default)]
    pub models: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackendList {
    pub backends: Vec<SecretBackend>,
}

/// `POST /api/v1/secret-backends`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct AddBackendRequest {
    pub name: String,
    pub backend_type: String,
    #[serde(default)]
    /// Config keys of the backend type (strings, booleans, lists of strings).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub config: Config,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_rotate_interval: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub import_id: Option<String>,
}

/// `PATCH /api/v1/secret-backends/{name}`: merge semantics (`docs/rules.md#update`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct UpdateBackendRequest {
    /// A new name (rename).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Keys to set.
    #[serde(default, skip_serializing_if = "Config::is_empty")]
    /// Config keys of the backend type (strings, booleans, lists of strings).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub config: Config,
    /// Keys to delete (restoring a default where there is one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reset: Vec<String>,
    /// A Go duration; `0` turns rotation off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_rotate_interval: Option<String>,
    /// Save without pinging the backend.
    #[serde(default)]
    pub force: bool,
}

/// `POST /api/v1/backend-checks`: a connection test before saving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct BackendCheckRequest {
    pub backend_type: String,
    #[serde(default)]
    /// Config keys of the backend type (strings, booleans, lists of strings).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub config: Config,
}

/// One step of a ping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckStep {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackendCheck {
    pub ok: bool,
    pub steps: Vec<CheckStep>,
}

// ---------------------------------------------------------------------------------------------
// Models and their secrets

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ModelType {
    /// Machines: `auto` means `internal`.
    Iaas,
    /// Kubernetes: `auto` means the model's own `<model>-local` backend.
    Caas,
}

impl ModelType {
    pub fn as_str(self) -> &'static str {
        match self {
            ModelType::Iaas => "iaas",
            ModelType::Caas => "caas",
        }
    }
}

/// Whether a model writes to a backend (`active`) or is still moving content out of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ModelBackendStatus {
    Active,
    Draining,
}

impl ModelBackendStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ModelBackendStatus::Active => "active",
            ModelBackendStatus::Draining => "draining",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModelBackendState {
    pub status: ModelBackendStatus,
    /// Distinct secrets of the model with content in this backend.
    pub secrets: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub struct Model {
    pub name: String,
    pub uuid: String,
    #[serde(rename = "type")]
    pub model_type: ModelType,
    /// The setting: `auto`, `internal` or a user backend's name.
    pub secret_backend: String,
    /// The backend new revisions go to.
    pub effective_backend: String,
    pub secret_backends: BTreeMap<String, ModelBackendState>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModelList {
    pub models: Vec<Model>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddModelRequest {
    pub name: String,
    #[serde(rename = "type")]
    pub model_type: ModelType,
}

/// `PUT /api/v1/models/{name}/secret-backend`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SetModelBackendRequest {
    pub secret_backend: String,
    /// Set it without pinging the backend.
    #[serde(default)]
    pub force: bool,
}

/// A secret of a model, without its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecretInfo {
    pub uri: String,
    pub label: String,
    /// The latest revision.
    pub revision: u64,
    /// The backend that holds the latest revision's content.
    pub backend: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecretList {
    pub secrets: Vec<SecretInfo>,
}

/// `POST /api/v1/models/{name}/secrets`: a new secret, or a new revision of the secret with
/// that label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddSecretRequest {
    pub label: String,
    pub content: BTreeMap<String, String>,
}

// ---------------------------------------------------------------------------------------------
// Users

/// A user and their access to each model: `GET /users` lists them, `GET /whoami` answers the
/// caller's own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub name: String,
    pub access: Access,
    #[serde(default)]
    pub models: BTreeMap<String, ModelAccess>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserList {
    pub users: Vec<User>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddUserRequest {
    pub name: String,
    pub password: String,
    pub access: Access,
    /// Access to models, by model name.
    #[serde(default)]
    pub models: BTreeMap<String, ModelAccess>,
}

// ---------------------------------------------------------------------------------------------
// Change feed and audit

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    BackendAdded,
    BackendUpdated,
    BackendRemoved,
    BackendStatus,
    ModelUpdated,
}

impl EventKind {
    /// The SSE `event:` name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::BackendAdded => "backend-added",
            EventKind::BackendUpdated => "backend-updated",
            EventKind::BackendRemoved => "backend-removed",
            EventKind::BackendStatus => "backend-status",
            EventKind::ModelUpdated => "model-updated",
        }
    }
}

/// One change: its kind and the affected backend or model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    pub kind: EventKind,
    pub name: String,
}

/// A single-use ticket to open `/api/v1/events?ticket=…` (EventSource cannot send headers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventTicket {
    pub ticket: String,
    pub expires: String,
}

/// Who did what and when. Values are never recorded, only the names of keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: u64,
    pub at: String,
    pub user: String,
    /// The word of an [`AuditAction`](crate::AuditAction): `add`, `update`, `remove`, `reveal`,
    /// `rotate`, `add-model`, `model-backend`, `secret-add` or `add-user`. Text rather than the
    /// enum, so that a console reading a newer controller's trail shows an action it does not
    /// know instead of failing.
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Config keys concerned (set, reset or revealed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditList {
    pub entries: Vec<AuditEntry>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn status_words_are_the_wire_words() {
        for status in [BackendStatus::Active, BackendStatus::Error] {
            assert_eq!(json!(status), json!(status.as_str()));
        }
        for status in [ModelBackendStatus::Active, ModelBackendStatus::Draining] {
            assert_eq!(json!(status), json!(status.as_str()));
        }
    }

    #[test]
    fn backend_answer_uses_kebab_case_and_omits_empty_optionals() {
        let b = SecretBackend {
            id: "id".into(),
            name: "myvault".into(),
            backend_type: BackendType::Vault,
            built_in: false,
            config: [("endpoint".to_owned(), json!("http://10.0.0.1:8200"))].into(),
            sensitive_set: vec!["token".into()],
            token_rotate_interval: Some("24h0m0s".into()),
            next_rotation: None,
            last_rotation: None,
            secrets: 20,
            status: BackendStatus::Active,
            message: None,
            checked_at: Some("2026-01-01T00:00:00Z".into()),
            models: vec!["mymodel".into()],
        };
        let v = serde_json::to_value(&b).unwrap();
        assert_eq!(v["backend-type"], "vault");
        assert_eq!(v["built-in"], false);
        assert_eq!(v["sensitive-set"], json!(["token"]));
        assert_eq!(v["token-rotate-interval"], "24h0m0s");
        assert_eq!(v["checked-at"], "2026-01-01T00:00:00Z");
        assert!(v.get("message").is_none());
        assert!(v.get("next-rotation").is_none());
        assert_eq!(serde_json::from_value::<SecretBackend>(v).unwrap(), b);
    }

    #[test]
    fn requests_refuse_unknown_fields_by_name() {
        let err = serde_json::from_value::<AddBackendRequest>(json!({
            "name": "v", "backend-type": "vault", "config": {}, "tokn-rotate-interval": "1h"
        }))
        .unwrap_err();
        assert!(err.to_string().contains("tokn-rotate-interval"), "{err}");
        let req: AddBackendRequest = serde_json::from_value(json!({
            "name": "v", "backend-type": "vault", "config": {"endpoint": "http://x"},
            "token-rotate-interval": "1h", "import-id": "abc"
        }))
        .unwrap();
        assert_eq!(req.import_id.as_deref(), Some("abc"));
    }

    #[test]
    fn backend_types_answer_lists_every_type_with_its_fields() {
        let v = serde_json::to_value(BackendTypes::from_schema()).unwrap();
        let vault = v["types"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["backend-type"] == "vault")
            .unwrap();
        assert_eq!(vault["user-managed"], true);
        let token = vault["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == "token")
            .unwrap();
        assert_eq!(token["sensitive"], true);
        assert_eq!(token["kind"], "string");
        assert_eq!(token["max-length"], 8192);
        // The limits and rules travel with the schema, so a form can apply them too.
        let field = |name: &str| {
            vault["fields"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["name"] == name)
                .unwrap()
                .clone()
        };
        assert_eq!(field("mount-path")["max-length"], 128);
        assert_eq!(field("mount-path")["rule"], "mount-path");
        assert_eq!(field("tls-server-name")["rule"], "host-name");
        assert_eq!(field("ca-cert")["rule"], "certificates");
        assert_eq!(field("client-key")["rule"], "private-key");
        assert!(field("endpoint").get("rule").is_none());
        assert_eq!(field("endpoint")["max-length"], 2048);
    }
}
