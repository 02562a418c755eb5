//! The embedded controller: the Juju rules of `domain.md` over the SQLite [`Store`], with real
//! pings of external backends. It is the [`Controller`] the service runs with today.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use secret_backends_api::{
    AddBackendRequest, BackendCheck, BackendCheckRequest, BackendStatus, BackendType, Config,
    ErrorCode, INTERNAL_BACKEND, LoginRequest, LoginResponse, SecretBackend, UserRef,
    ValidationError, WhoAmI, validate,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::auth;
use crate::controller::{Caller, Controller, ListOptions, Versioned};
use crate::error::{Error, Result};
use crate::ping;
use crate::store::{self, BackendRow, Store, UserRow};

/// How long a bearer token works.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 3600);

pub struct EmbeddedController {
    store: Store,
    controller_uuid: String,
}

impl EmbeddedController {
    /// Opens the controller over a store. On first start (no users) it creates the superuser
    /// `admin` with `admin_password`, or a generated one; a generated password is returned so the
    /// caller can print it once.
    pub async fn open(
        store: Store,
        admin_password: Option<String>,
    ) -> Result<(Arc<Self>, Option<String>)> {
        let (uuid, generated) = store
            .call(move |c| {
                let tx = c.transaction()?;
                let uuid = store::controller_uuid(&tx)?;
                let mut generated = None;
                if store::user_count(&tx)? == 0 {
                    let password = match admin_password {
                        Some(p) if !p.is_empty() => p,
                        _ => {
                            let p = auth::generate_password()?;
                            generated = Some(p.clone());
                            p
                        }
                    };
                    let admin = UserRow {
                        name: "admin".to_owned(),
                        password_hash: auth::hash_password(&password)?,
                        access: secret_backends_api::Access::Superuser,
                    };
                    store::user_insert(&tx, &admin, now())?;
                }
                tx.commit()?;
                Ok((uuid, generated))
            })
            .await?;
        Ok((
            Arc::new(EmbeddedController {
                store,
                controller_uuid: uuid,
            }),
            generated,
        ))
    }

    /// Checks every external backend now and records the outcome.
    pub async fn check_all(&self) -> Result<()> {
        let rows = self.store.call(|c| store::backend_list(c)).await?;
        let mut checks = tokio::task::JoinSet::new();
        for row in rows {
            checks.spawn(async move {
                let outcome = ping::ping(row.backend_type, &row.config).await;
                (row.id, outcome)
            });
        }
        while let Some(done) = checks.join_next().await {
            let Ok((id, outcome)) = done else { continue };
            let (status, message) = match outcome {
                Ok(()) => (BackendStatus::Active, None),
                Err(m) => (BackendStatus::Error, Some(m)),
            };
            self.store
                .call(move |c| store::backend_set_status(c, &id, status, message.as_deref(), now()))
                .await?;
        }
        Ok(())
    }

    /// Runs [`Self::check_all`] every `every`, in the background, for as long as the service runs.
    pub fn spawn_health_checks(self: &Arc<Self>, every: Duration) {
        let controller = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let Some(controller) = controller.upgrade() else {
                    return;
                };
                if let Err(e) = controller.check_all().await {
                    tracing::warn!(error = %e, "background health check failed");
                }
            }
        });
    }

    fn internal_backend(&self) -> SecretBackend {
        SecretBackend {
            id: self.controller_uuid.clone(),
            name: INTERNAL_BACKEND.to_owned(),
            backend_type: BackendType::Controller,
            built_in: true,
            config: Config::new(),
            sensitive_set: Vec::new(),
            token_rotate_interval: None,
            next_rotation: None,
            last_rotation: None,
            secrets: 0,
            status: BackendStatus::Active,
            message: None,
            checked_at: None,
            models: Vec::new(),
        }
    }

    fn answer(&self, row: BackendRow) -> Versioned<SecretBackend> {
        let (config, sensitive_set) = validate::mask_sensitive(row.backend_type, &row.config);
        let etag = etag(&row);
        Versioned {
            value: SecretBackend {
                id: row.id,
                name: row.name,
                backend_type: row.backend_type,
                built_in: false,
                config,
                sensitive_set,
                token_rotate_interval: row
                    .token_rotate_secs
                    .map(|s| secret_backends_api::GoDuration::from_secs(s).to_string()),
                next_rotation: None,
                last_rotation: None,
                secrets: 0,
                status: row.status,
                message: row.message,
                checked_at: row.checked_at.map(rfc3339),
                models: Vec::new(),
            },
            etag,
        }
    }
}

fn etag(row: &BackendRow) -> String {
    format!("\"{}-{}\"", row.id, row.revision)
}

fn require_superuser(caller: &Caller) -> Result<()> {
    if caller.is_superuser() {
        Ok(())
    } else {
        Err(Error::permission_denied())
    }
}

/// Reveal is not served until it is audited (a later issue); asking for it is refused plainly.
fn refuse_reveal(caller: &Caller, reveal: bool) -> Result<()> {
    if !reveal {
        return Ok(());
    }
    require_superuser(caller)?;
    Err(Error::refused(
        ErrorCode::NotSupported,
        "reveal is not supported by this controller yet",
    ))
}

fn built_in_immutable(name: &str) -> Result<()> {
    if name == INTERNAL_BACKEND || name.ends_with("-local") {
        return Err(Error::refused(
            ErrorCode::NotValid,
            "built-in secret backends are immutable",
        ));
    }
    Ok(())
}

pub fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

pub fn rfc3339(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

#[async_trait]
impl Controller for EmbeddedController {
    async fn login(&self, request: LoginRequest) -> Result<LoginResponse> {
        let LoginRequest { username, password } = request;
        let user = self
            .store
            .call(move |c| store::user_get(c, &username))
            .await?;
        // Verify even for an unknown user, so that timing does not tell which names exist.
        static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let dummy =
            DUMMY_HASH.get_or_init(|| auth::hash_password("no such user").unwrap_or_default());
        let hash = user
            .as_ref()
            .map_or_else(|| dummy.clone(), |u| u.password_hash.clone());
        // argon2 is deliberately slow: keep it off the async workers.
        let password_ok =
            tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash))
                .await
                .map_err(Error::internal)?;
        let Some(user) = user.filter(|_| password_ok) else {
            return Err(Error::refused(
                ErrorCode::Unauthorized,
                "invalid entity name or password",
            ));
        };
        let token = auth::new_token()?;
        let expires_at = now() + SESSION_LIFETIME.as_secs() as i64;
        let hash = auth::token_hash(&token);
        let name = user.name.clone();
        self.store
            .call(move |c| {
                store::sessions_expire(c, now())?;
                store::session_insert(c, &hash, &name, expires_at)
            })
            .await?;
        Ok(LoginResponse {
            token,
            user: UserRef {
                name: user.name,
                access: user.access,
            },
            expires: rfc3339(expires_at),
        })
    }

    async fn authenticate(&self, token: &str) -> Result<Caller> {
        let hash = auth::token_hash(token);
        let user = self
            .store
            .call(move |c| store::session_user(c, &hash, now()))
            .await?
            .ok_or_else(Error::unauthorized)?;
        Ok(Caller {
            name: user.name,
            access: user.access,
        })
    }

    async fn logout(&self, token: &str) -> Result<()> {
        let hash = auth::token_hash(token);
        self.store
            .call(move |c| store::session_delete(c, &hash))
            .await
    }

    async fn whoami(&self, caller: &Caller) -> Result<WhoAmI> {
        Ok(WhoAmI {
            name: caller.name.clone(),
            access: caller.access,
            models: Default::default(),
        })
    }

    async fn ready(&self) -> Result<()> {
        self.store.ping().await
    }

    async fn backends_list(
        &self,
        caller: &Caller,
        options: ListOptions,
    ) -> Result<Vec<SecretBackend>> {
        refuse_reveal(caller, options.reveal)?;
        let rows = self.store.call(|c| store::backend_list(c)).await?;
        let wanted = |name: &str| {
            options
                .names
                .as_ref()
                .is_none_or(|names| names.iter().any(|n| n == name))
        };
        let mut backends = Vec::with_capacity(rows.len() + 1);
        if wanted(INTERNAL_BACKEND) {
            backends.push(self.internal_backend());
        }
        backends.extend(
            rows.into_iter()
                .filter(|r| wanted(&r.name))
                .map(|r| self.answer(r).value),
        );
        Ok(backends)
    }

    async fn backend_get(
        &self,
        caller: &Caller,
        name: &str,
        reveal: bool,
    ) -> Result<Versioned<SecretBackend>> {
        refuse_reveal(caller, reveal)?;
        if name == INTERNAL_BACKEND {
            return Ok(Versioned {
                value: self.internal_backend(),
                etag: format!("\"{}-1\"", self.controller_uuid),
            });
        }
        let owned = name.to_owned();
        let row = self
            .store
            .call(move |c| store::backend_get(c, &owned))
            .await?
            .ok_or_else(|| Error::backend_not_found(name))?;
        Ok(self.answer(row))
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
        let row = BackendRow {
            id,
            name: request.name,
            backend_type,
            config,
            token_rotate_secs: rotate.map(|d| d.as_secs()),
            revision: 1,
            status: BackendStatus::Active,
            message: None,
            checked_at: None,
        };
        // Refuse a duplicate before the (slow) ping, and again in the write transaction below.
        let probe = (row.name.clone(), row.id.clone());
        self.store
            .call(move |c| refuse_duplicate(c, &probe.0, &probe.1))
            .await?;

        ping::ping(backend_type, &row.config)
            .await
            .map_err(|message| Error::refused(ErrorCode::Unreachable, message))?;

        let mut row = row;
        row.checked_at = Some(now());
        let saved = row.clone();
        self.store
            .call(move |c| {
                let tx = c.transaction()?;
                refuse_duplicate(&tx, &saved.name, &saved.id)?;
                store::backend_insert(&tx, &saved, now())?;
                tx.commit()?;
                Ok(())
            })
            .await?;
        tracing::info!(user = %caller.name, backend = %row.name, r#type = %backend_type, "secret backend added");
        Ok(self.answer(row))
    }

    async fn backend_remove(
        &self,
        caller: &Caller,
        name: &str,
        _force: bool,
        if_match: Option<&str>,
    ) -> Result<()> {
        require_superuser(caller)?;
        built_in_immutable(name)?;
        let owned = name.to_owned();
        let if_match = if_match.map(str::to_owned);
        self.store
            .call(move |c| {
                let tx = c.transaction()?;
                let row = store::backend_get(&tx, &owned)?
                    .ok_or_else(|| Error::backend_not_found(&owned))?;
                if let Some(expected) = if_match.as_deref()
                    && expected != "*"
                    && expected != etag(&row)
                {
                    return Err(Error::refused(
                        ErrorCode::Conflict,
                        format!("secret backend {owned:?} was changed by someone else; reload it and try again"),
                    ));
                }
                store::backend_delete(&tx, &row.id)?;
                tx.commit()?;
                Ok(())
            })
            .await?;
        tracing::info!(user = %caller.name, backend = %name, "secret backend removed");
        Ok(())
    }

    async fn backend_check(
        &self,
        caller: &Caller,
        request: BackendCheckRequest,
    ) -> Result<BackendCheck> {
        require_superuser(caller)?;
        let backend_type = BackendType::parse(&request.backend_type)?;
        let config = validate::config(backend_type, &request.config)?;
        Ok(ping::check(backend_type, &config).await)
    }
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
