//! Models, their backend setting and their secrets.

use axum::Json;
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use secret_backends_api::{
    AddModelRequest, AddSecretRequest, Model, ModelList, SecretInfo, SecretList,
    SetModelBackendRequest,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, IfMatch};
use super::{AppState, created, versioned};
use crate::controller::Caller;
use crate::error::Result;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(models_list, model_add))
        .routes(routes!(model_get))
        .routes(routes!(model_set_backend))
        .routes(routes!(secrets_list, secret_add))
}

#[utoipa::path(
    get, path = "/models", tag = "models",
    responses((status = 200, description = "Every model", body = ModelList))
)]
async fn models_list(State(state): State<AppState>, caller: Caller) -> Result<Response> {
    let models = state.controller.models_list(&caller).await?;
    Ok(Json(ModelList { models }).into_response())
}

#[utoipa::path(
    get, path = "/models/{name}", tag = "models",
    params(("name" = String, Path, description = "The model's name")),
    responses((status = 200, description = "The model; `ETag` header", body = Model))
)]
async fn model_get(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Response> {
    let model = state.controller.model_get(&caller, &name).await?;
    Ok(versioned(StatusCode::OK, model))
}

#[utoipa::path(
    post, path = "/models", tag = "models", request_body = AddModelRequest,
    responses((status = 201, description = "The new model", body = Model))
)]
async fn model_add(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    caller: Caller,
    ApiJson(request): ApiJson<AddModelRequest>,
) -> Result<Response> {
    let model = state.controller.model_add(&caller, request).await?;
    let name = model.value.name.clone();
    Ok(created(&uri, &name, model))
}

#[utoipa::path(
    put, path = "/models/{name}/secret-backend", tag = "models",
    params(
        ("name" = String, Path, description = "The model's name"),
        ("If-Match" = Option<String>, Header, description = "The ETag last seen"),
    ),
    request_body = SetModelBackendRequest,
    responses((status = 200, description = "The model with its new backend", body = Model))
)]
async fn model_set_backend(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    IfMatch(expected): IfMatch,
    ApiJson(request): ApiJson<SetModelBackendRequest>,
) -> Result<Response> {
    let model = state
        .controller
        .model_set_backend(&caller, &name, request, expected.as_ref())
        .await?;
    Ok(versioned(StatusCode::OK, model))
}

#[utoipa::path(
    get, path = "/models/{name}/secrets", tag = "models",
    params(("name" = String, Path, description = "The model's name")),
    responses((status = 200, description = "The model's secrets, without content",
        body = SecretList))
)]
async fn secrets_list(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Response> {
    let secrets = state.controller.secrets_list(&caller, &name).await?;
    Ok(Json(SecretList { secrets }).into_response())
}

#[utoipa::path(
    post, path = "/models/{name}/secrets", tag = "models",
    params(("name" = String, Path, description = "The model's name")),
    request_body = AddSecretRequest,
    responses((status = 201, description = "Stored in the model's current backend",
        body = SecretInfo))
)]
async fn secret_add(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    ApiJson(request): ApiJson<AddSecretRequest>,
) -> Result<Response> {
    let secret = state.controller.secret_add(&caller, &name, request).await?;
    Ok((StatusCode::CREATED, Json(secret)).into_response())
}
