//! Services the commands start (OpenBao, chromedriver, the controller) and stop again: each is a
//! child process that is killed when its [`Service`] is dropped, on success or failure alike.

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::Result;
use crate::tools::Tools;

/// The root token of the OpenBao dev server that `cargo xtask run` starts (a dev server only).
pub const RUN_OPENBAO_TOKEN: &str = "sbc-dev-root-token";

pub struct Service {
    name: String,
    child: Child,
    url: String,
}

impl Service {
    /// Starts `command` as a service named `name`; its output goes to the terminal.
    pub fn start(name: &str, command: &mut Command, url: Option<String>) -> Result<Service> {
        let child = command
            .stdin(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {name}: {e}"))?;
        Ok(Service {
            name: name.to_owned(),
            child,
            url: url.unwrap_or_default(),
        })
    }

    /// An OpenBao dev server (in memory, unsealed, with `token` as its root token) on `port`.
    pub fn openbao(tools: &Tools, port: u16, token: &str) -> Result<Service> {
        let url = format!("http://127.0.0.1:{port}");
        let service = Service::start(
            "OpenBao",
            Command::new(&tools.bao)
                .args([
                    "server",
                    "-dev",
                    &format!("-dev-root-token-id={token}"),
                    &format!("-dev-listen-address=127.0.0.1:{port}"),
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
            Some(url.clone()),
        )?;
        wait_http_ok(&format!("{url}/v1/sys/health"), "OpenBao")?;
        Ok(service)
    }

    /// chromedriver on a free loopback port, once it answers; its URL is the WebDriver URL.
    pub fn chromedriver(tools: &Tools) -> Result<Service> {
        let port = free_port();
        let url = format!("http://127.0.0.1:{port}");
        let service = Service::start(
            "chromedriver",
            Command::new(&tools.chromedriver).arg(format!("--port={port}")),
            Some(url.clone()),
        )?;
        wait_http_ok(&format!("{url}/status"), "chromedriver")?;
        Ok(service)
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `Some(why)` once the process has ended by itself.
    pub fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(format!("{} stopped ({status})", self.name)),
            _ => None,
        }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port nobody listens on now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free loopback port")
}

/// `preferred` if it is free, else any free port.
pub fn port_or_free(preferred: u16) -> u16 {
    if TcpListener::bind(("127.0.0.1", preferred)).is_ok() {
        preferred
    } else {
        free_port()
    }
}

/// Waits until `url` (plain http on loopback) answers 200, for at most a minute.
pub fn wait_http_ok(url: &str, what: &str) -> Result {
    let rest = url.strip_prefix("http://").ok_or("only http:// URLs")?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if http_status(host, &format!("/{path}")) == Some(200) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("{what} did not answer at {url} within a minute"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The status code of a bare HTTP/1.1 GET, if anything answered.
fn http_status(host: &str, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(host).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    std::io::Write::write_all(
        &mut stream,
        format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .ok()?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).ok()?;
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}
