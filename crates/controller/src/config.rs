//! The service's settings: each flag is also an environment variable.

use std::path::PathBuf;

use clap::Parser;

/// Controller REST service for Juju secret backends, serving the console too.
#[derive(Debug, Clone, Parser)]
#[command(name = "secret-backends-controller", version)]
pub struct Config {
    /// Address to listen on.
    #[arg(
        long,
        env = "SECRET_BACKENDS_LISTEN",
        default_value = "127.0.0.1:17071"
    )]
    pub listen: String,

    /// Directory of the SQLite store (created on first start).
    #[arg(long, env = "SECRET_BACKENDS_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// Directory of the built console (`trunk build` output).
    #[arg(long, env = "SECRET_BACKENDS_DIST", default_value = "./dist")]
    pub dist: PathBuf,
}
