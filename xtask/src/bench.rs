//! `cargo xtask bench`: builds what it measures (the release console with its precompressed
//! copies, the service's optimised binary, the bench program `crates/e2e/src/bin/bench`),
//! starts an OpenBao dev server and chromedriver on free loopback ports, and runs the bench,
//! which prints its table and writes `docs/performance.md`. It needs what `cargo xtask test`
//! installs, plus `wrk` (Debian's).

use std::path::Path;
use std::process::Command;

use crate::procs::{self, Service};
use crate::tools::{self, Tools};
use crate::{Result, build_console, build_service, cargo, step, target_dir};

pub fn bench(root: &Path) -> Result {
    let tools = Tools::install(root, true)?;
    let wrk = tools::install_wrk()?;
    build_console(root, &tools)?;
    build_service(root, &tools)?;
    step(
        "build the bench (crates/e2e's bench binary)",
        cargo(root, &tools).args(["build", "-p", "secret-backends-e2e", "--bin", "bench"]),
    )?;

    let bao_port = procs::free_port();
    let bao_token = format!("bench-root-{bao_port}");
    let bao = Service::openbao(&tools, bao_port, &bao_token)?;
    let driver = Service::chromedriver(&tools)?;
    let target = target_dir(root);
    step(
        "bench (a few minutes: 10,000 backends are added one request at a time)",
        Command::new(target.join("debug/bench"))
            .current_dir(root)
            .env(
                "BENCH_SERVICE_BIN",
                target.join("service/secret-backends-controller"),
            )
            .env("SECRET_BACKENDS_DIST", root.join("dist"))
            .env("OPENBAO_ADDR", bao.url())
            .env("OPENBAO_TOKEN", &bao_token)
            .env("BENCH_OPENBAO_PID", bao.pid().to_string())
            .env("WEBDRIVER_URL", driver.url())
            .env("CHROMIUM", &tools.chromium)
            .env("WRK", wrk)
            .env("BENCH_REPORT", root.join("docs/performance.md")),
    )
}
