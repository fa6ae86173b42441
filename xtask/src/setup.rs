//! Installs what a fresh Debian 12 machine lacks, by package name from the
//! package registries only. Idempotent: a second run checks and installs nothing.

use anyhow::{bail, Result};

use crate::util::{cmd, prints, root, step};

/// Build and runtime needs of Tauri/WebKitGTK, the headless E2E stack (Xvfb,
/// WebKitWebDriver, Chromium as the "system browser"), the keystore under
/// D-Bus, PDF text extraction for tests, screenshots, a window manager
/// for the kiosk test, and PostgreSQL's server for the backend's tests.
const DEBIAN_PACKAGES: &[&str] = &[
    "libwebkit2gtk-4.1-dev",
    "build-essential",
    "pkg-config",
    "libssl-dev",
    "libxdo-dev",
    "librsvg2-dev",
    "libdbus-1-dev",
    "file",
    "curl",
    "xvfb",
    "xauth",
    "imagemagick",
    "webkit2gtk-driver",
    "dbus",
    "dbus-x11",
    "gnome-keyring",
    "libsecret-tools",
    "keyutils",
    "at-spi2-core",
    "chromium",
    "chromium-driver",
    "poppler-utils",
    // An E2E moves the clock on in the backend's SQLite file (quarantine).
    "sqlite3",
    // The API suite's second run, on a throwaway PostgreSQL cluster.
    "postgresql",
    // The kiosk test's window manager (fullscreen, Alt+F4) and XTest.
    "openbox",
    "libxtst6",
    // Type-checking the shell for Android: C build scripts (ring) need a
    // compiler for the target even under `cargo check` (`android_cc`).
    "clang-14",
    "llvm-14",
];

/// (binary, version as printed, cargo install arguments)
const CARGO_TOOLS: &[(&str, &str, &[&str])] = &[
    (
        "trunk",
        "trunk 0.21.14",
        &["--locked", "trunk", "--version", "0.21.14"],
    ),
    // Not --locked: its lockfile pins a webpki-roots the registry here lacks.
    (
        "wasm-bindgen",
        "wasm-bindgen 0.2.130",
        &["wasm-bindgen-cli", "--version", "0.2.130"],
    ),
];

pub fn run() -> Result<()> {
    debian()?;
    rust_targets()?;
    cargo_tools()?;
    npm()?;
    Ok(())
}

fn debian() -> Result<()> {
    let missing: Vec<&str> = DEBIAN_PACKAGES
        .iter()
        .copied()
        .filter(|p| {
            !prints(
                "dpkg-query",
                &["-W", "-f=${Status}", p],
                "install ok installed",
            )
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    // SAFETY: geteuid(2) has no preconditions and cannot fail.
    let is_root = unsafe { libc::geteuid() } == 0;
    let apt = |args: &[&str]| {
        let mut c = if is_root { cmd("apt-get") } else { cmd("sudo") };
        if !is_root {
            c.arg("apt-get");
        }
        c.env("DEBIAN_FRONTEND", "noninteractive").args(args);
        c
    };
    step("apt-get update", &mut apt(&["update", "-q"]))?;
    let mut install = apt(&["install", "-y", "-q", "--no-install-recommends"]);
    install.args(&missing);
    step(
        &format!("apt-get install {}", missing.join(" ")),
        &mut install,
    )
}

/// The UI's wasm target, and Android's, which the test command type-checks
/// the shell for so mobile code cannot rot.
fn rust_targets() -> Result<()> {
    for target in ["wasm32-unknown-unknown", "aarch64-linux-android"] {
        if !prints("rustup", &["target", "list", "--installed"], target) {
            step(
                &format!("rustup target add {target}"),
                cmd("rustup").args(["target", "add", target]),
            )?;
        }
    }
    Ok(())
}

fn cargo_tools() -> Result<()> {
    for (bin, version, args) in CARGO_TOOLS {
        if !prints(bin, &["--version"], version) {
            step(
                &format!("cargo install {bin}"),
                cmd("cargo").arg("install").args(*args),
            )?;
        }
    }
    Ok(())
}

fn npm() -> Result<()> {
    for dir in ["server/dev-idp", "xtask/npm"] {
        let path = root().join(dir);
        if !path.join("package-lock.json").exists() {
            bail!("{dir}/package-lock.json is missing");
        }
        // `npm ci` installs exactly the lockfile; skip when node_modules is newer than it.
        let modified = |p: std::path::PathBuf| std::fs::metadata(p).and_then(|m| m.modified()).ok();
        let fresh = match (
            modified(path.join("node_modules/.package-lock.json")),
            modified(path.join("package-lock.json")),
        ) {
            (Some(installed), Some(lock)) => installed >= lock,
            _ => false,
        };
        if !fresh {
            step(
                &format!("npm ci in {dir}"),
                cmd("npm")
                    .args(["ci", "--no-audit", "--no-fund"])
                    .current_dir(&path),
            )?;
        }
    }
    Ok(())
}
