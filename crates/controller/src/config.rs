//! The service's settings: each flag is also an environment variable.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use secret_backends_api::GoDuration;

use crate::embedded::SessionLimits;

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

    /// A session unused this long ends (Go duration, such as `30m` or `1h30m`).
    #[arg(
        long,
        env = "SECRET_BACKENDS_SESSION_IDLE",
        default_value = "30m",
        value_parser = session_duration
    )]
    pub session_idle: Duration,

    /// A session ends this long after its login, used or not (Go duration, such as `12h`).
    #[arg(
        long,
        env = "SECRET_BACKENDS_SESSION_LIFETIME",
        default_value = "12h",
        value_parser = session_duration
    )]
    pub session_lifetime: Duration,

    /// Serve a real Juju controller instead of the embedded store: the `HOST:PORT` of its API,
    /// as `juju show-controller` lists it under `api-endpoints`. Logins become Juju logins.
    #[arg(
        long,
        env = "SECRET_BACKENDS_JUJU_CONTROLLER",
        requires = "juju_ca_cert"
    )]
    pub juju_controller: Option<String>,

    /// PEM file of the Juju controller's CA certificate (`ca-cert` in `juju show-controller`);
    /// the controller's certificate is checked against it for the name `juju-apiserver`.
    #[arg(
        long,
        env = "SECRET_BACKENDS_JUJU_CA_CERT",
        requires = "juju_controller"
    )]
    pub juju_ca_cert: Option<PathBuf>,

    /// The longest a connection or a call to the Juju controller may take (Go duration).
    #[arg(
        long,
        env = "SECRET_BACKENDS_JUJU_TIMEOUT",
        default_value = "15s",
        value_parser = session_duration
    )]
    pub juju_timeout: Duration,
}

impl Config {
    /// How long sessions last.
    pub fn session_limits(&self) -> SessionLimits {
        SessionLimits {
            idle: self.session_idle,
            lifetime: self.session_lifetime,
        }
    }
}

/// A session limit: a Go duration of at least a second (sessions are timed in seconds).
fn session_duration(text: &str) -> Result<Duration, String> {
    let duration = GoDuration::parse(text).map_err(|e| e.to_string())?;
    if duration.as_secs() == 0 {
        return Err(format!("{text:?} is shorter than a second"));
    }
    Ok(Duration::from_secs(duration.as_secs()))
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
            .field("session_idle", &self.session_idle)
            .field("session_lifetime", &self.session_lifetime)
            .field("juju_controller", &self.juju_controller)
            .field("juju_ca_cert", &self.juju_ca_cert)
            .field("juju_timeout", &self.juju_timeout)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_juju_controller_needs_its_ca_and_the_other_way_round() {
        assert!(parse(&["--juju-controller=10.0.0.1:17070"]).is_err());
        assert!(parse(&["--juju-ca-cert=ca.pem"]).is_err());
        let config = parse(&["--juju-controller=10.0.0.1:17070", "--juju-ca-cert=ca.pem"]).unwrap();
        assert_eq!(config.juju_controller.as_deref(), Some("10.0.0.1:17070"));
        assert_eq!(config.juju_timeout, Duration::from_secs(15));
    }

    fn parse(extra: &[&str]) -> Result<Config, clap::Error> {
        let args = ["secret-backends-controller"].iter().chain(extra);
        Config::try_parse_from(args)
    }

    #[test]
    fn sessions_last_half_an_hour_idle_and_twelve_hours_in_all_by_default() {
        let config = parse(&[]).unwrap();
        assert_eq!(config.session_limits(), SessionLimits::default());
    }

    #[test]
    fn session_limits_are_go_durations_of_a_second_or_more() {
        let config = parse(&["--session-idle=1h30m", "--session-lifetime=2.5s"]).unwrap();
        assert_eq!(config.session_idle, Duration::from_secs(5400));
        assert_eq!(config.session_lifetime, Duration::from_secs(2));
        for bad in [
            "--juju-timeout=0",
            "--session-idle=0",
            "--session-idle=500ms",
            "--session-lifetime=12",
        ] {
            assert!(parse(&[bad]).is_err(), "{bad} was accepted");
        }
    }
}
