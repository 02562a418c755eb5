//! The audit trail.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use secret_backends_api::AuditList;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::extract::ApiQuery;
use crate::controller::Caller;
use crate::error::Result;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(audit_list))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct AuditQuery {
    /// Only this backend's entries.
    backend: Option<String>,
    /// At most this many (default 100, at most 1000).
    limit: Option<u32>,
}

#[utoipa::path(
    get, path = "/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = AuditList,
        description = "Newest first; values are never recorded"))
)]
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
