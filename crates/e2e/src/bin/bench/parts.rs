//! The bench's three parts, each a titled section of figures beside their budgets. A part that
//! cannot finish still gives its section, with the reason in place of its figures.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use crate::load::{self, Load};
use crate::page::{self, FirstLoad};
use crate::report::{Row, Section, median, millis, percentile, thousands};
use crate::server::{self, ADMIN_PASSWORD, Server};
use crate::{Config, Outcome};

/// Fresh browsers per side of the first-load comparison.
pub const FRESH_LOADS: usize = 10;
/// The many-backends part (`BENCH_MANY_BACKENDS` overrides it for a quick try of the bench).
pub fn many_backends_count() -> usize {
    std::env::var("BENCH_MANY_BACKENDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .filter(|n| *n > 1)
        .unwrap_or(10_000)
}
/// The list API under load, and OpenBao's mounts beside it.
pub const LOADED_BACKENDS: usize = 100;
/// Requests at once while adding backends.
const ADD_CONCURRENCY: usize = 8;
/// How long the service is left alone to measure its idle CPU.
const IDLE_SECONDS: u64 = 30;
/// Samples of the list's answer time.
const LIST_SAMPLES: usize = 5;

/// A section from a part's outcome: its rows, or one failed row saying why.
fn section(title: &str, rows: Outcome<Vec<Row>>) -> Section {
    Section {
        title: title.into(),
        rows: rows.unwrap_or_else(|why| vec![Row::failed("this part", &why)]),
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::INFINITY }
}

/// Part 1: the console's first load against the OpenBao UI's, in fresh browsers.
pub async fn first_load(config: &Config, server: &Server) -> Section {
    section("1. First load (headless Chromium, fresh profile each)", {
        first_load_rows(config, server).await
    })
}

async fn first_load_rows(config: &Config, server: &Server) -> Outcome<Vec<Row>> {
    let console_url = format!("{}/", server.base_url);
    let console_ready = [".sbc[data-state=\"ready\"]", "[data-testid=\"login-form\"]"];
    let bao_url = format!("{}/ui/", config.openbao_addr);
    let (mut console, mut bao) = (Vec::new(), Vec::new());
    for n in 1..=FRESH_LOADS {
        console.push(page::first_load(&console_url, &console_ready).await?);
        bao.push(page::first_load(&bao_url, &["input[name=\"token\"]"]).await?);
        eprintln!("  first load {n}/{FRESH_LOADS}");
    }
    let medians = |loads: &[FirstLoad]| {
        let of = |f: fn(&FirstLoad) -> f64| {
            median(&loads.iter().map(f).collect::<Vec<_>>()).unwrap_or(f64::NAN)
        };
        (of(|l| l.bytes), of(|l| l.requests), of(|l| l.ready_ms))
    };
    let (bytes, requests, ready) = medians(&console);
    let (bao_bytes, bao_requests, bao_ready) = medians(&bao);
    let ready_ratio = ratio(ready, bao_ready);
    Ok(vec![
        Row::judged(
            "console: bytes received (encoded, headers included)",
            thousands(bytes as u64),
            "≤ 250,000",
            bytes <= 250_000.0,
        ),
        Row::info("console: requests", format!("{requests:.0}")),
        Row::info(
            "console: navigation start to ready login (the first module)",
            millis(ready),
        ),
        Row::info("OpenBao UI: bytes received", thousands(bao_bytes as u64)),
        Row::info("OpenBao UI: requests", format!("{bao_requests:.0}")),
        Row::info(
            "OpenBao UI: navigation start to token input",
            millis(bao_ready),
        ),
        Row::info(
            "bytes: console ÷ OpenBao UI",
            format!("{:.2}", ratio(bytes, bao_bytes)),
        ),
        Row::judged(
            "time to ready: console ÷ OpenBao UI",
            format!("{ready_ratio:.2}"),
            "≤ 0.25",
            ready_ratio <= 0.25,
        ),
    ])
}

/// Part 2: 10,000 vault backends on one OpenBao.
pub async fn many_backends(config: &Config) -> Section {
    let title = format!(
        "2. {} vault backends on one OpenBao",
        thousands(many_backends_count() as u64)
    );
    section(&title, many_backends_rows(config).await)
}

async fn many_backends_rows(config: &Config) -> Outcome<Vec<Row>> {
    let server = Arc::new(Server::start(config).await?);
    let count = many_backends_count();
    let block = (count / 10).clamp(1, 1_000);
    eprintln!("  adding {count} backends, {ADD_CONCURRENCY} at a time…");
    let done = server
        .add_backends(config, count, ADD_CONCURRENCY, block)
        .await?;
    let total = done.last().copied().unwrap_or(f64::NAN);
    let last_block = total - done[done.len() - block - 1];
    let (overall, last) = (count as f64 / total, block as f64 / last_block);
    let mut rows = vec![
        Row::judged(
            "adds/s, overall",
            format!("{overall:.0}"),
            "≥ 300",
            overall >= 300.0,
        ),
        Row::judged(
            &format!("adds/s, the last {}", thousands(block as u64)),
            format!("{last:.0}"),
            "≥ 300",
            last >= 300.0,
        ),
    ];
    for (encoding, label) in [
        (None, "no compression"),
        (Some("gzip"), "Accept-Encoding: gzip"),
    ] {
        let (mut times, mut size, mut got) = (Vec::new(), 0, String::new());
        for _ in 0..LIST_SAMPLES {
            let (ms, bytes, content_encoding) = server.list(encoding).await?;
            (size, got) = (bytes, content_encoding);
            times.push(ms);
        }
        let ms = median(&times).unwrap_or(f64::NAN);
        rows.push(Row::judged(
            &format!("list answer time, {label} (median of {LIST_SAMPLES})"),
            millis(ms),
            "≤ 50 ms",
            ms <= 50.0,
        ));
        rows.push(Row::info(
            &format!("list answer size, {label}"),
            format!("{} bytes ({got})", thousands(size as u64)),
        ));
    }
    rows.extend(idle_rows(config, &server).await?);
    eprintln!("  the list in a browser: login, then 20 filter keystrokes…");
    let keystrokes = page::keystrokes("bench-0042");
    let list = page::list_in_browser(&server.base_url, ADMIN_PASSWORD, &keystrokes).await?;
    let at = |series: &[f64], p: f64| percentile(series, p).unwrap_or(f64::NAN);
    let work_p95 = at(&list.keystroke_work_ms, 95.0);
    let n = list.keystrokes_ms.len();
    let pairs: Vec<String> = (list.keystroke_work_ms.iter())
        .zip(&list.keystrokes_ms)
        .map(|(work, frame)| format!("{work:.1}/{frame:.1}"))
        .collect();
    eprintln!(
        "  each keystroke, ms (laid out/next frame): {}",
        pairs.join(" ")
    );
    rows.extend([
        Row::judged(
            "browser: login submitted to first row shown",
            millis(list.login_to_rows_ms),
            "≤ 1,000 ms",
            list.login_to_rows_ms <= 1_000.0,
        ),
        Row::info(
            "browser: the console's files received by the first row (both modules)",
            format!("{} bytes", thousands(list.console_bytes_at_rows as u64)),
        ),
        Row::info(
            "browser: filter keystroke to DOM updated and laid out, p50",
            millis(at(&list.keystroke_work_ms, 50.0)),
        ),
        Row::judged(
            &format!("browser: filter keystroke to DOM updated and laid out, p95 ({n})"),
            millis(work_p95),
            "≤ 16 ms",
            work_p95 <= 16.0,
        ),
        Row::info(
            "browser: filter keystroke to next frame shown, p50",
            millis(at(&list.keystrokes_ms, 50.0)),
        ),
        Row::info(
            &format!("browser: filter keystroke to next frame shown, p95 ({n})"),
            millis(at(&list.keystrokes_ms, 95.0)),
        ),
    ]);
    Ok(rows)
}

/// The service's resident memory, and its CPU (and OpenBao's) while nobody uses it.
async fn idle_rows(config: &Config, server: &Server) -> Outcome<Vec<Row>> {
    eprintln!("  idle for {IDLE_SECONDS} s (CPU while nobody uses it)…");
    let ticks = server::ticks_per_second();
    let bao_before = config.openbao_pid.map(server::cpu_ticks).transpose()?;
    let before = server::cpu_ticks(server.pid())?;
    tokio::time::sleep(Duration::from_secs(IDLE_SECONDS)).await;
    let used = server::cpu_ticks(server.pid())? - before;
    let share = |ticks_used: u64| 100.0 * ticks_used as f64 / ticks / IDLE_SECONDS as f64;
    let cpu = share(used);
    let memory = server::resident_bytes(server.pid())? as f64 / 1e6;
    let mut rows = vec![
        Row::judged(
            "service resident memory (VmRSS), MB",
            format!("{memory:.1}"),
            "≤ 150",
            memory <= 150.0,
        ),
        Row::judged(
            &format!("service CPU while idle ({IDLE_SECONDS} s), % of one core"),
            format!("{cpu:.1}"),
            "≤ 10",
            cpu <= 10.0,
        ),
    ];
    if let (Some(pid), Some(before)) = (config.openbao_pid, bao_before) {
        let bao = share(server::cpu_ticks(pid)? - before);
        rows.push(Row::info(
            "OpenBao CPU meanwhile, % of one core",
            format!("{bao:.1}"),
        ));
    }
    Ok(rows)
}

/// Part 3: the list API with 100 backends under load, beside OpenBao's mounts with 100 mounts.
pub async fn list_under_load(config: &Config, server: &Server) -> Section {
    let title = format!(
        "3. List API under load ({} connections, {} s, wrk), {LOADED_BACKENDS} backends",
        load::CONNECTIONS,
        load::SECONDS
    );
    section(&title, list_under_load_rows(config, server).await)
}

async fn list_under_load_rows(config: &Config, server: &Server) -> Outcome<Vec<Row>> {
    mount_kv(config, LOADED_BACKENDS).await?;
    eprintln!("  wrk on the list API…");
    let list_url = format!("{}/api/v1/secret-backends", server.base_url);
    let list = load::load(
        &config.wrk,
        &list_url,
        &format!("Authorization: Bearer {}", server.token()),
    )?;
    eprintln!("  wrk on OpenBao's GET /v1/sys/mounts…");
    let mounts_url = format!("{}/v1/sys/mounts", config.openbao_addr);
    let header = format!("X-Vault-Token: {}", config.openbao_token);
    let mounts = load::load(&config.wrk, &mounts_url, &header)?;
    let throughput = ratio(list.requests_per_second, mounts.requests_per_second);
    let mut rows = load_rows("list API", &list);
    rows[2] = Row::judged(
        "list API: p99",
        millis(list.p99_ms),
        "≤ 10 ms",
        list.p99_ms <= 10.0,
    );
    rows.extend(load_rows("OpenBao GET /v1/sys/mounts", &mounts));
    rows.push(Row::judged(
        "throughput: list API ÷ OpenBao mounts",
        format!("{throughput:.2}"),
        "≥ 2",
        throughput >= 2.0,
    ));
    for (what, load) in [("list API", &list), ("OpenBao", &mounts)] {
        if load.errors > 0 {
            rows.push(Row::judged(
                &format!("{what}: errors"),
                load.errors.to_string(),
                "0",
                false,
            ));
        }
    }
    Ok(rows)
}

fn load_rows(what: &str, load: &Load) -> Vec<Row> {
    vec![
        Row::info(
            &format!("{what}: requests/s"),
            thousands(load.requests_per_second.round() as u64),
        ),
        Row::info(&format!("{what}: p50"), millis(load.p50_ms)),
        Row::info(&format!("{what}: p99"), millis(load.p99_ms)),
    ]
}

/// Enables `count` KV mounts on the bench's OpenBao (`bench-kv-1`…), so its mounts list is as
/// long as the service's.
async fn mount_kv(config: &Config, count: usize) -> Outcome {
    let http = reqwest::Client::new();
    for n in 1..=count {
        let url = format!("{}/v1/sys/mounts/bench-kv-{n}", config.openbao_addr);
        let answer = http
            .post(&url)
            .header("X-Vault-Token", &config.openbao_token)
            .json(&json!({ "type": "kv" }))
            .send()
            .await
            .map_err(|e| format!("mounting bench-kv-{n}: {e}"))?;
        let status = answer.status();
        if !status.is_success() {
            let why = answer.text().await.unwrap_or_default();
            return Err(format!("mounting bench-kv-{n}: {status}: {why}"));
        }
    }
    Ok(())
}
