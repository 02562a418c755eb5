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

pub mod bridge;
pub mod config;
pub mod controller;
pub mod embedded;
pub mod error;
pub mod http;
pub mod openapi;
pub mod tls;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum_server::tls_rustls::RustlsConfig;

pub use config::Config;
pub use controller::Controller;

/// Opens the store and the controller, binds the listener, prints where it serves, and serves
/// (over HTTPS with `--tls-cert`/`--tls-key`) until Ctrl-C or SIGTERM.
pub async fn serve(config: Config) -> Result<(), StartError> {
    // Read before anything is created, so a bad certificate stops the start with nothing done.
    let tls = match (&config.tls_cert, &config.tls_key) {
        (Some(cert), Some(key)) => Some(tls::server_config(cert, key)?),
        _ => None,
    };
    let controller = match (&config.juju_controller, &config.juju_ca_cert) {
        (Some(address), Some(ca_cert)) => {
            let bridge = bridge::JujuBridge::open(
                address,
                ca_cert,
                config.juju_timeout,
                config.session_limits(),
            )?;
            bridge.spawn_sweeper(bridge::SWEEP_EVERY);
            tracing::info!(%address, "serving the Juju controller through the bridge");
            bridge as Arc<dyn Controller>
        }
        _ => open_embedded(&config).await?,
    };
    let options = http::security::Options {
        tls: tls.is_some(),
        frame_ancestors: config.frame_ancestors.clone(),
    };
    let app = http::app_with(controller, &config.dist, &options);
    let listener = std::net::TcpListener::bind(&config.listen)
        .map_err(|e| StartError(format!("cannot listen on {}: {e}", config.listen)))?;
    let addr = listener
        .local_addr()
        .map_err(|e| StartError(e.to_string()))?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    tracing::info!(%addr, scheme, dist = %config.dist.display(), "serving");
    serve_on(listener, app, tls, shutdown_signal())
        .await
        .map_err(|e| StartError(e.to_string()))
}

/// The embedded controller on its store in `--data-dir`, with its background work started; on
/// first start, the generated superuser password is printed to the terminal.
async fn open_embedded(config: &Config) -> Result<Arc<dyn Controller>, StartError> {
    let store = embedded::store::Store::open(&config.data_dir)?;
    let (controller, generated) = embedded::EmbeddedController::open_with(
        store,
        config.admin_password.clone(),
        config.session_limits(),
    )
    .await?;
    if let Some(password) = generated {
        // Printed once, on first start, to the terminal only (never to the log).
        println!("Created the superuser \"admin\" with the password: {password}");
        println!(
            "It is not shown again; set SECRET_BACKENDS_ADMIN_PASSWORD on first start to choose it."
        );
    }
    controller.spawn_background(embedded::Background::default());
    Ok(controller)
}

/// Serves `app` on `listener`, over HTTPS when `tls` is given, until `shutdown` completes; then
/// lets requests in flight finish for a few seconds (the change feed's streams never finish on
/// their own).
pub async fn serve_on(
    listener: std::net::TcpListener,
    app: axum::Router,
    tls: Option<RustlsConfig>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let handle = axum_server::Handle::new();
    let stopping = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        stopping.graceful_shutdown(Some(Duration::from_secs(5)));
    });
    let service = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    match tls {
        Some(tls) => {
            axum_server::from_tcp_rustls(listener, tls)?
                .handle(handle)
                .serve(service)
                .await
        }
        None => {
            axum_server::from_tcp(listener)?
                .handle(handle)
                .serve(service)
                .await
        }
    }
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
