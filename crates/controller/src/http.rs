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
//! - `GET /openapi.json`: the OpenAPI 3.1 document of all of the above, generated from this code
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
use axum::routing::get;
use axum::{Json, Router};
use secret_backends_api::{
    AddBackendRequest, AddModelRequest, AddSecretRequest, AddUserRequest, AuditList, BackendCheck,
    BackendCheckRequest, BackendList, BackendTypes, ErrorCode, Event, EventTicket, LoginRequest,
    LoginResponse, Model, ModelList, SecretBackend, SecretInfo, SecretList, SetModelBackendRequest,
    UpdateBackendRequest, User, UserList, WhoAmI,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

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
    // The console's files keep stable names (hosts import them), so browsers revalidate them.
    let console = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .service(
            ServeDir::new(dist)
                .append_index_html_on_directories(true)
                .fallback(ServeFile::new(dist.join("index.html"))),
        );
    let (api, doc) = api();
    let doc = Arc::new(doc);
    let api = api.route(
        "/openapi.json",
        get(move || {
            let doc = doc.clone();
            async move { Json(doc.as_ref().clone()) }
        }),
    );
    Router::new()
        .nest("/api/v1", api)
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

/// The API routes together with their OpenAPI description: a route cannot exist without its
/// entry in the document, because both come from the same `routes!` call.
fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(crate::openapi::ApiDoc::openapi())
        .routes(routes!(auth_login))
        .routes(routes!(auth_logout))
        .routes(routes!(whoami_get))
        .routes(routes!(backend_types_list))
        .routes(routes!(backends_list, backend_add))
        .routes(routes!(backend_get, backend_update, backend_remove))
        .routes(routes!(backend_check_now))
        .routes(routes!(backend_rotate_token))
        .routes(routes!(backend_check))
        .routes(routes!(models_list, model_add))
        .routes(routes!(model_get))
        .routes(routes!(model_set_backend))
        .routes(routes!(secrets_list, secret_add))
        .routes(routes!(users_list, user_add))
        .routes(routes!(events_ticket))
        .routes(routes!(events_stream))
        .routes(routes!(audit_list))
        .split_for_parts();
    crate::openapi::add_problem_responses(&mut doc);
    let router = router
        .fallback(api_not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    (router, doc)
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

#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest, security(), responses((status = 200, description = "A bearer token", body = LoginResponse)))]
async fn auth_login(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Response> {
    let answer = state.controller.login(request).await?;
    Ok(Json(answer).into_response())
}

#[utoipa::path(post, path = "/auth/logout", tag = "auth", responses((status = 204, description = "The token no longer works")))]
async fn auth_logout(State(state): State<AppState>, token: BearerToken) -> Result<StatusCode> {
    // Authenticate first, so that logout with a dead token says so.
    state.controller.authenticate(&token.0).await?;
    state.controller.logout(&token.0).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/whoami", tag = "auth", responses((status = 200, description = "The caller and their model access", body = WhoAmI)))]
async fn whoami_get(State(state): State<AppState>, caller: Caller) -> Result<Response> {
    Ok(Json(state.controller.whoami(&caller).await?).into_response())
}

#[utoipa::path(get, path = "/backend-types", tag = "backends", responses((status = 200, description = "Every backend type with the schema of its config", body = BackendTypes)))]
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

#[utoipa::path(get, path = "/secret-backends", tag = "backends", params(("names" = Option<String>, Query, description = "Comma-separated names; an unknown name is no row"), ("reveal" = Option<bool>, Query, description = "Include sensitive values (superuser only; audited)")), responses((status = 200, description = "Every backend, built-ins included, with the last check's status", body = BackendList)))]
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

#[utoipa::path(get, path = "/secret-backends/{name}", tag = "backends", params(("name" = String, Path, description = "The backend's name"), ("reveal" = Option<bool>, Query, description = "Include sensitive values (superuser only; audited)")), responses((status = 200, description = "The backend; `ETag` header", body = SecretBackend)))]
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

#[utoipa::path(post, path = "/secret-backends", tag = "backends", request_body = AddBackendRequest, responses((status = 201, description = "Validated, pinged and stored; `Location` and `ETag` headers", body = SecretBackend)))]
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

#[utoipa::path(delete, path = "/secret-backends/{name}", tag = "backends", params(("name" = String, Path, description = "The backend's name"), ("force" = Option<bool>, Query, description = "Remove even while it holds secret content; its models go back to auto"), ("If-Match" = Option<String>, Header, description = "The ETag last seen")), responses((status = 204, description = "Removed")))]
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

#[utoipa::path(post, path = "/backend-checks", tag = "backends", request_body = BackendCheckRequest, responses((status = 200, description = "Each step of the ping", body = BackendCheck)))]
async fn backend_check(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<BackendCheckRequest>,
) -> Result<Response> {
    Ok(Json(state.controller.backend_check(&caller, request).await?).into_response())
}

#[utoipa::path(patch, path = "/secret-backends/{name}", tag = "backends", params(("name" = String, Path, description = "The backend's name"), ("If-Match" = Option<String>, Header, description = "The ETag last seen")), request_body = UpdateBackendRequest, responses((status = 200, description = "The merged backend; `ETag` header", body = SecretBackend)))]
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

#[utoipa::path(post, path = "/secret-backends/{name}/check", tag = "backends", params(("name" = String, Path, description = "The backend's name")), responses((status = 200, description = "Checked now; the backend with the outcome", body = SecretBackend)))]
async fn backend_check_now(
    State(state): State<AppState>,
    caller: Caller,
    UrlPath(name): UrlPath<String>,
) -> Result<Response> {
    let backend = state.controller.backend_check_now(&caller, &name).await?;
    Ok(versioned(StatusCode::OK, backend))
}

#[utoipa::path(post, path = "/secret-backends/{name}/rotate-token", tag = "backends", params(("name" = String, Path, description = "The backend's name")), responses((status = 200, description = "A fresh token was minted and stored", body = SecretBackend)))]
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

#[utoipa::path(get, path = "/models", tag = "models", responses((status = 200, description = "Every model", body = ModelList)))]
async fn models_list(State(state): State<AppState>, caller: Caller) -> Result<Response> {
    let models = state.controller.models_list(&caller).await?;
    Ok(Json(ModelList { models }).into_response())
}

#[utoipa::path(get, path = "/models/{name}", tag = "models", params(("name" = String, Path, description = "The model's name")), responses((status = 200, description = "The model; `ETag` header", body = Model)))]
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

#[utoipa::path(post, path = "/models", tag = "models", request_body = AddModelRequest, responses((status = 201, description = "The new model", body = Model)))]
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

#[utoipa::path(put, path = "/models/{name}/secret-backend", tag = "models", params(("name" = String, Path, description = "The model's name"), ("If-Match" = Option<String>, Header, description = "The ETag last seen")), request_body = SetModelBackendRequest, responses((status = 200, description = "The model with its new backend", body = Model)))]
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

#[utoipa::path(get, path = "/models/{name}/secrets", tag = "models", params(("name" = String, Path, description = "The model's name")), responses((status = 200, description = "The model's secrets, without content", body = SecretList)))]
async fn secrets_list(
    State(state): State<AppState>,
    caller: Caller,
    UrlPath(name): UrlPath<String>,
) -> Result<Response> {
    let secrets = state.controller.secrets_list(&caller, &name).await?;
    Ok(Json(SecretList { secrets }).into_response())
}

#[utoipa::path(post, path = "/models/{name}/secrets", tag = "models", params(("name" = String, Path, description = "The model's name")), request_body = AddSecretRequest, responses((status = 201, description = "Stored in the model's current backend", body = SecretInfo)))]
async fn secret_add(
    State(state): State<AppState>,
    caller: Caller,
    UrlPath(name): UrlPath<String>,
    ApiJson(request): ApiJson<AddSecretRequest>,
) -> Result<Response> {
    let secret = state.controller.secret_add(&caller, &name, request).await?;
    Ok((StatusCode::CREATED, Json(secret)).into_response())
}

#[utoipa::path(get, path = "/users", tag = "users", responses((status = 200, description = "Every user (superuser only)", body = UserList)))]
async fn users_list(State(state): State<AppState>, caller: Caller) -> Result<Response> {
    let users = state.controller.users_list(&caller).await?;
    Ok(Json(UserList { users }).into_response())
}

#[utoipa::path(post, path = "/users", tag = "users", request_body = AddUserRequest, responses((status = 201, description = "The new user", body = User)))]
async fn user_add(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<AddUserRequest>,
) -> Result<Response> {
    let user = state.controller.user_add(&caller, request).await?;
    Ok((StatusCode::CREATED, Json(user)).into_response())
}

#[utoipa::path(post, path = "/events/ticket", tag = "events", responses((status = 200, description = "A single-use ticket, valid for 30 seconds", body = EventTicket)))]
async fn events_ticket(State(state): State<AppState>, caller: Caller) -> Result<Response> {
    Ok(Json(state.controller.events_ticket(&caller).await?).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TicketQuery {
    ticket: String,
}

/// The change feed: one server-sent event per change (`event:` the kind, `data:` `{kind, name}`).
#[utoipa::path(get, path = "/events", tag = "events", security(), params(("ticket" = String, Query, description = "From POST /events/ticket; works once")), responses((status = 200, description = "Server-sent events: `event:` the kind, `data:` an Event", body = Event, content_type = "text/event-stream")))]
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

#[utoipa::path(get, path = "/audit", tag = "audit", params(("backend" = Option<String>, Query, description = "Only this backend's entries"), ("limit" = Option<u32>, Query, description = "At most this many (default 100, at most 1000)")), responses((status = 200, description = "Newest first; values are never recorded", body = AuditList)))]
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
        JsonRejection::JsonDataError(e) => {
            format!(
                "request body not valid: {}",
                without_values(&serde_cause(e))
            )
        }
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

/// serde's "invalid type: integer `42`, expected a string" repeats the value, which may be a
/// password or secret content: keep the type, drop the value.
fn without_values(message: &str) -> String {
    for marker in ["invalid type: ", "invalid value: "] {
        if let Some((before, rest)) = message.split_once(marker)
            && let Some((got, expected)) = rest.split_once(", expected")
        {
            let kind = got.split([' ', '`']).next().unwrap_or("value");
            return format!("{before}{marker}{kind}, expected{expected}");
        }
    }
    message.to_owned()
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

#[cfg(test)]
mod tests {
    use super::without_values;

    #[test]
    fn serde_type_errors_keep_the_type_and_drop_the_value() {
        assert_eq!(
            without_values("invalid type: integer `42`, expected a string at line 1 column 30"),
            "invalid type: integer, expected a string at line 1 column 30"
        );
        assert_eq!(
            without_values("invalid type: string \"s3cret\", expected a map"),
            "invalid type: string, expected a map"
        );
        assert_eq!(
            without_values("password: invalid type: integer `42`, expected a string"),
            "password: invalid type: integer, expected a string"
        );
        assert_eq!(
            without_values("unknown field `colour`, expected one of `name`"),
            "unknown field `colour`, expected one of `name`"
        );
    }
}
