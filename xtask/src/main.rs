//! The project's commands (`cargo xtask <command>`):
//!
//! - `run`: installs what is missing, builds the console (release) and the service, starts an
//!   OpenBao dev server and the service on loopback, prints the URL, the login and the OpenBao
//!   address and token, and stops everything on Ctrl-C.
//! - `test`: installs what is missing (Chromium and chromedriver too), then runs fmt, clippy
//!   (native and wasm32), every native test (unit, the console's logic in `crates/console-core`,
//!   service against a real OpenBao, end-to-end in headless Chromium) and the console's
//!   wasm-bindgen tests (its components). Non-zero exit on any failure.
//! - `fmt`: formats the code: the console's `view!` macros (leptosfmt, which rustfmt leaves
//!   alone), then everything with rustfmt. `test` checks both; `leptosfmt.toml` and
//!   `rustfmt.toml` give them the same width.
//! - `bench`: builds the release console and service, starts OpenBao and chromedriver, and
//!   measures the first load, 10,000 backends and the list API under load against their budgets
//!   (`bench.rs`, `crates/e2e/src/bin/bench`); prints a table and writes `docs/performance.md`.
//! - `install`: only the installs. `dist`: only the console build: trunk's first module (the frame
//!   and the login page), the full module beside it, and their `.br`/`.gz` copies.
//!
//! Tools go into `.tools/` (git-ignored) at the exact versions below; nothing is downloaded
//! except from the package registries (crates.io, npm, PyPI, Debian).

mod bench;
mod compress;
mod procs;
mod tools;

use std::io::{BufRead, BufReader, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use procs::Service;
use tools::Tools;

const USAGE: &str = "usage: cargo xtask <run|test|bench|fmt|install|dist>

  run      build and start the console, the service and an OpenBao dev server
  test     install what is missing and run every check and test
  bench    measure against the performance budgets; writes docs/performance.md
  fmt      format the code (leptosfmt for the view! macros, then rustfmt)
  install  install the tools into .tools/
  dist     build the console into dist/ (release)";

fn main() -> ExitCode {
    let command = std::env::args().nth(1).unwrap_or_default();
    let root = workspace_root();
    let result = match command.as_str() {
        "run" => run(&root),
        "test" => test(&root),
        "bench" => bench::bench(&root),
        "fmt" => fmt(&root),
        "install" => Tools::install(&root, true).map(|_| ()),
        "dist" => Tools::install(&root, false).and_then(|t| build_console(&root, &t)),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command {other:?}\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

pub type Result<T = ()> = std::result::Result<T, String>;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// Runs a command to completion; an error names it.
pub fn step(what: &str, command: &mut Command) -> Result {
    let started = Instant::now();
    eprintln!("\n==> {what}");
    let status = command
        .status()
        .map_err(|e| format!("{what}: cannot start {:?}: {e}", command.get_program()))?;
    let took = started.elapsed().as_secs_f32();
    if status.success() {
        eprintln!("==> {what}: ok ({took:.0} s)");
        Ok(())
    } else {
        Err(format!("{what} failed ({status}) after {took:.0} s"))
    }
}

fn cargo(root: &Path, tools: &Tools) -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(root).env("PATH", tools.path_env());
    c
}

/// Where the last console build's wasm-bindgen + wasm-opt time is kept, to tell the next one.
const OPTIMISE_SECONDS_FILE: &str = ".tools/run/console-optimise-seconds";

/// What the console build's wasm step takes on a small machine when there is no earlier build.
const OPTIMISE_SECONDS_GUESS: u64 = 30;

/// Builds the console with trunk. Trunk's output is passed through; after cargo's "Finished",
/// trunk runs wasm-bindgen and wasm-opt without a word for half a minute, so that is said.
fn build_console(root: &Path, tools: &Tools) -> Result {
    let what = "build the console (trunk build --release)";
    let started = Instant::now();
    eprintln!("\n==> {what}");
    let mut command = Command::new(&tools.trunk);
    command
        .current_dir(root)
        .env("PATH", tools.path_env())
        .args(["build", "--release"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if std::io::stderr().is_terminal() {
        // Piped, cargo would drop its colours.
        command.env("CARGO_TERM_COLOR", "always");
    }
    let mut child = command
        .spawn()
        .map_err(|e| format!("{what}: cannot start {:?}: {e}", tools.trunk))?;
    let previous = std::fs::read_to_string(root.join(OPTIMISE_SECONDS_FILE))
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok());
    let finished_at = Arc::new(Mutex::new(None::<Instant>));
    let echo = |pipe: Box<dyn std::io::Read + Send>, to_stderr: bool| {
        let finished_at = Arc::clone(&finished_at);
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).split(b'\n').map_while(|l| l.ok()) {
                let line = String::from_utf8_lossy(&line);
                if to_stderr {
                    eprintln!("{line}");
                } else {
                    println!("{line}");
                }
                if is_cargo_finished(&line) {
                    let mut at = finished_at.lock().unwrap_or_else(|e| e.into_inner());
                    if at.is_none() {
                        *at = Some(Instant::now());
                        eprintln!("==> {}", optimise_note(previous));
                    }
                }
            }
        })
    };
    let out = child.stdout.take().map(|p| echo(Box::new(p), false));
    let err = child.stderr.take().map(|p| echo(Box::new(p), true));
    let status = child
        .wait()
        .map_err(|e| format!("{what}: cannot wait for trunk: {e}"))?;
    for thread in [out, err].into_iter().flatten() {
        let _ = thread.join();
    }
    let took = started.elapsed().as_secs_f32();
    if !status.success() {
        return Err(format!("{what} failed ({status}) after {took:.0} s"));
    }
    let optimised = finished_at
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .map(|at| at.elapsed().as_secs());
    match optimised {
        Some(secs) => {
            let _ = std::fs::create_dir_all(root.join(".tools/run"));
            let _ = std::fs::write(root.join(OPTIMISE_SECONDS_FILE), secs.to_string());
            eprintln!("==> {what}: ok ({took:.0} s, of which wasm-bindgen and wasm-opt {secs} s)");
        }
        None => eprintln!("==> {what}: ok ({took:.0} s)"),
    }
    build_full_console(root, tools)?;
    precompress_console(root)
}

/// The full console's module name in `dist/` (the first module, trunk's, keeps the stable
/// `secret-backends-console`; see the console's `src/split.rs`).
const FULL_MODULE: &str = "secret-backends-console-full";

/// Builds the full console (every page; the crate's default features) beside trunk's first
/// module: the same steps trunk takes (cargo, wasm-bindgen, `wasm-opt -Oz`), under its own name.
fn build_full_console(root: &Path, tools: &Tools) -> Result {
    let tool = |program: &str| {
        let mut command = Command::new(program);
        command.current_dir(root).env("PATH", tools.path_env());
        command
    };
    step(
        "build the full console module (cargo build --release, every page)",
        cargo(root, tools).args([
            "build",
            "--release",
            "--target",
            "wasm32-unknown-unknown",
            "--package",
            "secret-backends-console",
            "--lib",
        ]),
    )?;
    let built =
        target_dir(root).join("wasm32-unknown-unknown/release/secret_backends_console.wasm");
    let staging = target_dir(root).join("full-console");
    let _ = std::fs::remove_dir_all(&staging);
    step(
        "wasm-bindgen, the full console module",
        tool("wasm-bindgen")
            .arg("--target=web")
            .arg(format!("--out-dir={}", staging.display()))
            .arg(format!("--out-name={FULL_MODULE}"))
            .arg("--no-typescript")
            .arg(&built),
    )?;
    if staging.join("snippets").exists() {
        return Err(
            "the full console module has JavaScript snippets: copy them into \
             dist/snippets (without overwriting the first module's) before serving it"
                .to_owned(),
        );
    }
    let dist = root.join("dist");
    let wasm = format!("{FULL_MODULE}_bg.wasm");
    step(
        "wasm-opt -Oz, the full console module",
        tool("wasm-opt")
            .arg(format!("--output={}", dist.join(&wasm).display()))
            .arg("-Oz")
            .arg(staging.join(&wasm)),
    )?;
    let js = format!("{FULL_MODULE}.js");
    std::fs::copy(staging.join(&js), dist.join(&js))
        .map_err(|e| format!("cannot copy {js} into dist: {e}"))?;
    Ok(())
}

/// Writes `.br` and `.gz` copies of the built console's files (see [`compress`]).
fn precompress_console(root: &Path) -> Result {
    let what = "compress the console (brotli 11 and gzip -9 copies beside each file)";
    let started = Instant::now();
    eprintln!("\n==> {what}");
    let count = compress::compress_dist(&root.join("dist"))?;
    let took = started.elapsed().as_secs_f32();
    eprintln!("==> {what}: ok ({count} files, {took:.0} s)");
    Ok(())
}

/// Cargo's last line of a build: `    Finished `release` profile [optimized] target(s) in 1m 02s`.
fn is_cargo_finished(line: &str) -> bool {
    line.contains("Finished") && line.contains("target(s)")
}

/// What the build does after cargo has finished, and roughly for how long.
fn optimise_note(previous_secs: Option<u64>) -> String {
    let how_long = match previous_secs {
        Some(secs) => format!("about {secs} s last time"),
        None => format!("about {OPTIMISE_SECONDS_GUESS} s on a small machine"),
    };
    format!(
        "trunk now runs wasm-bindgen and wasm-opt (shrinks the console's WebAssembly): \
         {how_long}, with no output meanwhile"
    )
}

/// Builds the service's binary (`<target>/service/secret-backends-controller`).
fn build_service(root: &Path, tools: &Tools) -> Result {
    step(
        "build the service (profile `service`: optimised, no LTO)",
        cargo(root, tools).args([
            "build",
            "--profile",
            "service",
            "-p",
            "secret-backends-controller",
        ]),
    )
}

/// Cargo's target folder: `CARGO_TARGET_DIR` when set, else `target/`.
fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

fn run(root: &Path) -> Result {
    let tools = Tools::install(root, false)?;
    build_console(root, &tools)?;
    build_service(root, &tools)?;

    let password = tools::admin_password(root)?;
    let bao_port = procs::port_or_free(18200);
    let bao = Service::openbao(&tools, bao_port, procs::RUN_OPENBAO_TOKEN)?;
    let listen = std::env::var("SECRET_BACKENDS_LISTEN")
        .unwrap_or_else(|_| format!("127.0.0.1:{}", procs::port_or_free(17071)));
    let controller = Service::start(
        "secret-backends-controller",
        Command::new(target_dir(root).join("service/secret-backends-controller"))
            .current_dir(root)
            .env("SECRET_BACKENDS_LISTEN", &listen)
            .env("SECRET_BACKENDS_DATA_DIR", root.join("data"))
            .env("SECRET_BACKENDS_DIST", root.join("dist"))
            .env("SECRET_BACKENDS_ADMIN_PASSWORD", &password),
        None,
    )?;
    procs::wait_http_ok(&format!("http://{listen}/readyz"), "the service")?;

    println!();
    println!("  Secret Backends Console  http://{listen}/");
    println!("  Log in as                admin / {password}");
    println!(
        "                           (the password of a new data/ store; kept in .tools/run/admin-password)"
    );
    println!("  OpenBao (dev server)     {}", bao.url());
    println!("  OpenBao root token       {}", procs::RUN_OPENBAO_TOKEN);
    println!(
        "  Add a vault backend with endpoint {} and that token.",
        bao.url()
    );
    println!();
    println!("  Press Ctrl-C to stop the service and OpenBao.");

    let (tx, rx) = std::sync::mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = tx.send(());
    })
    .map_err(|e| format!("cannot handle Ctrl-C: {e}"))?;
    let mut services = [controller, bao];
    loop {
        if rx
            .recv_timeout(std::time::Duration::from_millis(500))
            .is_ok()
        {
            eprintln!("\nstopping…");
            break;
        }
        if let Some(gone) = services.iter_mut().find_map(|s| s.exited()) {
            return Err(gone);
        }
    }
    Ok(())
}

/// The folders whose `view!` macros leptosfmt formats: the console's and its tests'.
const VIEW_SOURCES: [&str; 2] = ["src", "tests"];

fn fmt(root: &Path) -> Result {
    let leptosfmt = tools::install_leptosfmt(root)?;
    // A `view!` nested in another one settles in a second pass.
    for pass in ["first", "second"] {
        step(
            &format!("leptosfmt ({pass} pass)"),
            Command::new(&leptosfmt)
                .current_dir(root)
                .arg("--quiet")
                .args(VIEW_SOURCES),
        )?;
    }
    step(
        "cargo fmt",
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .current_dir(root)
            .args(["fmt", "--all"]),
    )
}

fn test(root: &Path) -> Result {
    let started = Instant::now();
    let tools = Tools::install(root, true)?;
    step(
        "leptosfmt --check (the view! macros; `cargo xtask fmt` formats them)",
        Command::new(&tools.leptosfmt)
            .current_dir(root)
            .arg("--check")
            .args(VIEW_SOURCES),
    )?;
    step(
        "cargo fmt --check",
        cargo(root, &tools).args(["fmt", "--all", "--check"]),
    )?;
    step(
        "clippy (native crates)",
        cargo(root, &tools).args([
            "clippy",
            "--workspace",
            "--exclude",
            "secret-backends-console",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    // The console's two modules (see its `src/split.rs`): the full one with its tests, and the
    // first one, the crate without its `full` feature.
    for (what, which) in [
        ("clippy (console, wasm32)", &["--all-targets"][..]),
        (
            "clippy (console's first module, wasm32: no `full` feature)",
            &["--lib", "--no-default-features"][..],
        ),
    ] {
        step(
            what,
            cargo(root, &tools)
                .args(["clippy", "-p", "secret-backends-console"])
                .args(["--target", "wasm32-unknown-unknown"])
                .args(which)
                .args(["--", "-D", "warnings"]),
        )?;
    }
    build_console(root, &tools)?;

    let bao_port = procs::free_port();
    let bao_token = format!("test-root-{bao_port}");
    let bao = Service::openbao(&tools, bao_port, &bao_token)?;
    let driver = Service::chromedriver(&tools)?;

    step(
        "native tests: unit, console logic, service against OpenBao, end-to-end in headless Chromium",
        cargo(root, &tools)
            .args([
                "test",
                "--workspace",
                "--exclude",
                "secret-backends-console",
            ])
            .env("OPENBAO_ADDR", bao.url())
            .env("OPENBAO_TOKEN", &bao_token)
            .env("OPENBAO_BIN", &tools.bao)
            .env("SCHEMATHESIS", &tools.schemathesis)
            .env("JUJU_PEER_PYTHON", &tools.libjuju_python)
            .env("WEBDRIVER_URL", driver.url())
            .env("SECRET_BACKENDS_DIST", root.join("dist"))
            .env("CHROMIUM", &tools.chromium)
            .env("AXE_CORE_JS", &tools.axe),
    )?;
    drop(driver);
    drop(bao);

    step(
        "console wasm-bindgen tests in headless Chromium",
        cargo(root, &tools)
            .args([
                "test",
                "-p",
                "secret-backends-console",
                "--target",
                "wasm32-unknown-unknown",
            ])
            .env("CHROMEDRIVER", &tools.chromedriver)
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120"),
    )?;
    eprintln!(
        "\nxtask test: every check and test passed in {:.0} s",
        started.elapsed().as_secs_f32()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_silent_wasm_step_is_announced_with_its_duration() {
        assert!(is_cargo_finished(
            "    Finished `release` profile [optimized] target(s) in 1m 02s"
        ));
        assert!(is_cargo_finished(
            "\u{1b}[1m\u{1b}[32m    Finished\u{1b}[0m `release` profile [optimized] target(s) in 9.80s"
        ));
        assert!(!is_cargo_finished("   Compiling leptos v0.8.2"));
        assert!(optimise_note(None).contains("wasm-opt"));
        assert!(optimise_note(None).contains("about 30 s"));
        assert!(optimise_note(Some(41)).contains("about 41 s last time"));
    }
}
