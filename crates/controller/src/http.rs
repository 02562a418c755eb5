//! The HTTP layer: routes, extractors and the console's files. Handlers are thin: they read the
//! request, call the [`Controller`], and shape the answer.
//!
//! Endpoints (base `/api/v1`):
//! - `POST /auth/login`, `POST /auth/logout`, `GET /whoami`
//! - `GET /backend-types`
//! - `GET /secret-backends`, `POST /secret-backends`
//! - `GET|PATCH|DELETE /secret-backends/{name}`
//! - `POST /secret-backends/{name}/check`, `POST /secret-backends/{name}/rotate-token`
//! - `POST /backend-checks`
//! - `GET /models`, `POST /models`, `GET /models/{name}`, `PUT /models/{name}/secret-backend`
//! - `GET /models/{name}/secrets`, `POST /models/{name}/secrets`
//! - `GET /users`, `POST /users`
//! - `POST /events/ticket`, `GET /events?ticket=…` (server-sent events)
//! - `GET /audit?backend=&limit=`
//!
//! Outside the API: `GET /healthz`, `GET /readyz`, and the built console from `--dist` for every
//! other path (an unknown path gets `index.html`, so deep links work).

use std::path::Path;
use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{
    DefaultBodyLimit, FromRequest, FromRequestParts, Path as UrlPath, Request, State,
};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use secret_backends_api::{
    AddBackendRequest, AddModelRequest, AddSecretRequest, AddUserRequest, AuditList,
    BackendCheckRequest, BackendList, ErrorCode, LoginRequest, ModelList, SecretList,
    SetModelBackendRequest, UpdateBackendRequest, UserList,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::controller::{Caller, Controller, ListOptions, Versioned};
use crate::error::{Error, Result};

/// The largest request body the API reads.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub controller: Arc<dyn Controller>,
}

/// The whole service: the API, the probes, and the console from `dist`.
pub fn app(controller: Arc<dyn Controller>, dist: &Path) -> Router {
    let console = ServeDir::new(dist)
        .append_index_html_on_directories(true)
        .fallback(ServeFile::new(dist.join("index.html")));
    Router::new()
        .nest("/api/v1", api())
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .fallback_service(console)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .with_state(AppState { controller })
}

fn api() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(auth_login))
        .route("/auth/logout", post(auth_logout))
        .route("/whoami", get(whoami_get))
        .route("/backend-types", get(backend_types_list))
        .route("/secret-backends", get(backends_list).post(backend_add))
        .route(
            "/secret-backends/{name}",
            get(backend_get)
                .patch(backend_update)
                .delete(backend_remove),
        )
        .route("/secret-backends/{name}/check", post(backend_check_now))
        .route(
            "/secret-backends/{name}/rotate-token",
            post(backend_rotate_token),
        )
        .route("/backend-checks", post(backend_check))
        .route("/models", get(models_list).post(model_add))
        .route("/models/{name}", get(model_get))
        .route("/models/{name}/secret-backend", put(model_set_backend))
        .route("/models/{name}/secrets", get(secrets_list).post(secret_add))
        .route("/users", get(users_list).post(user_add))
        .route("/events/ticket", post(events_ticket))
        .route("/events", get(events_stream))
        .route("/audit", get(audit_list))
        .fallback(api_not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

// ---------------------------------------------------------------------------------------------
// Handlers

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.controller.ready().await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "store not ready").into_response()
        }
    }
}

async fn api_not_found() -> Error {
    Error::refused(ErrorCode::NotFound, "no such API endpoint")
}

async fn auth_login(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Response> {
    let answer = state.controller.login(request).await?;
    Ok(Json(answer).into_response())
}

async fn auth_logout(State(state): State<AppState>, token: BearerToken) -> Result<StatusCode> {
    // Authenticate first, so that logout with a dead token says so.
    state.controller.authenticate(&token.0).await?;
    state.controller.logout(&token.0).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn whoami_get(State(state): State<AppState>, caller: Caller) -> Result<Response> {
    Ok(Json(state.controller.whoami(&caller).await?).into_response())
}

async fn backend_types_list(State(state): State<AppState>, _caller: Caller) -> Response {
    Json(state.controller.backend_types()).into_response()
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    /// Comma-separated names.
    names: Option<String>,
    #[serde(default)]
    reveal: bool,
}

async fn backends_list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response> {
    let names = query.names.map(|n| {
        n.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    });
    let backends = state
        .controller
        .backends_list(
            &caller,
            ListOptions {
                names,
                reveal: query.reveal,
            },
        )
        .await?;
    Ok(Json(BackendList { backends }).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RevealQuery {
    #[serde(default)]
    reveal: bool,
}

async fn backend_get(
    State(state): State<AppState>,
    caller: Caller,
    UrlPath(name): UrlPath<String>,
    ApiQuery(query): ApiQuery<RevealQuery>,
) -> Result<Response> {
    let backend = state
        .controller
        .backend_get(&caller, &name, query.reveal)
        .await?;
    Ok(versioned(StatusCode::OK, backend))
}

async fn backend_add(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<AddBackendRequest>,
) -> Result<Response> {
    let backend = state.controller.backend_add(&caller, request).await?;
    let location = format!("/api/v1/secret-backends/{}", backend.value.name);
    Ok(with_location(
        versioned(StatusCode::CREATED, backend),
        &location,
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ForceQuery {
    #[serde(default)]
    force: bool,
}

async fn backend_remove(
    State(state): State<AppState>,
    caller: Caller,
    UrlPath(name): UrlPath<String>,
    ApiQuery(query): ApiQuery<ForceQuery>,
    headers: HeaderMap,
) -> Result<StatusCode> {
    let if_match = headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok());
    state
        .controller
        .backend_remove(&caller, &name, query.force, if_match)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn backend_check(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<BackendCheckRequest>,
) -> Result<Response> {
    Ok(Json(state.controller.backend_check(&caller, request).await?).into_response())
}

async fn backend_update(
    State(state): State<AppState>,
    caller: Caller,
    UrlPath(name): UrlPath<String>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<UpdateBackendRequest>,
) -> Result<Response> {
    let backend = state
        .controller
        .backend_update(&caller, &name, request, if_match(&headers))
        .await?;
    Ok(versioned(StatusCode::OK, backend))
}

async fn backend_check_now(
    State(state): State<AppState>,
    caller: Caller,
    UrlPath(name): UrlPath<String>,
) -> Result<Response> {
    let backend = state.controller.backend_check_now(&caller, &name).await?;
    Ok(versioned(StatusCode::OK, backend))
}

async fn backend_rotate_token(
    State(state): State<AppState>,
    caller: Caller,
    UrlPath(name): UrlPath<String>,
) -> Result<Response> {
    let backend = state
        .controller
        .backend_rotate_token(&caller, &name)
        .await?;
    Ok(versioned(StatusCode::OK, backend))
}

async fn models_list(State(state): State<AppState>, caller: Caller) -> Result<Response> {
    let models = state.controller.models_list(&caller).await?;
    Ok(Json(ModelList { models }).into_response())
}

async fn model_get(
    State(state): State<AppState>,
    caller: Caller,
    UrlPath(name): UrlPath<String>,
) -> Result<Response> {
    Ok(versioned(
        StatusCode::OK,
        state.controller.model_get(&caller, &name).await?,
    ))
}

async fn model_add(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<AddModelRequest>,
) -> Result<Response> {
    let model = state.controller.model_add(&caller, request).await?;
    let location = format!("/api/v1/models/{}", model.value.name);
    Ok(with_location(
        versioned(StatusCode::CREATED, model),
        &location,
    ))
}

async fn model_set_backend(
    State(state): State<AppState>,
    caller: Caller,
    UrlPath(name): UrlPath<String>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<SetModelBackendRequest>,
) -> Result<Response> {
    let model = state
        .controller
        .model_set_backend(&caller, &name, request, if_match(&headers))
        .await?;
    Ok(versioned(StatusCode::OK, model))
}

async fn secrets_list(
    State(state): State<AppState>,
    caller: Caller,
    UrlPath(name): UrlPath<String>,
) -> Result<Response> {
    let secrets = state.controller.secrets_list(&caller, &name).await?;
    Ok(Json(SecretList { secrets }).into_response())
}

async fn secret_add(
    State(state): State<AppState>,
    caller: Caller,
    UrlPath(name): UrlPath<String>,
    ApiJson(request): ApiJson<AddSecretRequest>,
) -> Result<Response> {
    let secret = state.controller.secret_add(&caller, &name, request).await?;
    Ok((StatusCode::CREATED, Json(secret)).into_response())
}

async fn users_list(State(state): State<AppState>, caller: Caller) -> Result<Response> {
    let users = state.controller.users_list(&caller).await?;
    Ok(Json(UserList { users }).into_response())
}

async fn user_add(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<AddUserRequest>,
) -> Result<Response> {
    let user = state.controller.user_add(&caller, request).await?;
    Ok((StatusCode::CREATED, Json(user)).into_response())
}

async fn events_ticket(State(state): State<AppState>, caller: Caller) -> Result<Response> {
    Ok(Json(state.controller.events_ticket(&caller).await?).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TicketQuery {
    ticket: String,
}

/// The change feed: one server-sent event per change (`event:` the kind, `data:` `{kind, name}`).
async fn events_stream(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<TicketQuery>,
) -> Result<Response> {
    use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
    use tokio_stream::StreamExt;
    use tokio_stream::wrappers::BroadcastStream;

    let receiver = state.controller.events_subscribe(&query.ticket).await?;
    let stream = BroadcastStream::new(receiver).filter_map(|item| {
        // A slow reader that missed events gets told to reload everything.
        let event = match item {
            Ok(event) => SseEvent::default()
                .event(event.kind.as_str())
                .json_data(&event)
                .ok()?,
            Err(_) => SseEvent::default().event("resync").data("{}"),
        };
        Some(Ok::<_, std::convert::Infallible>(event))
    });
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditQuery {
    backend: Option<String>,
    limit: Option<u32>,
}

async fn audit_list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Response> {
    let entries = state
        .controller
        .audit_list(&caller, query.backend, query.limit.unwrap_or(100))
        .await?;
    Ok(Json(AuditList { entries }).into_response())
}

fn if_match(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok())
}

/// A single resource with its `ETag`.
fn versioned<T: serde::Serialize>(status: StatusCode, resource: Versioned<T>) -> Response {
    let mut response = (status, Json(resource.value)).into_response();
    if let Ok(value) = HeaderValue::from_str(&resource.etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

fn with_location(mut response: Response, location: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

// ---------------------------------------------------------------------------------------------
// Extractors: their rejections use the API's problem shape.

/// The bearer token of the request, unchecked.
pub struct BearerToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for BearerToken {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self> {
        parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| BearerToken(t.trim().to_owned()))
            .filter(|t| !t.0.is_empty())
            .ok_or_else(Error::unauthorized)
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let token = BearerToken::from_request_parts(parts, state).await?;
        state.controller.authenticate(&token.0).await
    }
}

/// JSON body whose rejections are problems: 413 when too large, `not-valid` naming the field.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> Error {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return Error::refused(
            ErrorCode::TooLarge,
            format!("request body larger than {} bytes not valid", BODY_LIMIT),
        );
    }
    let detail = match &rejection {
        JsonRejection::JsonDataError(e) => format!("request body not valid: {}", serde_cause(e)),
        JsonRejection::JsonSyntaxError(e) => {
            format!("request body is not JSON: {}", serde_cause(e))
        }
        JsonRejection::MissingJsonContentType(_) => {
            "request body not valid: expected Content-Type: application/json".to_owned()
        }
        other => format!("request body not valid: {other}"),
    };
    Error::refused(ErrorCode::NotValid, detail)
}

/// The innermost message of a JSON rejection (serde's own words: "unknown field `x`, expected …").
fn serde_cause(e: &dyn std::error::Error) -> String {
    let mut inner: &dyn std::error::Error = e;
    while let Some(next) = inner.source() {
        inner = next;
    }
    inner.to_string()
}

/// Query string whose rejections are problems.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(query_rejection(rejection)),
        }
    }
}

fn query_rejection(rejection: QueryRejection) -> Error {
    Error::refused(
        ErrorCode::NotValid,
        format!("query not valid: {}", serde_cause(&rejection)),
    )
}
