//! Sessions: login, logout, and who the caller is.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::time::Instant;

use axum::http::{HeaderValue, header};
use secret_backends_api::{ErrorCode, LoginRequest, LoginResponse, Problem, WhoAmI};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::extract::{ApiJson, BearerToken};
use super::throttle::{self, ClientAddress};
use crate::controller::Caller;
use crate::error::{Result, problem_response};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(whoami))
}

#[utoipa::path(
    post, path = "/auth/login", tag = "auth", request_body = LoginRequest, security(),
    responses(
        (status = 200, description = "A bearer token", body = LoginResponse),
        (status = 429, description = "Too many failed logins for this name or address: wait for \
            `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Response> {
    let now = Instant::now();
    // Locked out: refused before the password is looked at, the same for every name.
    if let Some(wait) = state.throttle.wait(&request.username, address, now) {
        return Ok(too_many_failures(wait));
    }
    let user = request.username.clone();
    match state.controller.login(request).await {
        Ok(answer) => {
            state.throttle.succeeded(&user);
            Ok(Json(answer).into_response())
        }
        Err(e) => {
            if e.code() == ErrorCode::Unauthorized {
                state.throttle.failed(&user, address, now);
            }
            Err(e)
        }
    }
}

/// `429` with `Retry-After`, saying how long to wait.
fn too_many_failures(wait: std::time::Duration) -> Response {
    let seconds = throttle::retry_after_seconds(wait);
    let detail = format!("too many failed logins: try again in {seconds} seconds");
    let mut response = problem_response(Problem::new(ErrorCode::TryAgain, detail, None));
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

#[utoipa::path(
    post, path = "/auth/logout", tag = "auth",
    responses((status = 204, description = "The token no longer works"))
)]
async fn logout(State(state): State<AppState>, token: BearerToken) -> Result<StatusCode> {
    // Authenticate first, so that logout with a dead token says so.
    state.controller.authenticate(&token.0).await?;
    state.controller.logout(&token.0).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get, path = "/whoami", tag = "auth",
    responses((status = 200, description = "The caller and their model access", body = WhoAmI))
)]
async fn whoami(State(state): State<AppState>, caller: Caller) -> Result<Response> {
    Ok(Json(state.controller.whoami(&caller).await?).into_response())
}
