//! Users and their access.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use secret_backends_api::{AddUserRequest, SetPasswordRequest, User, UserList};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::extract::{Api, ApiJson};
use crate::error::Result;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(users_list, user_add))
        .routes(routes!(user_remove))
        .routes(routes!(user_set_password))
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

#[utoipa::path(
    put, path = "/users/{name}/password", tag = "users", request_body = SetPasswordRequest,
    params(("name" = String, Path, description = "The user")),
    responses((status = 204, description = "Changed (the superuser for anyone, a user for \
        themself); every other session of that user ended, the caller's own kept"))
)]
async fn user_set_password(
    api: Api,
    Path(name): Path<String>,
    ApiJson(request): ApiJson<SetPasswordRequest>,
) -> Result<StatusCode> {
    api.controller
        .user_set_password(&api.caller, &name, request)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    delete, path = "/users/{name}", tag = "users",
    params(("name" = String, Path, description = "The user")),
    responses((status = 204, description = "Removed, with their sessions (superuser only; not \
        the controller's superuser `admin`)"))
)]
async fn user_remove(api: Api, Path(name): Path<String>) -> Result<StatusCode> {
    api.controller.user_remove(&api.caller, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}
