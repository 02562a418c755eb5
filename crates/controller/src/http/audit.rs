//! The audit trail.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use secret_backends_api::{AuditList, ValidationError};
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
    /// At most this many (default 100); more than 1000 is refused.
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

/// The most entries one request may ask for.
const MAX_LIMIT: u32 = 1000;

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
    let limit = query.limit.unwrap_or(100);
    // Refused rather than clamped: a client asking for more than it can get should know.
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ValidationError::field(
            "limit",
            format!("limit {limit} is not valid: ask for 1 to {MAX_LIMIT} entries"),
        )
        .into());
    }
    let entries = state
        .controller
        .audit_list(&caller, query.backend, limit)
        .await?;
    Ok(Json(AuditList { entries }).into_response())
}
