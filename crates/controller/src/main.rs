//! `secret-backends-controller`: see the crate documentation and `--help`.

use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let config = secret_backends_controller::Config::parse();
    match secret_backends_controller::serve(config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("secret-backends-controller: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
