//! Sessions: login, logout, who the caller is, and which controller they log in to. A login
//! keeps its session as a bearer token in the answer or as a cookie ([`super::session`]).

use std::time::Instant;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use secret_backends_api::{
    ControllerInfo, ErrorCode, LoginRequest, LoginResponse, LoginSession, Problem, User,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::extract::{Api, ApiJson};
use super::session::{self, SessionToken};
use super::throttle::{self, ClientAddress};
use crate::error::{Result, problem_response};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(whoami))
        .routes(routes!(controller_info))
}

#[utoipa::path(
    post, path = "/auth/login", tag = "auth", request_body = LoginRequest, security(),
    responses(
        (status = 200, description = "The session: with `\"session\": \"token\"` (the default) a \
            bearer token in `token`; with `\"session\": \"cookie\"` no `token`, and a `Set-Cookie` \
            of `sbc-session` (`__Host-sbc-session` over HTTPS), HttpOnly, SameSite=Strict",
            body = LoginResponse),
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
    let session = request.session;
    match state.controller.login(request).await {
        Ok(answer) => {
            state.throttle.succeeded(&user);
            login_answer(answer, session, state.tls)
        }
        Err(e) => {
            if e.code() == ErrorCode::Unauthorized {
                state.throttle.failed(&user, address, now);
            }
            Err(e)
        }
    }
}

/// The answer to a login: as it is for a token session; for a cookie session, without the
/// token, which goes into the cookie.
fn login_answer(mut answer: LoginResponse, session: LoginSession, tls: bool) -> Result<Response> {
    if session == LoginSession::Token {
        return Ok(Json(answer).into_response());
    }
    let token = answer.token.take().unwrap_or_default();
    let cookie = session::header_value(session::set_cookie(&token, tls))?;
    Ok(([(header::SET_COOKIE, cookie)], Json(answer)).into_response())
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
    responses((status = 204, description = "The session ended: its token no longer works, and \
        a session cookie is cleared"))
)]
async fn logout(State(state): State<AppState>, session: SessionToken) -> Result<Response> {
    // Authenticate first, so that logout with a dead token says so.
    state.controller.authenticate(&session.token).await?;
    state.controller.logout(&session.token).await?;
    if !session.from_cookie {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let cleared = session::header_value(session::clear_cookie(state.tls))?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cleared)]).into_response())
}

#[utoipa::path(
    get, path = "/whoami", tag = "auth",
    responses((status = 200, description = "The caller and their model access", body = User))
)]
async fn whoami(api: Api) -> Result<Json<User>> {
    Ok(Json(api.controller.whoami(&api.caller).await?))
}

#[utoipa::path(
    get, path = "/controller", tag = "auth", security(),
    responses((status = 200, description = "The kind of controller (the embedded one, or a Juju \
        controller through the bridge) and what it offers beyond the core API; no login needed",
        body = ControllerInfo))
)]
async fn controller_info(State(state): State<AppState>) -> Json<ControllerInfo> {
    Json(state.controller.info())
}
