//! The service as the bench runs it: its release binary as a child process on a fresh store
//! (so its memory and CPU can be read from `/proc`), and its REST API over HTTP.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::{Config, Outcome};

/// The admin password of the bench's stores (throwaway, as the end-to-end tests' are).
pub use secret_backends_e2e::ADMIN_PASSWORD;

/// A running service: killed, and its store deleted, when dropped.
pub struct Server {
    child: Child,
    _data: tempfile::TempDir,
    pub base_url: String,
    http: reqwest::Client,
    token: String,
}

impl Server {
    /// Starts the service binary over a new store on a free loopback port and logs in.
    pub async fn start(config: &Config) -> Outcome<Server> {
        let data = tempfile::tempdir().map_err(|e| format!("no temporary store: {e}"))?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port: {e}"))?
            .port();
        let child = Command::new(&config.service_bin)
            .env("SECRET_BACKENDS_LISTEN", format!("127.0.0.1:{port}"))
            .env("SECRET_BACKENDS_DATA_DIR", data.path())
            .env("SECRET_BACKENDS_DIST", &config.dist)
            .env("SECRET_BACKENDS_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", config.service_bin.display()))?;
        let mut server = Server {
            child,
            _data: data,
            base_url: format!("http://127.0.0.1:{port}"),
            // The bench chooses what it accepts: no automatic decompression.
            http: reqwest::Client::builder()
                .no_gzip()
                .timeout(Duration::from_secs(120))
                .build()
                .map_err(|e| e.to_string())?,
            token: String::new(),
        };
        server.wait_ready().await?;
        let login = json!({"username": "admin", "password": ADMIN_PASSWORD});
        let answer = server.send("POST", "/auth/login", Some(login)).await?;
        server.token = answer["token"]
            .as_str()
            .ok_or("the login answered no token")?
            .to_owned();
        Ok(server)
    }

    async fn wait_ready(&mut self) -> Outcome {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ready = self.http.get(format!("{}/readyz", self.base_url)).send();
            if ready.await.is_ok_and(|a| a.status().is_success()) {
                return Ok(());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("the service stopped at start ({status})"));
            }
            if Instant::now() > deadline {
                return Err("the service was not ready within a minute".into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The bearer token of the bench's login (for `wrk`'s header).
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Sends a request to `/api/v1<path>`; an error unless it succeeds.
    async fn send(&self, method: &str, path: &str, body: Option<Value>) -> Outcome<Value> {
        let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
        let mut request = self
            .http
            .request(method.clone(), format!("{}/api/v1{path}", self.base_url));
        if !self.token.is_empty() {
            request = request.bearer_auth(&self.token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answer = request
            .send()
            .await
            .map_err(|e| format!("{method} {path}: {e}"))?;
        let status = answer.status();
        let text = answer.text().await.unwrap_or_default();
        if !status.is_success() {
            return Err(format!("{method} {path} answered {status}: {text}"));
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Adds vault backends `<prefix>-00001`… on the bench's OpenBao, `concurrency` at a time;
    /// returns when each finished (seconds since the start, in order), printing progress every
    /// `progress_every`.
    pub async fn add_backends(
        self: &Arc<Self>,
        config: &Config,
        count: usize,
        concurrency: usize,
        progress_every: usize,
    ) -> Outcome<Vec<f64>> {
        let next = Arc::new(AtomicUsize::new(0));
        let done = Arc::new(std::sync::Mutex::new(Vec::with_capacity(count)));
        let started = Instant::now();
        let config_json = json!({ "endpoint": config.openbao_addr, "token": config.openbao_token });
        let mut workers = tokio::task::JoinSet::new();
        for _ in 0..concurrency {
            let (server, next, done) = (Arc::clone(self), Arc::clone(&next), Arc::clone(&done));
            let config_json = config_json.clone();
            workers.spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= count {
                        return Ok::<(), String>(());
                    }
                    let name = format!("bench-{:05}", i + 1);
                    let backend =
                        json!({ "name": name, "backend-type": "vault", "config": config_json });
                    server
                        .send("POST", "/secret-backends", Some(backend))
                        .await?;
                    let mut done = done.lock().unwrap_or_else(|e| e.into_inner());
                    done.push(started.elapsed().as_secs_f64());
                    if done.len() % progress_every == 0 {
                        let n = done.len();
                        let block_start = if n > progress_every {
                            done[n - progress_every - 1]
                        } else {
                            0.0
                        };
                        let span = (done[n - 1] - block_start).max(1e-3);
                        eprintln!(
                            "  {n:>6}/{count} added in {:.0} s ({:.0}/s over the last {progress_every})",
                            done[n - 1],
                            progress_every as f64 / span,
                        );
                    }
                }
            });
        }
        while let Some(result) = workers.join_next().await {
            result.map_err(|e| e.to_string())??;
        }
        let mut times = done.lock().unwrap_or_else(|e| e.into_inner()).clone();
        times.sort_by(f64::total_cmp);
        Ok(times)
    }

    /// The backends list, as received with `accept_encoding` (none: identity): the time to the
    /// whole answer, its size in bytes on the wire, and its `Content-Encoding`.
    pub async fn list(&self, accept_encoding: Option<&str>) -> Outcome<(f64, usize, String)> {
        let mut request = self
            .http
            .get(format!("{}/api/v1/secret-backends", self.base_url))
            .bearer_auth(&self.token);
        if let Some(encoding) = accept_encoding {
            request = request.header("accept-encoding", encoding);
        }
        let started = Instant::now();
        let answer = request.send().await.map_err(|e| e.to_string())?;
        let encoding = answer
            .headers()
            .get("content-encoding")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("identity")
            .to_owned();
        let status = answer.status();
        let body = answer.bytes().await.map_err(|e| e.to_string())?;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        if !status.is_success() {
            return Err(format!("the list answered {status}"));
        }
        Ok((ms, body.len(), encoding))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A process's resident memory in bytes (`VmRSS` of `/proc/<pid>/status`).
pub fn resident_bytes(pid: u32) -> Outcome<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("cannot read /proc/{pid}/status: {e}"))?;
    status_kib(&status, "VmRSS:")
        .map(|kib| kib * 1024)
        .ok_or_else(|| "no VmRSS in /proc status".into())
}

fn status_kib(status: &str, field: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with(field))?;
    line[field.len()..].split_whitespace().next()?.parse().ok()
}

/// The CPU time a process has used so far, user and system, in clock ticks.
pub fn cpu_ticks(pid: u32) -> Outcome<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map_err(|e| format!("cannot read /proc/{pid}/stat: {e}"))?;
    stat_ticks(&stat).ok_or_else(|| "unreadable /proc stat".into())
}

/// utime + stime: fields 14 and 15 of `/proc/<pid>/stat`, counted after the command name's `)`
/// (a name may hold spaces).
fn stat_ticks(stat: &str) -> Option<u64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // `after_name` starts at field 3 (state).
    let utime: u64 = fields.get(14 - 3)?.parse().ok()?;
    let stime: u64 = fields.get(15 - 3)?.parse().ok()?;
    Some(utime + stime)
}

/// Clock ticks per second (`getconf CLK_TCK`; 100 on Linux when it cannot be asked).
pub fn ticks_per_second() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_files_give_memory_and_cpu_time() {
        let status =
            "Name:\tsecret-backends\nVmPeak:\t  999 kB\nVmRSS:\t  123456 kB\nThreads:\t9\n";
        assert_eq!(status_kib(status, "VmRSS:"), Some(123_456));
        assert_eq!(status_kib(status, "VmSwap:"), None);
        let stat = "4242 (tokio (rt) x) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 75 0 0 20 0 9";
        assert_eq!(stat_ticks(stat), Some(325));
        assert!(resident_bytes(std::process::id()).unwrap() > 0);
        assert!(cpu_ticks(std::process::id()).is_ok());
    }
}
