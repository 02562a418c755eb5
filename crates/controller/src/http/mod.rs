//! The HTTP layer: one router per resource, merged here, plus the probes and the console's files.
//! Handlers are thin: they read the request, call the [`Controller`], and shape the answer. What is
//! HTTP's stays here: `ETag`/`If-Match` from the controller's versions, `Location` from where the
//! API is mounted, and the change feed's tickets (an `EventSource` cannot send a header).
//!
//! Endpoints (base `/api/v1`), by file:
//! - `auth.rs`: `POST /auth/login`, `POST /auth/logout`, `GET /whoami`; `session.rs`: the session
//!   cookie, where a request's token comes from, the cross-site check of cookie requests
//! - `backends.rs`: `GET /backend-types`, `GET /secret-backends`, `POST /secret-backends`,
//!   `GET|PATCH|DELETE /secret-backends/{name}`, `POST /secret-backends/{name}/check`,
//!   `POST /secret-backends/{name}/rotate-token`, `POST /backend-checks`
//! - `models.rs`: `GET /models`, `POST /models`, `GET /models/{name}`,
//!   `PUT /models/{name}/secret-backend`, `GET|POST /models/{name}/secrets`
//! - `users.rs`: `GET /users`, `POST /users`, `PUT /users/{name}/password`,
//!   `DELETE /users/{name}`
//! - `events.rs`: `POST /events/ticket`, `GET /events?ticket=…` (server-sent events)
//! - `audit.rs`: `GET /audit?backend=&limit=`
//! - here: `GET /openapi.json`, the OpenAPI 3.1 document of all of the above, generated from the
//!   same `routes!` calls that register the handlers
//!
//! Outside the API: `GET /healthz`, `GET /readyz`, and the built console from `--dist` for every
//! other path (an unknown path gets `index.html`, so deep links work).
//!
//! Compression: the console's files as their precompressed `.br`/`.gz` siblings when the build
//! wrote them; the API's answers compressed on the fly (not the change feed's stream).

mod audit;
mod auth;
mod backends;
mod events;
pub mod extract;
mod models;
pub mod security;
pub mod session;
mod throttle;
mod users;

use std::path::Path;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use secret_backends_api::ErrorCode;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::controller::{Controller, Versioned};
use crate::error::Error;

/// The largest request body the API reads.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub controller: Arc<dyn Controller>,
    /// The change feed's tickets (HTTP's: see [`events`]).
    tickets: Arc<events::Tickets>,
    /// Failed logins by name and address (see [`throttle`]).
    throttle: Arc<throttle::Throttle>,
    /// Served over HTTPS: the session cookie is `__Host-` and `Secure` (see [`session`]).
    tls: bool,
}

/// The whole service over plain HTTP, framed by nobody: see [`app_with`].
pub fn app(controller: Arc<dyn Controller>, dist: &Path) -> Router {
    app_with(controller, dist, &security::Options::default())
}

/// The whole service: the API, the probes, and the console from `dist`, every answer with the
/// security headers of [`security`].
pub fn app_with(
    controller: Arc<dyn Controller>,
    dist: &Path,
    options: &security::Options,
) -> Router {
    // The console's files keep stable names (hosts import them), so browsers revalidate them.
    // The build writes `.br` and `.gz` siblings (brotli at its best quality is too slow to do
    // per request); a file is sent as the best sibling the client accepts, so each answer
    // varies by `Accept-Encoding`.
    let console = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::VARY,
            HeaderValue::from_static("accept-encoding"),
        ))
        .service(
            ServeDir::new(dist)
                .precompressed_br()
                .precompressed_gzip()
                .append_index_html_on_directories(true)
                .fallback(
                    ServeFile::new(dist.join("index.html"))
                        .precompressed_br()
                        .precompressed_gzip(),
                ),
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
    let state = AppState {
        controller,
        tickets: Default::default(),
        throttle: Default::default(),
        tls: options.tls,
    };
    let mut router = Router::new()
        .nest("/api/v1", api)
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .fallback_service(console);
    let index_html = security::read_index_html(dist);
    for (name, value) in security::headers(options, index_html.as_deref()) {
        router = router.layer(SetResponseHeaderLayer::overriding(name, value));
    }
    router
        // One span per request with its method and path only: headers carry bearer tokens,
        // bodies carry secrets, and the query of `/events` a ticket.
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request| {
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
        }))
        .with_state(state)
}

/// The API routes together with their OpenAPI description: a route cannot exist without its
/// entry in the document, because both come from the same `routes!` call.
fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(crate::openapi::ApiDoc::openapi())
        .merge(auth::router())
        .merge(backends::router())
        .merge(models::router())
        .merge(users::router())
        .merge(events::router())
        .merge(audit::router())
        .split_for_parts();
    crate::openapi::add_problem_responses(&mut doc);
    let router = router
        .fallback(api_not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(compression())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    (router, doc)
}

/// The API's answers in gzip or brotli when the client accepts either. The fastest quality: the
/// list of 10,000 backends (2.5 MB) is mostly repetition, which even the fastest setting folds
/// about tenfold, and an answer is compressed on every request (quality 4 took twice as long for
/// about 10% less). The default predicate leaves the change feed
/// (`text/event-stream`) alone, so its events are never held back in a compressor's buffer.
fn compression() -> CompressionLayer {
    CompressionLayer::new()
        .gzip(true)
        .br(true)
        .quality(CompressionLevel::Precise(API_COMPRESSION_QUALITY))
}

/// The gzip and brotli quality of API answers: each scale's fastest but one (0 is no
/// compression for gzip).
const API_COMPRESSION_QUALITY: i32 = 1;

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

/// A single resource answers `200 OK` with its version as `ETag`.
impl<T: serde::Serialize> IntoResponse for Versioned<T> {
    fn into_response(self) -> Response {
        let mut response = Json(self.value).into_response();
        if let Ok(value) = HeaderValue::from_str(&extract::entity_tag(&self.version)) {
            response.headers_mut().insert(header::ETAG, value);
        }
        response
    }
}

/// `201 Created` for a new resource named `name` in the collection the request was sent to, with
/// its `Location` built from the request's own path, wherever the API is mounted.
fn created<T: serde::Serialize>(collection: &Uri, name: &str, resource: Versioned<T>) -> Response {
    let location = format!("{}/{name}", collection.path().trim_end_matches('/'));
    let mut response = resource.into_response();
    *response.status_mut() = StatusCode::CREATED;
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}
