//! The change feed over server-sent events, and its tickets.
//!
//! Tickets are HTTP's business: a browser's `EventSource` cannot send an `Authorization` header,
//! so a logged-in caller trades the header for a ticket (`POST /events/ticket`) and opens
//! `GET /events?ticket=…` with it. A ticket works once, for 30 seconds; this layer remembers whose
//! it is and asks the controller for that caller's stream of events.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Mutex;

use axum::Json;
use axum::extract::State;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use secret_backends_api::{ErrorCode, Event, EventTicket};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::extract::ApiQuery;
use crate::controller::Caller;
use crate::error::{Error, Result};

/// How long a ticket works (it works once).
pub const TICKET_LIFETIME_SECS: i64 = 30;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(events_ticket))
        .routes(routes!(events))
}

/// Tickets given out and not yet spent: SHA-256 of the ticket → (its caller, expiry in Unix
/// seconds). Only hashes are kept, as for session tokens.
#[derive(Default)]
pub struct Tickets(Mutex<HashMap<String, (Caller, i64)>>);

impl Tickets {
    fn issue(&self, caller: Caller) -> Result<EventTicket> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| Error::internal(format!("random source: {e}")))?;
        let ticket = hex::encode(bytes);
        let now = unix_now();
        let expires = now + TICKET_LIFETIME_SECS;
        let mut issued = self
            .0
            .lock()
            .map_err(|_| Error::internal("tickets poisoned"))?;
        issued.retain(|_, (_, exp)| *exp > now);
        issued.insert(hash(&ticket), (caller, expires));
        let expires = OffsetDateTime::from_unix_timestamp(expires)
            .ok()
            .and_then(|t| t.format(&Rfc3339).ok())
            .unwrap_or_default();
        Ok(EventTicket { ticket, expires })
    }

    /// The caller a ticket was given to; the ticket is spent either way.
    fn spend(&self, ticket: &str) -> Result<Caller> {
        let mut issued = self
            .0
            .lock()
            .map_err(|_| Error::internal("tickets poisoned"))?;
        match issued.remove(&hash(ticket)) {
            Some((caller, expires)) if expires > unix_now() => Ok(caller),
            _ => Err(Error::refused(
                ErrorCode::Unauthorized,
                "event ticket not valid: it is unknown, used or expired; ask for a new one",
            )),
        }
    }
}

fn hash(ticket: &str) -> String {
    hex::encode(Sha256::digest(ticket.as_bytes()))
}

fn unix_now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

#[utoipa::path(
    post, path = "/events/ticket", tag = "events",
    responses((status = 200, description = "A single-use ticket, valid for 30 seconds",
        body = EventTicket))
)]
async fn events_ticket(State(state): State<AppState>, caller: Caller) -> Result<Response> {
    Ok(Json(state.tickets.issue(caller)?).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct TicketQuery {
    /// From POST /events/ticket; works once.
    ticket: String,
}

/// The change feed: one server-sent event per change (`event:` the kind, `data:` `{kind, name}`).
#[utoipa::path(
    get, path = "/events", tag = "events", security(), params(TicketQuery),
    responses((status = 200, body = Event, content_type = "text/event-stream",
        description = "Server-sent events: `event:` the kind, `data:` an Event"))
)]
async fn events(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<TicketQuery>,
) -> Result<Response> {
    let caller = state.tickets.spend(&query.ticket)?;
    let changes = state.controller.events(&caller).await?;
    let stream = changes.filter_map(|item| async move {
        // A slow reader that missed events gets told to reload everything.
        let event = match item {
            Ok(event) => SseEvent::default()
                .event(event.kind.as_str())
                .json_data(&event)
                .ok()?,
            Err(_lagged) => SseEvent::default().event("resync").data("{}"),
        };
        Some(Ok::<_, Infallible>(event))
    });
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response())
}
