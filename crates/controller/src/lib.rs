//! The controller REST service for Juju secret backends.
//!
//! Layers, top to bottom: [`http`] (routes and extractors) talks to one [`Controller`] interface;
//! the [`embedded`] controller implements it with the rules of `domain.md` over the SQLite
//! [`store`], and reaches external backends through its drivers ([`embedded::drivers`]).

pub mod auth;
pub mod config;
pub mod controller;
pub mod embedded;
pub mod error;
pub mod http;
pub mod openapi;
pub mod store;

use std::sync::Arc;

pub use config::Config;
pub use controller::Controller;

/// Opens the store and the controller, binds the listener, prints where it serves, and serves
/// until Ctrl-C or SIGTERM.
pub async fn serve(config: Config) -> Result<(), StartError> {
    let store = store::Store::open(&config.data_dir)?;
    let admin_password = std::env::var("SECRET_BACKENDS_ADMIN_PASSWORD").ok();
    let (controller, generated) = embedded::EmbeddedController::open(store, admin_password).await?;
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
