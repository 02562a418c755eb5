//! The shapes of the Juju facades the bridge calls, as Juju publishes them (`rpc/params` in
//! juju/juju; the generated classes of python-libjuju 3.6 carry the same wire names): field
//! names are Juju's, kebab-case, and an optional field is left out rather than sent empty.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What the bridge says it is in `Admin.Login`: a Juju 3.6 client, as python-libjuju 3.6 does.
pub const CLIENT_VERSION: &str = "3.6.0";

/// The facade versions the bridge speaks.
pub const ADMIN: u32 = 3;
pub const SECRET_BACKENDS: u32 = 1;
pub const MODEL_MANAGER: u32 = 9;
/// `ModelConfig` up to 3 keeps a model's backend in the `secret-backend` key; 4 (Juju 4) has
/// `Get`/`SetModelSecretBackend` instead.
pub const MODEL_CONFIG_KEY: u32 = 3;
pub const MODEL_CONFIG_CALLS: u32 = 4;

/// The model-config key of a model's secret backend (Juju 3).
pub const SECRET_BACKEND_KEY: &str = "secret-backend";

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct LoginRequest<'a> {
    pub auth_tag: String,
    pub credentials: &'a str,
    pub client_version: &'static str,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct LoginResult {
    #[serde(default)]
    pub user_info: Option<AuthUserInfo>,
    #[serde(default)]
    pub facades: Vec<FacadeVersions>,
    #[serde(default)]
    pub server_version: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct AuthUserInfo {
    #[serde(default)]
    pub controller_access: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct FacadeVersions {
    pub name: String,
    pub versions: Vec<u32>,
}

/// Juju's error inside a result.
#[derive(Debug, Clone, Deserialize)]
pub struct JujuError {
    pub message: String,
    #[serde(default)]
    pub code: String,
}

#[derive(Debug, Deserialize)]
pub struct ErrorResults {
    #[serde(default)]
    pub results: Vec<ErrorResult>,
}

#[derive(Debug, Deserialize)]
pub struct ErrorResult {
    #[serde(default)]
    pub error: Option<JujuError>,
}

#[derive(Debug, Serialize)]
pub struct ListSecretBackendsArgs<'a> {
    pub names: &'a [String],
    pub reveal: bool,
}

#[derive(Debug, Deserialize)]
pub struct ListSecretBackendsResults {
    #[serde(default)]
    pub results: Vec<SecretBackendResult>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct SecretBackendResult {
    pub result: SecretBackend,
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub num_secrets: u64,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub error: Option<JujuError>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct SecretBackend {
    pub name: String,
    pub backend_type: String,
    /// Nanoseconds, as Go's `time.Duration`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_rotate_interval: Option<u64>,
    #[serde(default)]
    pub config: BTreeMap<String, Value>,
}

#[derive(Debug, Serialize)]
pub struct Args<T> {
    pub args: Vec<T>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct AddSecretBackendArg {
    #[serde(flatten)]
    pub backend: SecretBackend,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct UpdateSecretBackendArg {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_change: Option<String>,
    /// Sent as `null` when unchanged, as Juju's own client does.
    pub token_rotate_interval: Option<u64>,
    pub config: BTreeMap<String, Value>,
    pub reset: Vec<String>,
    pub force: bool,
}

#[derive(Debug, Serialize)]
pub struct RemoveSecretBackendArg {
    pub name: String,
    pub force: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ModelSummariesRequest {
    pub user_tag: String,
    pub all: bool,
}

#[derive(Debug, Deserialize)]
pub struct ModelSummaryResults {
    #[serde(default)]
    pub results: Vec<ModelSummaryResult>,
}

#[derive(Debug, Deserialize)]
pub struct ModelSummaryResult {
    #[serde(default)]
    pub result: Option<ModelSummary>,
    #[serde(default)]
    pub error: Option<JujuError>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct ModelSummary {
    pub name: String,
    pub uuid: String,
    #[serde(rename = "type", default)]
    pub model_type: String,
    #[serde(default)]
    pub owner_tag: String,
    #[serde(default)]
    pub user_access: String,
}

/// `ModelGet`'s answer: each key's value and where it comes from.
#[derive(Debug, Deserialize)]
pub struct ModelConfigResults {
    #[serde(default)]
    pub config: BTreeMap<String, ConfigValue>,
}

#[derive(Debug, Deserialize)]
pub struct ConfigValue {
    #[serde(default)]
    pub value: Value,
}

#[derive(Debug, Serialize)]
pub struct ModelSet {
    pub config: BTreeMap<String, Value>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct SetModelSecretBackendArg {
    pub secret_backend_name: String,
}

#[derive(Debug, Deserialize)]
pub struct StringResult {
    #[serde(default)]
    pub result: String,
    #[serde(default)]
    pub error: Option<JujuError>,
}

/// No parameters: Juju's clients send an empty object.
#[derive(Debug, Serialize)]
pub struct NoParams {}
