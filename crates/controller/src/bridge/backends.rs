//! Secret backends through facade `SecretBackends` v1: `ListSecretBackends`, and the batch calls
//! `AddSecretBackends`, `UpdateSecretBackends`, `RemoveSecretBackends`, each sent with one item
//! and read as one result.
//!
//! The request is checked with the same rules as in embedded mode before it goes to Juju (so a
//! bad name or config is refused the same way, naming the field), and Juju checks it again. Where
//! Juju answers differently from the embedded rules, the bridge asks first: removing or changing
//! an unknown name is `not-found`, a built-in backend cannot be changed, and a change made at a
//! version the caller did not see is a `conflict`.

use std::collections::BTreeMap;

use async_trait::async_trait;
use secret_backends_api::validate::{self, Operation};
use secret_backends_api::{
    AddBackendRequest, BackendCheck, BackendCheckRequest, BackendStatus, BackendType, Config,
    ErrorCode, GoDuration, RemovedBackend, SecretBackend, UpdateBackendRequest,
    is_built_in_backend,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::facades::{
    self, AddSecretBackendArg, Args, ErrorResults, ListSecretBackendsArgs,
    ListSecretBackendsResults, RemoveSecretBackendArg, SecretBackendResult, UpdateSecretBackendArg,
};
use super::session::Session;
use super::{JujuBridge, not_offered};
use crate::controller::{
    Backends, Caller, Change, ListOptions, Removal, Version, Versioned, check_version,
};
use crate::error::{Error, Result};

const FACADE: &str = "SecretBackends";

impl JujuBridge {
    /// Juju's list, for `names` only when given.
    pub(super) async fn list_results(
        &self,
        session: &Session,
        names: &[String],
        reveal: bool,
    ) -> Result<Vec<SecretBackendResult>> {
        let params = ListSecretBackendsArgs { names, reveal };
        let answer: ListSecretBackendsResults = session
            .call(
                &self.endpoint,
                (FACADE, facades::SECRET_BACKENDS, "ListSecretBackends"),
                &params,
                &[],
            )
            .await?;
        // Keep the asked names only (whatever Juju does with unknown ones), and what Juju could
        // describe.
        Ok(answer
            .results
            .into_iter()
            .filter(|r| names.is_empty() || names.contains(&r.result.name))
            .filter(|r| match &r.error {
                Some(e) => {
                    tracing::warn!(backend = %r.result.name, error = %e.message, "a backend Juju could not describe");
                    false
                }
                None => true,
            })
            .collect())
    }

    /// One backend as the API shows it, with its version (`not-found` if Juju has none).
    async fn one(
        &self,
        session: &Session,
        name: &str,
        reveal: bool,
    ) -> Result<Versioned<SecretBackend>> {
        let results = self
            .list_results(session, &[name.to_owned()], reveal)
            .await?;
        let result = results
            .into_iter()
            .find(|r| r.result.name == name)
            .ok_or_else(|| Error::backend_not_found(name))?;
        Ok(versioned(result, reveal))
    }

    /// The backend, if it is still at the version the caller expects (`conflict` if not; Juju
    /// keeps no versions, so this is asked first).
    async fn at_version(
        &self,
        session: &Session,
        name: &str,
        expected: Option<&Version>,
    ) -> Result<Versioned<SecretBackend>> {
        let current = self.one(session, name, false).await?;
        check_version(
            expected,
            &current.version,
            &format!("secret backend {name:?}"),
        )?;
        Ok(current)
    }

    /// Sends one item of a batch call and reads its one result.
    async fn batch<T: serde::Serialize>(
        &self,
        session: &Session,
        request: &str,
        item: T,
        secrets: &[&str],
    ) -> Result<()> {
        let answer: ErrorResults = session
            .call(
                &self.endpoint,
                (FACADE, facades::SECRET_BACKENDS, request),
                &Args { args: vec![item] },
                secrets,
            )
            .await?;
        match answer.results.into_iter().next() {
            Some(result) => match result.error {
                Some(e) => Err(super::errors::refusal(&e.message, &e.code, secrets)),
                None => Ok(()),
            },
            None => Err(Error::internal(format!(
                "{request}: no result for the one item"
            ))),
        }
    }
}

/// A backend of Juju's as the API shows it. Its version is a digest of what anyone may see of it
/// (so it is the same with or without reveal): Juju keeps no version of its own.
pub(super) fn versioned(result: SecretBackendResult, reveal: bool) -> Versioned<SecretBackend> {
    let backend = shown(result, reveal);
    let version = version_of(&backend);
    Versioned {
        value: backend,
        version,
    }
}

/// Unless `reveal`, sensitive values are left out here too, whatever Juju answered; their keys
/// are named in `sensitive-set`.
fn shown(result: SecretBackendResult, reveal: bool) -> SecretBackend {
    let SecretBackendResult {
        result: juju,
        id,
        num_secrets,
        status,
        message,
        ..
    } = result;
    let backend_type = BackendType::parse(&juju.backend_type).unwrap_or(BackendType::Vault);
    let config: Config = juju.config.into_iter().collect();
    let (masked, sensitive_set) = validate::mask_sensitive(backend_type, &config);
    let config = if reveal { config } else { masked };
    let status = match status.as_str() {
        "error" => BackendStatus::Error,
        _ => BackendStatus::Active,
    };
    SecretBackend {
        id,
        built_in: is_built_in_backend(&juju.name),
        name: juju.name,
        backend_type,
        config,
        sensitive_set,
        token_rotate_interval: juju
            .token_rotate_interval
            .filter(|n| *n > 0)
            .map(|n| GoDuration::from_nanos(n).to_string()),
        next_rotation: None,
        last_rotation: None,
        secrets: num_secrets,
        status,
        message: Some(message).filter(|m| !m.is_empty()),
        checked_at: None,
        models: Vec::new(),
    }
}

fn version_of(backend: &SecretBackend) -> Version {
    let (visible, _) = validate::mask_sensitive(backend.backend_type, &backend.config);
    let seen = serde_json::json!([
        backend.id,
        backend.name,
        backend.backend_type,
        visible,
        backend.token_rotate_interval,
    ]);
    let digest = Sha256::digest(seen.to_string().as_bytes());
    Version::new(hex::encode(&digest[..12]))
}

/// The sensitive values of a config, to be cut out of anything Juju answers.
fn sensitive_values(backend_type: BackendType, config: &Config) -> Vec<String> {
    config
        .iter()
        .filter(|(key, _)| backend_type.field(key).is_some_and(|f| f.sensitive))
        .filter_map(|(_, value)| value.as_str().map(str::to_owned))
        .collect()
}

fn nanos(interval: Option<GoDuration>) -> Option<u64> {
    interval.map(GoDuration::as_nanos)
}

fn built_in_unchangeable(name: &str) -> Error {
    Error::refused(
        ErrorCode::NotValid,
        format!("backend {name:?} is built in and cannot be changed"),
    )
}

#[async_trait]
impl Backends for JujuBridge {
    async fn backends_list(
        &self,
        caller: &Caller,
        options: ListOptions,
    ) -> Result<Vec<SecretBackend>> {
        let session = self.session(caller)?;
        let names = options.names.unwrap_or_default();
        let results = self.list_results(&session, &names, options.reveal).await?;
        // By name, as in embedded mode (Juju orders by backend ID).
        let mut backends: Vec<SecretBackend> = results
            .into_iter()
            .map(|r| versioned(r, options.reveal).value)
            .collect();
        backends.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(backends)
    }

    async fn backend_get(
        &self,
        caller: &Caller,
        name: &str,
        reveal: bool,
    ) -> Result<Versioned<SecretBackend>> {
        let session = self.session(caller)?;
        self.one(&session, name, reveal).await
    }

    async fn backend_add(
        &self,
        caller: &Caller,
        request: AddBackendRequest,
    ) -> Result<Versioned<SecretBackend>> {
        let session = self.session(caller)?;
        // Juju refuses a non-superuser whatever the request: let it, in its words.
        let (backend_type, config, interval) = if caller.is_superuser() {
            let checked = validate::add_request(&request)?;
            let backend_type = checked.backend_type.as_str().to_owned();
            (backend_type, checked.config, checked.token_rotate_interval)
        } else {
            (request.backend_type.clone(), request.config.clone(), None)
        };
        let secrets = BackendType::parse(&backend_type)
            .map(|t| sensitive_values(t, &config))
            .unwrap_or_default();
        let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
        let item = AddSecretBackendArg {
            backend: facades::SecretBackend {
                name: request.name.clone(),
                backend_type,
                token_rotate_interval: nanos(interval),
                config: config.into_iter().collect(),
            },
            id: request.import_id.unwrap_or_default(),
        };
        self.batch(&session, "AddSecretBackends", item, &secrets)
            .await?;
        tracing::info!(user = %caller.name, backend = %request.name, "secret backend added in Juju");
        self.one(&session, &request.name, false).await
    }

    async fn backend_update(
        &self,
        caller: &Caller,
        change: Change<'_, UpdateBackendRequest>,
    ) -> Result<Versioned<SecretBackend>> {
        let (name, request) = (change.name, change.request);
        let session = self.session(caller)?;
        if caller.is_superuser() {
            validate::update_request(&request)?;
            if is_built_in_backend(name) {
                return Err(built_in_unchangeable(name));
            }
        }
        let current = self.at_version(&session, name, change.expected).await?;
        let backend_type = current.value.backend_type;
        let interval = request
            .token_rotate_interval
            .as_deref()
            .map(|t| validate::token_rotate_interval(backend_type, t, Operation::Update))
            .transpose()?;
        // An empty value resets its key, as in embedded mode; Juju takes resets as a list.
        let mut set = BTreeMap::new();
        let mut reset = request.reset.clone();
        for (key, value) in &request.config {
            match value {
                Value::Null => reset.push(key.clone()),
                Value::String(text) if text.is_empty() => reset.push(key.clone()),
                value => {
                    set.insert(key.clone(), value.clone());
                }
            }
        }
        let secrets = sensitive_values(backend_type, &request.config);
        let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
        let new_name = request.name.clone().filter(|n| n != name);
        if let Some(new_name) = &new_name {
            validate::backend_name(new_name)?;
        }
        let item = UpdateSecretBackendArg {
            name: name.to_owned(),
            name_change: new_name.clone(),
            // Juju takes 0 as "rotation off".
            token_rotate_interval: interval.map(|i| nanos(i).unwrap_or(0)),
            config: set,
            reset,
            force: request.force,
        };
        self.batch(&session, "UpdateSecretBackends", item, &secrets)
            .await?;
        let final_name = new_name.as_deref().unwrap_or(name);
        tracing::info!(user = %caller.name, backend = %final_name, "secret backend updated in Juju");
        self.one(&session, final_name, false).await
    }

    async fn backend_remove(
        &self,
        caller: &Caller,
        change: Change<'_, Removal>,
    ) -> Result<RemovedBackend> {
        let name = change.name;
        let session = self.session(caller)?;
        if caller.is_superuser() && is_built_in_backend(name) {
            return Err(built_in_unchangeable(name));
        }
        // Juju removes an unknown name without a word; the API says `not-found`.
        self.at_version(&session, name, change.expected).await?;
        let item = RemoveSecretBackendArg {
            name: name.to_owned(),
            force: change.request.force,
        };
        self.batch(&session, "RemoveSecretBackends", item, &[])
            .await?;
        tracing::info!(user = %caller.name, backend = %name, force = change.request.force, "secret backend removed in Juju");
        Ok(RemovedBackend::new(name, Vec::new()))
    }

    async fn backend_test(
        &self,
        _caller: &Caller,
        _request: BackendCheckRequest,
    ) -> Result<BackendCheck> {
        Err(not_offered(
            "checking a config without saving it",
            "Juju checks a backend when it is added or updated",
        ))
    }

    /// Juju reports each backend's status when it lists it: the check is a fresh look.
    async fn backend_check(&self, caller: &Caller, name: &str) -> Result<Versioned<SecretBackend>> {
        let session = self.session(caller)?;
        self.one(&session, name, false).await
    }

    async fn backend_rotate_token(
        &self,
        _caller: &Caller,
        _name: &str,
    ) -> Result<Versioned<SecretBackend>> {
        Err(not_offered(
            "rotating a token now",
            "Juju rotates it at the backend's token-rotate-interval",
        ))
    }
}
