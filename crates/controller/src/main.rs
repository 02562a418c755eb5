//! `secret-backends-controller`: see the crate documentation and `--help`.

use std::io::IsTerminal;

use clap::Parser;
use tracing_subscriber::EnvFilter;

/// jemalloc instead of glibc's malloc, which keeps freed memory in one arena per thread: after
/// adding 10,000 backends (8 at a time) and 30 s idle, the same live data (about 50 MB) left
/// 107 to 149 MB resident under glibc from one run to the next, 93 to 102 MB under mimalloc and
/// 66 to 84 MB under jemalloc (three runs each, the service's release build).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // Logs go to stderr; colour only on a terminal, so a log written to a file stays plain text.
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
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
