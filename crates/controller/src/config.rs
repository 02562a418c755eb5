//! The service's settings: each flag is also an environment variable.

use std::path::PathBuf;

use clap::Parser;

/// Controller REST service for Juju secret backends, serving the console too.
#[derive(Clone, Parser)]
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

    /// Password of the superuser `admin`, used once: when the store is created. Without it, a
    /// password is generated and printed on the terminal, once.
    #[arg(long, env = "SECRET_BACKENDS_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,

    /// PEM file of the certificate chain to serve HTTPS with (leaf first), with `--tls-key`.
    /// Without both, the service speaks plain HTTP: keep it on loopback or behind a TLS proxy.
    #[arg(long, env = "SECRET_BACKENDS_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// PEM file of the private key of `--tls-cert` (PKCS#8, PKCS#1 or SEC1).
    #[arg(long, env = "SECRET_BACKENDS_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Who may show the console in a frame: `'none'` (nobody), or CSP sources such as `'self'`
    /// or `https://dashboard.example.com`, separated by spaces.
    #[arg(
        long,
        env = "SECRET_BACKENDS_FRAME_ANCESTORS",
        default_value = "'none'",
        value_parser = crate::http::security::frame_ancestors
    )]
    pub frame_ancestors: String,
}

/// Everything but the password, which must never reach a log.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("dist", &self.dist)
            .field("admin_password", &self.admin_password.as_ref().map(|_| "…"))
            .field("tls_cert", &self.tls_cert)
            .field("tls_key", &self.tls_key)
            .field("frame_ancestors", &self.frame_ancestors)
            .finish()
    }
}
