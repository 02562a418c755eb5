//! Users and their access.

use axum::Json;
use axum::http::StatusCode;
use secret_backends_api::{AddUserRequest, User, UserList};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::extract::{Api, ApiJson};
use crate::error::Result;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(users_list, user_add))
}

#[utoipa::path(
    get, path = "/users", tag = "users",
    responses((status = 200, description = "Every user (superuser only)", body = UserList))
)]
async fn users_list(api: Api) -> Result<Json<UserList>> {
    let users = api.controller.users_list(&api.caller).await?;
    Ok(Json(UserList { users }))
}

#[utoipa::path(
    post, path = "/users", tag = "users", request_body = AddUserRequest,
    responses((status = 201, description = "The new user", body = User))
)]
async fn user_add(
    api: Api,
    ApiJson(request): ApiJson<AddUserRequest>,
) -> Result<(StatusCode, Json<User>)> {
    let user = api.controller.user_add(&api.caller, request).await?;
    Ok((StatusCode::CREATED, Json(user)))
}
