//! The console's one client of the controller REST API. Pages call these methods; none of them
//! builds a URL or reads a response by hand.
//!
//! The client carries the console's credential on every request: a bearer token held in memory
//! (a host's, or the login of a console a host mounted), or, on cookie sessions (the standalone
//! console), the browser's `HttpOnly` session cookie, which this page never sees, with the header
//! a cross-site form cannot send. Nothing of a login reaches browser storage or a URL. When the
//! service answers `unauthorized`, the credential is dropped so the console shows the login page.
//! Which credential a console uses, and when, is decided in `session.rs`.

use gloo_net::http::{Request, RequestBuilder, Response};
use leptos::prelude::*;
use secret_backends_api::{
    AddBackendRequest, AuditEntry, AuditList, BackendCheck, BackendCheckRequest, BackendList,
    BackendTypeInfo, BackendTypes, ControllerInfo, ErrorCode, EventTicket, LoginRequest,
    LoginResponse, LoginSession, Model, ModelList, Problem, SecretBackend, SecretInfo, SecretList,
    SetModelBackendRequest, UpdateBackendRequest, User, UserRef, ValidationError,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The service could not be reached, or answered something that is not the API.
    Network(String),
    /// The service refused: its problem, with the Juju-style sentence in `detail`.
    Api(Problem),
}

impl ApiError {
    /// The sentence to show an admin.
    pub fn message(&self) -> String {
        match self {
            ApiError::Network(cause) => {
                format!("Cannot reach the controller: {cause}. Check the connection and try again.")
            }
            ApiError::Api(problem) => problem.detail.clone(),
        }
    }

    /// The input the service named, if any (`name`, `config.endpoint`, …).
    pub fn field(&self) -> Option<&str> {
        match self {
            ApiError::Api(problem) => problem.field.as_deref(),
            ApiError::Network(_) => None,
        }
    }

    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ApiError::Api(problem) => Some(problem.code),
            ApiError::Network(_) => None,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

/// A refusal the console finds itself (the shared crate's rules, checked before sending) reads
/// like one of the service's: one error type for every refusal a form shows.
impl From<ValidationError> for ApiError {
    fn from(e: ValidationError) -> Self {
        ApiError::Api(Problem::from(e))
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// A resource with the entity tag the service gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct Tagged<T> {
    pub value: T,
    pub etag: Option<String>,
}

pub use secret_backends_api::REQUESTED_BY;

/// What the client sends to say who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Credential {
    /// Not known yet: a console on cookie sessions is asking the service whether the browser's
    /// session cookie still works.
    Unknown,
    /// Nobody is logged in.
    None,
    /// A bearer token in memory.
    Bearer(String),
    /// The browser's session cookie (`HttpOnly`: the page never sees it).
    Cookie,
}

impl Credential {
    fn logged_in(&self) -> bool {
        matches!(self, Credential::Bearer(_) | Credential::Cookie)
    }
}

/// The client. Cheap to copy: its state lives in signals owned by the console's root.
#[derive(Clone, Copy)]
pub struct Api {
    base: StoredValue<String>,
    credential: RwSignal<Credential>,
    /// Logins ask for a cookie session, and requests without a bearer token carry
    /// [`REQUESTED_BY`].
    cookie_sessions: StoredValue<bool>,
}

impl Api {
    /// A client of the API at `base` (e.g. `/api/v1`), starting with `token` if the host gave
    /// one. With `cookie_sessions`, and no token, whether the browser is still logged in is
    /// unknown until [`Api::resume_cookie_session`] answers.
    pub fn new(base: &str, token: Option<String>, cookie_sessions: bool) -> Api {
        let credential = match token {
            Some(token) => Credential::Bearer(token),
            None if cookie_sessions => Credential::Unknown,
            None => Credential::None,
        };
        Api {
            base: StoredValue::new(base.trim_end_matches('/').to_owned()),
            credential: RwSignal::new(credential),
            cookie_sessions: StoredValue::new(cookie_sessions),
        }
    }

    /// Whether the console is logged in (reactive).
    pub fn logged_in(&self) -> bool {
        self.credential.with(Credential::logged_in)
    }

    /// Whether the console is still asking if the browser's session cookie works (reactive).
    pub fn resuming(&self) -> bool {
        self.credential.with(|c| *c == Credential::Unknown)
    }

    /// Forgets the credential (logout, or the service said it is no longer valid); whether the
    /// console was logged in until now.
    pub fn forget(&self) -> bool {
        let was_logged_in = self.credential.with_untracked(Credential::logged_in);
        if self.credential.with_untracked(|c| *c != Credential::None) {
            self.credential.set(Credential::None);
        }
        was_logged_in
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base.get_value(), path)
    }

    fn authorised(&self, builder: RequestBuilder) -> RequestBuilder {
        match self.credential.get_untracked() {
            Credential::Bearer(token) => {
                builder.header("Authorization", &format!("Bearer {token}"))
            }
            _ if self.cookie_sessions.get_value() => builder.header(REQUESTED_BY.0, REQUESTED_BY.1),
            _ => builder,
        }
    }

    async fn send(&self, request: Result<Request, gloo_net::Error>) -> ApiResult<Response> {
        let request = request.map_err(|e| ApiError::Network(e.to_string()))?;
        let response = request
            .send()
            .await
            .map_err(|e| ApiError::Network(e.to_string()))?;
        if response.ok() {
            return Ok(response);
        }
        let status = response.status();
        let problem = response
            .json::<Problem>()
            .await
            .map_err(|_| ApiError::Network(format!("the service answered HTTP {status}")))?;
        if problem.code == ErrorCode::Unauthorized {
            self.forget();
        }
        Err(ApiError::Api(problem))
    }

    async fn json<T: DeserializeOwned>(response: Response) -> ApiResult<T> {
        response
            .json::<T>()
            .await
            .map_err(|e| ApiError::Network(format!("unexpected answer: {e}")))
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> ApiResult<T> {
        let request = self.authorised(Request::get(&self.url(path))).build();
        Self::json(self.send(request).await?).await
    }

    /// Logs in; on success the client holds the credential: the session cookie on cookie
    /// sessions (the answer has no token then), else the token.
    pub async fn login(&self, username: String, password: String) -> ApiResult<UserRef> {
        let session = if self.cookie_sessions.get_value() {
            LoginSession::Cookie
        } else {
            LoginSession::Token
        };
        let body = LoginRequest {
            username,
            password,
            session,
        };
        let request = self
            .authorised(Request::post(&self.url("/auth/login")))
            .json(&body);
        let answer: LoginResponse = Self::json(self.send(request).await?).await?;
        self.credential.set(match answer.token {
            Some(token) => Credential::Bearer(token),
            None if session == LoginSession::Cookie => Credential::Cookie,
            None => return Err(ApiError::Network("the login answered no token".into())),
        });
        Ok(answer.user)
    }

    /// Asks the service who the browser's session cookie belongs to: logged in with it when it
    /// still works, else logged out (the login page follows).
    pub async fn resume_cookie_session(&self) -> ApiResult<UserRef> {
        let me = self.whoami().await;
        self.credential.set(match me {
            Ok(_) => Credential::Cookie,
            Err(_) => Credential::None,
        });
        me.map(|me| UserRef {
            name: me.name,
            access: me.access,
        })
    }

    /// Forgets the credential now, and returns the request that ends its session on the service
    /// (to be spawned; whatever the service answers, the console is logged out already). Nothing
    /// waits on the service, so no page can still see the old login after the click.
    pub fn logout(&self) -> impl std::future::Future<Output = ()> + 'static {
        let request = self
            .credential
            .with_untracked(Credential::logged_in)
            .then(|| {
                self.authorised(Request::post(&self.url("/auth/logout")))
                    .build()
            });
        self.forget();
        async move {
            if let Some(Ok(request)) = request {
                let _ = request.send().await;
            }
        }
    }

    /// Which controller the service serves and what it offers (no login needed).
    pub async fn controller_info(&self) -> ApiResult<ControllerInfo> {
        self.get("/controller").await
    }

    pub async fn whoami(&self) -> ApiResult<User> {
        self.get("/whoami").await
    }

    pub async fn backends_list(&self) -> ApiResult<Vec<SecretBackend>> {
        let list: BackendList = self.get("/secret-backends").await?;
        Ok(list.backends)
    }

    pub async fn backend_get(&self, name: &str) -> ApiResult<Tagged<SecretBackend>> {
        self.get_tagged(&backend_path(name)).await
    }

    /// A backend with its sensitive values (superuser only; the service audits it). The values
    /// live only in the caller's memory: never store them.
    pub async fn backend_reveal(&self, name: &str) -> ApiResult<SecretBackend> {
        self.get(&format!("{}?reveal=true", backend_path(name)))
            .await
    }

    async fn get_tagged<T: DeserializeOwned>(&self, path: &str) -> ApiResult<Tagged<T>> {
        let request = self.authorised(Request::get(&self.url(path))).build();
        Self::read_tagged(self.send(request).await?).await
    }

    async fn read_tagged<T: DeserializeOwned>(response: Response) -> ApiResult<Tagged<T>> {
        let etag = response.headers().get("etag");
        Ok(Tagged {
            value: Self::json(response).await?,
            etag,
        })
    }

    /// Sends `body` to change a resource; with `etag`, only if nobody changed it since.
    async fn change_tagged<B: Serialize, T: DeserializeOwned>(
        &self,
        builder: RequestBuilder,
        body: &B,
        etag: Option<&str>,
    ) -> ApiResult<Tagged<T>> {
        let request = self.changing(builder, etag).json(body);
        Self::read_tagged(self.send(request).await?).await
    }

    /// An authorised request that changes something; with `etag`, only if nobody changed it
    /// since (else the service answers `conflict`).
    fn changing(&self, builder: RequestBuilder, etag: Option<&str>) -> RequestBuilder {
        let builder = self.authorised(builder);
        match etag {
            Some(tag) => builder.header("If-Match", tag),
            None => builder,
        }
    }

    pub async fn backend_types(&self) -> ApiResult<Vec<BackendTypeInfo>> {
        let types: BackendTypes = self.get("/backend-types").await?;
        Ok(types.types)
    }

    /// Tests a config that is not saved: each step of the connection, as far as it got.
    pub async fn backend_test(&self, body: &BackendCheckRequest) -> ApiResult<BackendCheck> {
        self.post("/backend-checks", body).await
    }

    pub async fn backend_add(&self, body: &AddBackendRequest) -> ApiResult<SecretBackend> {
        self.post("/secret-backends", body).await
    }

    async fn post<B: Serialize, T: DeserializeOwned>(&self, path: &str, body: &B) -> ApiResult<T> {
        let request = self.authorised(Request::post(&self.url(path))).json(body);
        Self::json(self.send(request).await?).await
    }

    /// Changes a backend; with `etag`, only if nobody changed it since (else `conflict`).
    pub async fn backend_update(
        &self,
        name: &str,
        body: &UpdateBackendRequest,
        etag: Option<&str>,
    ) -> ApiResult<Tagged<SecretBackend>> {
        let builder = Request::patch(&self.url(&backend_path(name)));
        self.change_tagged(builder, body, etag).await
    }

    /// Removes a backend; with `etag`, only if nobody changed it since. `Some` when a forced
    /// removal could not move all the secret content it held: what was left behind.
    pub async fn backend_remove(
        &self,
        name: &str,
        force: bool,
        etag: Option<&str>,
    ) -> ApiResult<Option<secret_backends_api::RemovedBackend>> {
        let mut path = backend_path(name);
        if force {
            path.push_str("?force=true");
        }
        let request = self
            .changing(Request::delete(&self.url(&path)), etag)
            .build();
        let response = self.send(request).await?;
        if response.status() == 204 {
            return Ok(None);
        }
        Self::json(response).await.map(Some)
    }

    /// Checks a stored backend now (the answer carries its new status).
    pub async fn backend_check(&self, name: &str) -> ApiResult<SecretBackend> {
        self.post_empty(&format!("{}/check", backend_path(name)))
            .await
    }

    pub async fn backend_rotate_token(&self, name: &str) -> ApiResult<SecretBackend> {
        self.post_empty(&format!("{}/rotate-token", backend_path(name)))
            .await
    }

    async fn post_empty<T: DeserializeOwned>(&self, path: &str) -> ApiResult<T> {
        let request = self.authorised(Request::post(&self.url(path))).build();
        Self::json(self.send(request).await?).await
    }

    pub async fn models_list(&self) -> ApiResult<Vec<Model>> {
        let list: ModelList = self.get("/models").await?;
        Ok(list.models)
    }

    pub async fn model_get(&self, name: &str) -> ApiResult<Tagged<Model>> {
        self.get_tagged(&model_path(name)).await
    }

    /// Sets a model's backend; with `etag`, only if nobody changed the model since.
    pub async fn model_set_backend(
        &self,
        name: &str,
        body: &SetModelBackendRequest,
        etag: Option<&str>,
    ) -> ApiResult<Tagged<Model>> {
        let builder = Request::put(&self.url(&format!("{}/secret-backend", model_path(name))));
        self.change_tagged(builder, body, etag).await
    }

    pub async fn secrets_list(&self, model: &str) -> ApiResult<Vec<SecretInfo>> {
        let list: SecretList = self.get(&format!("{}/secrets", model_path(model))).await?;
        Ok(list.secrets)
    }

    /// Audit entries, newest first; only `backend`'s when given.
    pub async fn audit_list(
        &self,
        backend: Option<&str>,
        limit: u32,
    ) -> ApiResult<Vec<AuditEntry>> {
        let mut path = format!("/audit?limit={limit}");
        if let Some(b) = backend {
            path.push_str(&format!("&backend={}", encode(b)));
        }
        let list: AuditList = self.get(&path).await?;
        Ok(list.entries)
    }

    /// A single-use ticket for the change feed, and the feed's URL with it.
    pub async fn events_url(&self) -> ApiResult<String> {
        let ticket: EventTicket = self.post_empty("/events/ticket").await?;
        Ok(self.url(&format!("/events?ticket={}", encode(&ticket.ticket))))
    }
}

/// The path of one backend.
fn backend_path(name: &str) -> String {
    format!("/secret-backends/{}", encode(name))
}

/// The path of one model.
fn model_path(name: &str) -> String {
    format!("/models/{}", encode(name))
}

/// A path segment, percent-encoded.
fn encode(segment: &str) -> String {
    String::from(js_sys::encode_uri_component(segment))
}
