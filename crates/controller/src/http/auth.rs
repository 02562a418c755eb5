//! Sessions: login, logout, and who the caller is.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use secret_backends_api::{LoginRequest, LoginResponse, WhoAmI};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::extract::{Api, ApiJson, BearerToken};
use crate::error::Result;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(whoami))
}

#[utoipa::path(
    post, path = "/auth/login", tag = "auth", request_body = LoginRequest, security(),
    responses((status = 200, description = "A bearer token", body = LoginResponse))
)]
async fn login(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>> {
    Ok(Json(state.controller.login(request).await?))
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
async fn whoami(api: Api) -> Result<Json<WhoAmI>> {
    Ok(Json(api.controller.whoami(&api.caller).await?))
}
