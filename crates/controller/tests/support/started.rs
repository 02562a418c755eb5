//! The service as its binary starts it: `serve` with command-line flags, on a port of the test's,
//! stopped when dropped. For what only the real start-up does (HTTPS, the client's address,
//! refusing bad flags and files).

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Parser;
use secret_backends_controller::{Config, StartError, serve};

use super::free_port;

/// The superuser's password in a started service.
pub const STARTED_ADMIN_PASSWORD: &str = "started-admin-password";

/// The flags of a service on `127.0.0.1:port` keeping its data and a one-line console (with an
/// inline start-up script, as trunk writes) under `dir`, then `extra`.
pub fn config(dir: &Path, port: u16, extra: &[&str]) -> Config {
    let dist = dir.join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><script type=\"module\">start()</script>",
    )
    .unwrap();
    let mut args = vec![
        "secret-backends-controller".to_owned(),
        format!("--listen=127.0.0.1:{port}"),
        format!("--data-dir={}", dir.join("data").display()),
        format!("--dist={}", dist.display()),
        format!("--admin-password={STARTED_ADMIN_PASSWORD}"),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    Config::try_parse_from(args).unwrap()
}

/// A running service.
pub struct Started {
    pub port: u16,
    task: tokio::task::JoinHandle<Result<(), StartError>>,
}

impl Started {
    /// Starts the service with `extra` flags (see [`config`]); answers once it is listening.
    pub async fn start(dir: &Path, extra: &[&str]) -> Started {
        let port = free_port();
        let task = tokio::spawn(serve(config(dir, port, extra)));
        for _ in 0..400 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return Started { port, task };
            }
            assert!(!task.is_finished(), "the service stopped while starting");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the service never listened on {port}");
    }

    /// Starts the service over HTTPS with a certificate made for `localhost` (see
    /// [`certificate`]); answers it and a client that trusts only that certificate.
    pub async fn start_https(dir: &Path) -> (Started, reqwest::Client) {
        let (cert, key, cert_pem) = certificate(dir);
        let flags = tls_flags(&cert, &key);
        let service = Started::start(dir, &[&flags[0], &flags[1]]).await;
        (service, https_client(&cert_pem))
    }

    /// `https://localhost:port`, the name the certificate of [`Started::start_https`] is for.
    pub fn https(&self) -> String {
        format!("https://localhost:{}", self.port)
    }

    /// `http://127.0.0.1:port`.
    pub fn http(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A self-signed certificate for `localhost` and 127.0.0.1, written to `dir` as PEM files.
pub fn certificate(dir: &Path) -> (PathBuf, PathBuf, String) {
    let rcgen::CertifiedKey { cert, signing_key } =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_path, cert.pem()).unwrap();
    std::fs::write(&key_path, signing_key.serialize_pem()).unwrap();
    (cert_path, key_path, cert.pem())
}

/// The flags that serve HTTPS with `cert` and `key`.
pub fn tls_flags(cert: &Path, key: &Path) -> [String; 2] {
    [
        format!("--tls-cert={}", cert.display()),
        format!("--tls-key={}", key.display()),
    ]
}

/// A client that trusts only the certificate `cert_pem`.
pub fn https_client(cert_pem: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(cert_pem.as_bytes()).unwrap())
        .build()
        .unwrap()
}
