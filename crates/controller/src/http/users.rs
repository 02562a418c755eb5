//! Users and their access.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use secret_backends_api::{AddUserRequest, User, UserList};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::extract::ApiJson;
use crate::controller::Caller;
use crate::error::Result;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(users_list, user_add))
}

#[utoipa::path(
    get, path = "/users", tag = "users",
    responses((status = 200, description = "Every user (superuser only)", body = UserList))
)]
async fn users_list(State(state): State<AppState>, caller: Caller) -> Result<Response> {
    let users = state.controller.users_list(&caller).await?;
    Ok(Json(UserList { users }).into_response())
}

#[utoipa::path(
    post, path = "/users", tag = "users", request_body = AddUserRequest,
    responses((status = 201, description = "The new user", body = User))
)]
async fn user_add(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<AddUserRequest>,
) -> Result<Response> {
    let user = state.controller.user_add(&caller, request).await?;
    Ok((StatusCode::CREATED, Json(user)).into_response())
}
