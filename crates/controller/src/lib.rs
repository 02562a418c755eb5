//! The controller REST service for Juju secret backends.
//!
//! Layers, top to bottom; each uses only the ones below it:
//! - [`http`]: the transport. One router per resource, extractors, problem answers, `ETag` and
//!   `If-Match`, `Location`, the change feed's tickets and server-sent events, the OpenAPI
//!   document ([`openapi`]). It speaks to the controller only through the interface.
//! - [`controller`]: the interface, split by resource ([`controller::Backends`],
//!   [`controller::Models`], [`controller::Users`], [`controller::Events`],
//!   [`controller::Audit`]), with the contract any implementation keeps (permissions, error
//!   codes, versions, the change feed). No HTTP in it.
//! - [`embedded`]: the implementation the service runs today: the Juju rules over the SQLite
//!   store ([`embedded::store`]), with password hashing ([`embedded::auth`]) and one driver per
//!   backend type ([`embedded::drivers`]: checks, token rotation, secret content). A bridge to a
//!   real Juju controller would sit beside it.
//!
//! [`error`] is shared by all three: a refusal for the caller, or an internal failure for the log.

pub mod config;
pub mod controller;
pub mod embedded;
pub mod error;
pub mod http;
pub mod openapi;

use std::sync::Arc;

pub use config::Config;
pub use controller::Controller;

/// Opens the store and the controller, binds the listener, prints where it serves, and serves
/// until Ctrl-C or SIGTERM.
pub async fn serve(config: Config) -> Result<(), StartError> {
    let store = embedded::store::Store::open(&config.data_dir)?;
    let (controller, generated) =
        embedded::EmbeddedController::open(store, config.admin_password.clone()).await?;
    if let Some(password) = generated {
        // Printed once, on first start, to the terminal only (never to the log).
        println!("Created the superuser \"admin\" with the password: {password}");
        println!(
            "It is not shown again; set SECRET_BACKENDS_ADMIN_PASSWORD on first start to choose it."
        );
    }
    controller.spawn_background(embedded::Background::default());
    let app = http::app(controller as Arc<dyn Controller>, &config.dist);
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .map_err(|e| StartError(format!("cannot listen on {}: {e}", config.listen)))?;
    let addr = listener
        .local_addr()
        .map_err(|e| StartError(e.to_string()))?;
    tracing::info!(%addr, dist = %config.dist.display(), data_dir = %config.data_dir.display(), "serving");
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| StartError(e.to_string()))?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// Why the service could not start: a sentence for the operator.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StartError(String);

impl From<error::Error> for StartError {
    fn from(e: error::Error) -> Self {
        StartError(e.to_string())
    }
}
