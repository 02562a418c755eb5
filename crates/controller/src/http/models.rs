//! Models, their backend setting and their secrets.

use axum::Json;
use axum::extract::{OriginalUri, Path};
use axum::http::StatusCode;
use axum::response::Response;
use secret_backends_api::{
    AddModelRequest, AddSecretRequest, Model, ModelList, SecretInfo, SecretList,
    SetModelBackendRequest,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{Api, ApiJson, IfMatch};
use super::{AppState, created};
use crate::controller::Versioned;
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
async fn models_list(api: Api) -> Result<Json<ModelList>> {
    let models = api.controller.models_list(&api.caller).await?;
    Ok(Json(ModelList { models }))
}

#[utoipa::path(
    get, path = "/models/{name}", tag = "models",
    params(("name" = String, Path, description = "The model's name")),
    responses((status = 200, description = "The model; `ETag` header", body = Model))
)]
async fn model_get(api: Api, Path(name): Path<String>) -> Result<Versioned<Model>> {
    api.controller.model_get(&api.caller, &name).await
}

#[utoipa::path(
    post, path = "/models", tag = "models", request_body = AddModelRequest,
    responses((status = 201, description = "The new model", body = Model))
)]
async fn model_add(
    api: Api,
    OriginalUri(uri): OriginalUri,
    ApiJson(request): ApiJson<AddModelRequest>,
) -> Result<Response> {
    let model = api.controller.model_add(&api.caller, request).await?;
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
    api: Api,
    Path(name): Path<String>,
    if_match: IfMatch,
    ApiJson(request): ApiJson<SetModelBackendRequest>,
) -> Result<Versioned<Model>> {
    let change = if_match.change(&name, request);
    api.controller.model_set_backend(&api.caller, change).await
}

#[utoipa::path(
    get, path = "/models/{name}/secrets", tag = "models",
    params(("name" = String, Path, description = "The model's name")),
    responses((status = 200, description = "The model's secrets, without content",
        body = SecretList))
)]
async fn secrets_list(api: Api, Path(name): Path<String>) -> Result<Json<SecretList>> {
    let secrets = api.controller.secrets_list(&api.caller, &name).await?;
    Ok(Json(SecretList { secrets }))
}

#[utoipa::path(
    post, path = "/models/{name}/secrets", tag = "models",
    params(("name" = String, Path, description = "The model's name")),
    request_body = AddSecretRequest,
    responses((status = 201, description = "Stored in the model's current backend",
        body = SecretInfo))
)]
async fn secret_add(
    api: Api,
    Path(name): Path<String>,
    ApiJson(request): ApiJson<AddSecretRequest>,
) -> Result<(StatusCode, Json<SecretInfo>)> {
    let secret = api
        .controller
        .secret_add(&api.caller, &name, request)
        .await?;
    Ok((StatusCode::CREATED, Json(secret)))
}
