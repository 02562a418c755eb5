//! Secret backends, their types and their checks.

use axum::Json;
use axum::extract::{OriginalUri, Path};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use secret_backends_api::{
    AddBackendRequest, BackendCheck, BackendCheckRequest, BackendList, BackendTypes,
    RemovedBackend, SecretBackend, UpdateBackendRequest,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{Api, ApiJson, ApiQuery, IfMatch};
use super::{AppState, created};
use crate::controller::{ListOptions, Removal, Versioned};
use crate::error::Result;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(backend_types))
        .routes(routes!(backends_list, backend_add))
        .routes(routes!(backend_get, backend_update, backend_remove))
        .routes(routes!(backend_check))
        .routes(routes!(backend_rotate_token))
        .routes(routes!(backend_test))
}

#[utoipa::path(
    get, path = "/backend-types", tag = "backends",
    responses((status = 200, description = "Every backend type with the schema of its config",
        body = BackendTypes))
)]
async fn backend_types(api: Api) -> Json<BackendTypes> {
    Json(api.controller.backend_types())
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// Comma-separated names; an unknown name is no row.
    names: Option<String>,
    /// Include sensitive values (superuser only; audited).
    #[serde(default)]
    reveal: bool,
}

#[utoipa::path(
    get, path = "/secret-backends", tag = "backends", params(ListQuery),
    responses((status = 200, body = BackendList,
        description = "Every backend, built-ins included, with the last check's status"))
)]
async fn backends_list(api: Api, ApiQuery(query): ApiQuery<ListQuery>) -> Result<Response> {
    let names = query.names.map(|n| {
        n.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    });
    let options = ListOptions {
        names,
        reveal: query.reveal,
    };
    // Serialized by the controller, which keeps the whole list's JSON until the next change.
    let json = api
        .controller
        .backends_list_json(&api.caller, options)
        .await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], json).into_response())
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct RevealQuery {
    /// Include sensitive values (superuser only; audited).
    #[serde(default)]
    reveal: bool,
}

#[utoipa::path(
    get, path = "/secret-backends/{name}", tag = "backends",
    params(("name" = String, Path, description = "The backend's name"), RevealQuery),
    responses((status = 200, description = "The backend; `ETag` header", body = SecretBackend))
)]
async fn backend_get(
    api: Api,
    Path(name): Path<String>,
    ApiQuery(query): ApiQuery<RevealQuery>,
) -> Result<Versioned<SecretBackend>> {
    api.controller
        .backend_get(&api.caller, &name, query.reveal)
        .await
}

#[utoipa::path(
    post, path = "/secret-backends", tag = "backends", request_body = AddBackendRequest,
    responses((status = 201, body = SecretBackend,
        description = "Validated, checked and stored; `Location` and `ETag` headers"))
)]
async fn backend_add(
    api: Api,
    OriginalUri(uri): OriginalUri,
    ApiJson(request): ApiJson<AddBackendRequest>,
) -> Result<Response> {
    let backend = api.controller.backend_add(&api.caller, request).await?;
    let name = backend.value.name.clone();
    Ok(created(&uri, &name, backend))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ForceQuery {
    /// Remove even while it holds secret content: the content first moves to the backend each
    /// model falls back to; what cannot be moved is left behind and named. Its models go back
    /// to auto.
    #[serde(default)]
    force: bool,
}

#[utoipa::path(
    delete, path = "/secret-backends/{name}", tag = "backends",
    params(
        ("name" = String, Path, description = "The backend's name"),
        ForceQuery,
        ("If-Match" = Option<String>, Header, description = "The ETag last seen"),
    ),
    responses(
        (status = 204, description = "Removed; any secret content it held was moved first"),
        (status = 200, body = RemovedBackend,
            description = "Removed with force, but the backend did not answer (or a new backend \
                refused): the content of the secrets in `left-behind` could not be moved and is \
                lost to the controller. The audit record names them too."),
    )
)]
async fn backend_remove(
    api: Api,
    Path(name): Path<String>,
    ApiQuery(query): ApiQuery<ForceQuery>,
    if_match: IfMatch,
) -> Result<Response> {
    let removal = Removal { force: query.force };
    let change = if_match.change(&name, removal);
    let removed = api.controller.backend_remove(&api.caller, change).await?;
    Ok(if removed.left_behind.is_empty() {
        StatusCode::NO_CONTENT.into_response()
    } else {
        Json(removed).into_response()
    })
}

#[utoipa::path(
    post, path = "/backend-checks", tag = "backends", request_body = BackendCheckRequest,
    responses((status = 200, description = "Each step of the check", body = BackendCheck))
)]
async fn backend_test(
    api: Api,
    ApiJson(request): ApiJson<BackendCheckRequest>,
) -> Result<Json<BackendCheck>> {
    Ok(Json(
        api.controller.backend_test(&api.caller, request).await?,
    ))
}

#[utoipa::path(
    patch, path = "/secret-backends/{name}", tag = "backends",
    params(
        ("name" = String, Path, description = "The backend's name"),
        ("If-Match" = Option<String>, Header, description = "The ETag last seen"),
    ),
    request_body = UpdateBackendRequest,
    responses((status = 200, body = SecretBackend,
        description = "The merged backend; `ETag` header"))
)]
async fn backend_update(
    api: Api,
    Path(name): Path<String>,
    if_match: IfMatch,
    ApiJson(request): ApiJson<UpdateBackendRequest>,
) -> Result<Versioned<SecretBackend>> {
    let change = if_match.change(&name, request);
    api.controller.backend_update(&api.caller, change).await
}

#[utoipa::path(
    post, path = "/secret-backends/{name}/check", tag = "backends",
    params(("name" = String, Path, description = "The backend's name")),
    responses((status = 200, description = "Checked now; the backend with the outcome",
        body = SecretBackend))
)]
async fn backend_check(api: Api, Path(name): Path<String>) -> Result<Versioned<SecretBackend>> {
    api.controller.backend_check(&api.caller, &name).await
}

#[utoipa::path(
    post, path = "/secret-backends/{name}/rotate-token", tag = "backends",
    params(("name" = String, Path, description = "The backend's name")),
    responses((status = 200, description = "A fresh token was minted and stored",
        body = SecretBackend))
)]
async fn backend_rotate_token(
    api: Api,
    Path(name): Path<String>,
) -> Result<Versioned<SecretBackend>> {
    api.controller
        .backend_rotate_token(&api.caller, &name)
        .await
}
