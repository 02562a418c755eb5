//! `cargo xtask bench`'s measuring half: the console, the service and OpenBao side by side on
//! this machine, in one run, each figure beside its budget (issue 12). It prints the table and
//! writes `docs/performance.md`.
//!
//! `cargo xtask bench` builds what it measures (the release console with its precompressed
//! files, the service's optimised binary), starts an OpenBao dev server and chromedriver, and runs
//! this with their whereabouts in the environment: `BENCH_SERVICE_BIN`, `SECRET_BACKENDS_DIST`,
//! `OPENBAO_ADDR`, `OPENBAO_TOKEN`, `BENCH_OPENBAO_PID` (optional), `WEBDRIVER_URL`, `CHROMIUM`,
//! `WRK`, `BENCH_REPORT` (the Markdown file to write); `BENCH_MANY_BACKENDS` instead of 10,000
//! for a quick try. It is not a test: speed is measured here,
//! never asserted in the test suite.
//!
//! Parts (`parts`): the first load against the OpenBao UI's; 10,000 backends (adds, the list's
//! answer, memory, idle CPU, the list in the browser); the list API under `wrk` against
//! OpenBao's mounts API. `server` runs the service's binary, `page` measures in Chromium,
//! `load` runs `wrk`, `report` formats the figures.

mod load;
mod page;
mod parts;
mod report;
mod server;

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use report::{Section, Verdict};
use server::Server;

pub type Outcome<T = ()> = Result<T, String>;

/// Where the bench finds what it measures.
pub struct Config {
    pub service_bin: PathBuf,
    pub dist: PathBuf,
    pub openbao_addr: String,
    pub openbao_token: String,
    pub openbao_pid: Option<u32>,
    pub wrk: PathBuf,
    pub report: PathBuf,
}

pub fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        eprintln!("bench: {name} is not set: run the bench with `cargo xtask bench`");
        std::process::exit(2)
    })
}

#[tokio::main]
async fn main() {
    let config = Config {
        service_bin: env("BENCH_SERVICE_BIN").into(),
        dist: env("SECRET_BACKENDS_DIST").into(),
        openbao_addr: env("OPENBAO_ADDR"),
        openbao_token: env("OPENBAO_TOKEN"),
        openbao_pid: std::env::var("BENCH_OPENBAO_PID")
            .ok()
            .and_then(|p| p.parse().ok()),
        wrk: env("WRK").into(),
        report: env("BENCH_REPORT").into(),
    };
    let _ = env("WEBDRIVER_URL");
    // What is measured is what is checked out at the start.
    let commit = commit();
    let load_at_start = load_average();
    let started = Instant::now();
    let mut sections = Vec::new();

    eprintln!(
        "\n==> bench: a service with {} backends",
        parts::LOADED_BACKENDS
    );
    match Server::start(&config).await {
        Ok(server) => {
            let server = std::sync::Arc::new(server);
            let added = server
                .add_backends(&config, parts::LOADED_BACKENDS, 8, parts::LOADED_BACKENDS)
                .await;
            eprintln!(
                "\n==> bench part 1: first load, {} fresh browsers each",
                parts::FRESH_LOADS
            );
            sections.push(parts::first_load(&config, &server).await);
            eprintln!("\n==> bench part 3: the list API under load");
            sections.push(match added {
                Ok(_) => parts::list_under_load(&config, &server).await,
                Err(why) => failed_section("3. List API under load", &why),
            });
        }
        Err(why) => {
            sections.push(failed_section("1. First load", &why));
            sections.push(failed_section("3. List API under load", &why));
        }
    }
    let many = parts::many_backends_count();
    eprintln!("\n==> bench part 2: {many} backends");
    sections.insert(1, parts::many_backends(&config).await);

    let minutes = started.elapsed().as_secs_f64() / 60.0;
    println!("\n{}", report::text_table(&sections));
    let failed = count(&sections, Verdict::Fail);
    let passed = count(&sections, Verdict::Pass);
    println!("{passed} within budget, {failed} over; the bench took {minutes:.0} min");
    match std::fs::write(
        &config.report,
        markdown(&sections, &commit, &load_at_start, minutes),
    ) {
        Ok(()) => println!("written to {}", config.report.display()),
        Err(e) => {
            eprintln!("bench: cannot write {}: {e}", config.report.display());
            std::process::exit(1)
        }
    }
}

fn failed_section(title: &str, why: &str) -> Section {
    Section {
        title: title.into(),
        rows: vec![report::Row::failed("this part", why)],
    }
}

fn count(sections: &[Section], verdict: Verdict) -> usize {
    sections
        .iter()
        .flat_map(|s| &s.rows)
        .filter(|r| r.verdict == verdict)
        .count()
}

/// A command's first line of output, or `unknown`.
fn first_line(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .and_then(|o| {
            let out = String::from_utf8_lossy(&o.stdout).into_owned();
            out.lines().next().map(|l| l.trim().to_owned())
        })
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            let line = info.lines().find(|l| l.starts_with("model name"))?;
            Some(line.split_once(':')?.1.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

/// The commit checked out, and whether files differ from it.
fn commit() -> String {
    let commit = first_line("git", &["rev-parse", "--short", "HEAD"]);
    let dirty = first_line("git", &["status", "--porcelain"]) != "unknown";
    if dirty {
        format!("{commit} (with uncommitted changes)")
    } else {
        commit
    }
}

/// The 1, 5 and 15 minute load averages: how busy the cores were besides the bench.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn markdown(sections: &[Section], commit: &str, load_at_start: &str, minutes: f64) -> String {
    let date = first_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"]);
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let chromium = first_line(&env("CHROMIUM"), &["--version"]);
    format!(
        "# Performance\n\n\
         Written by `cargo xtask bench`; run it again rather than editing this file.\n\n\
         - date: {date}\n\
         - machine: {cores} cores ({cpu}), shared by everything below: the service, OpenBao, \
         Chromium and the load generator run on the same cores\n\
         - commit: {commit}\n\
         - browser: {chromium}, headless\n\
         - load average (1, 5, 15 min) at the start: {load_at_start}; at the end: {load_at_end}\n\
         - the run took {minutes:.0} min\n\n\
         To reproduce: `cargo xtask bench` on a machine where `cargo xtask test` has installed \
         its tools (it installs `wrk` from Debian as `test` installs Chromium). It builds the \
         console (release, with its `.br`/`.gz` copies) and the service (profile `service`), \
         starts an OpenBao dev server and chromedriver on free loopback ports, measures, prints \
         this table and writes this file. Ratios compare figures of the same run.\n\n\
         {table}\n\
         {method}",
        cpu = cpu_model(),
        load_at_end = load_average(),
        table = report::markdown_table(sections),
        method = METHOD,
    )
}

const METHOD: &str = "## How each figure is measured

1. **First load**: 10 fresh headless Chromium sessions (a new profile each: no cache, no
   cookie) open the console at `/`, and 10 open the bench's OpenBao UI at `/ui/`, alternately. A
   script installed before the page's own (`Page.addScriptToEvaluateOnNewDocument`) watches the
   document with a `MutationObserver` and takes `performance.now()` (from the navigation's
   start) when the console's root says `data-state=\"ready\"` with the login form shown, or when
   the OpenBao UI shows its token input; at that moment it sums Resource Timing's `transferSize`
   (encoded bodies plus headers) over the navigation and every resource, and counts them.
   Medians of the 10. That is the console's first module (its frame and the login page); the
   full console (every other page) is fetched once the admin types the login, and is counted
   in part 2.
2. **10,000 backends**: the service's release binary on a fresh store; 10,000 vault backends
   on the bench's OpenBao added through the API, 8 requests at a time (each add checks the
   OpenBao first). The list (`GET /api/v1/secret-backends`): median of 5 answers, timed to the
   last byte, without and with `Accept-Encoding: gzip`. Then 30 s with nobody using the
   service: its CPU time from `/proc/<pid>/stat` (utime + stime) over that time, and its
   resident memory (`VmRSS`) after. In a fresh browser: the login typed (which starts the full
   console's load), then the time from clicking its submit to the first `backend-row-` in the
   document and the next frame rendered, and the console's files received by then (both modules,
   Resource Timing's `transferSize`); then 20 keystrokes in the list's filter (a backend's name
   typed, then erased), each a value set and an `input` event dispatched, timed twice: to the console's work done and the page laid out
   again (a posted message, handled after every microtask and so after the console's effects,
   then a box read, which makes the browser lay out), judged against one frame (16 ms): work
   that fits in it does not make the next frame late; and to the next rendered frame
   (`requestAnimationFrame`, then a posted message), for information. Each keystroke is sent
   just after a frame, so the second figure waits out most of a frame interval (about 16.7 ms
   at 60 Hz) even when the work takes none: its floor is the frame rate, not the console.
   Nearest-rank percentiles.
3. **List API under load**: a service with 100 vault backends, `wrk` with 64 connections for
   20 s on `GET /api/v1/secret-backends` (a bearer token), then on the bench OpenBao's
   `GET /v1/sys/mounts` with 100 KV mounts added; requests per second and `wrk --latency`'s
   p50 and p99.
";
