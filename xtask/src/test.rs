//! Every check and test, in the order that fails fastest.

use std::time::Instant;

use anyhow::Result;

use crate::util::{cmd, root, step, target_dir};
use crate::{build, setup};

/// Left out of the native workspace steps: the UI runs only as wasm (it is
/// linted as wasm below), and the bare reference app is a benchmark's
/// (`cargo xtask bench` builds it, with its UI).
const NOT_NATIVE: [&str; 6] = [
    "--exclude",
    "omsorg-ui",
    "--exclude",
    "omsorg-bare-app",
    "--exclude",
    "omsorg-bare-ui",
];

/// The E2E tests whose names contain `filter`, in the real window, with
/// everything built as `test` builds it.
pub fn e2e(filter: &str) -> Result<()> {
    let app = build::app()?;
    let gallery = build::gallery()?;
    let deb = build::deb(&app)?;
    step(
        "cargo build -p omsorg-server -p omsorg-dev-care-record -p omsorg-app",
        cmd("cargo").args([
            "build",
            "-p",
            "omsorg-server",
            "-p",
            "omsorg-dev-care-record",
            "-p",
            "omsorg-app",
        ]),
    )?;
    step(
        &format!("cargo test -p omsorg-e2e {filter}"),
        e2e_env(
            cmd("cargo").args(["test", "-p", "omsorg-e2e", "--", "--test-threads=1", filter]),
            &app,
            &gallery,
            &deb,
        ),
    )
}

/// What the E2E suite needs to find: the app, the backend, the gallery,
/// the desktop package, axe-core, and where to put its artifacts.
fn e2e_env<'c>(
    c: &'c mut std::process::Command,
    app: &std::path::Path,
    gallery: &std::path::Path,
    deb: &std::path::Path,
) -> &'c mut std::process::Command {
    c.env("OMSORG_E2E_APP", app)
        .env(
            "OMSORG_E2E_SERVER",
            target_dir().join("debug/omsorg-server"),
        )
        .env(
            "OMSORG_E2E_CARE_RECORD",
            target_dir().join("debug/omsorg-dev-care-record"),
        )
        .env("OMSORG_E2E_ARTIFACTS", root().join("test-artifacts"))
        // The screen gallery: the debug app (it loads its development
        // URL, where the suite serves the gallery) and axe-core.
        .env("OMSORG_E2E_GALLERY", gallery)
        // The release UI bundle, served the same way (the first start's test).
        .env("OMSORG_E2E_UI", root().join("src-ui/dist"))
        // The desktop package, installed and started by the suite.
        .env("OMSORG_E2E_DEB", deb)
        .env(
            "OMSORG_E2E_GALLERY_APP",
            target_dir().join("debug/omsorg-app"),
        )
        .env(
            "OMSORG_E2E_AXE",
            root().join("xtask/npm/node_modules/axe-core/axe.min.js"),
        )
}

/// The backend's API suite again, on a throwaway PostgreSQL cluster that
/// the suite starts (and deletes) itself. The same workspace and features
/// as the run before, so nothing is built again.
fn api_on_postgres(exclude: &[&str]) -> Result<()> {
    step(
        "cargo test --test api (the backend's API suite on PostgreSQL)",
        cmd("cargo")
            .args(["test", "--workspace"])
            .args(NOT_NATIVE)
            .args(exclude)
            .args(["--test", "api"])
            .env("OMSORG_TEST_DATABASE", "postgres"),
    )
}

pub fn run_all(e2e: bool) -> Result<()> {
    let t = Instant::now();
    setup::run()?;
    step(
        "cargo fmt --check",
        cmd("cargo").args(["fmt", "--all", "--", "--check"]),
    )?;
    // Native crates; the UI only ever runs as wasm, so it is linted as wasm.
    step(
        "cargo clippy (native)",
        cmd("cargo")
            .args(["clippy", "--workspace"])
            .args(NOT_NATIVE)
            .args(["--all-targets", "--", "-D", "warnings"]),
    )?;
    step(
        "cargo clippy (wasm32: omsorg-ui, omsorg-core)",
        cmd("cargo").args([
            "clippy",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "omsorg-ui",
            "-p",
            "omsorg-core",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    step(
        "cargo clippy (wasm32: omsorg-ui with the screen gallery)",
        cmd("cargo").args([
            "clippy",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "omsorg-ui",
            "--features",
            "gallery",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    step(
        "omsorg-core builds for wasm32-unknown-unknown",
        cmd("cargo").args([
            "build",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "omsorg-core",
        ]),
    )?;
    android_check()?;
    if !e2e {
        step(
            "cargo test (every crate but the E2E suite)",
            cmd("cargo")
                .args(["test", "--workspace"])
                .args(NOT_NATIVE)
                .args(["--exclude", "omsorg-e2e"]),
        )?;
        return api_on_postgres(&["--exclude", "omsorg-e2e"]);
    }
    let app = build::app()?;
    let gallery = build::gallery()?;
    let deb = build::deb(&app)?;
    let figures = root().join("test-artifacts/figures.txt");
    let _ = std::fs::remove_file(&figures);
    // Compiled first, and the gigabytes just written flushed to disk: on a
    // cold cache the kernel's write-back otherwise stalls the first E2E
    // tests' SQLite and keyring writes for minutes (seen on a clean clone).
    step(
        "cargo test --no-run (every crate and the E2E suite)",
        cmd("cargo")
            .args(["test", "--workspace"])
            .args(NOT_NATIVE)
            .arg("--no-run"),
    )?;
    step("sync (flush the build's writes)", &mut cmd("sync"))?;
    // One cargo invocation for every crate's tests and the E2E suite, so the
    // dependency graph is compiled once (features unify per invocation) and
    // the backend binary the E2E starts is the one this build made. One test
    // thread: the E2E tests each drive a window, and the rest are quick.
    step(
        "cargo test (every crate, then the E2E suite in the real app window)",
        e2e_env(
            cmd("cargo")
                .args(["test", "--workspace"])
                .args(NOT_NATIVE)
                .args(["--", "--test-threads=1"]),
            &app,
            &gallery,
            &deb,
        ),
    )?;
    api_on_postgres(&[])?;
    if let Ok(text) = std::fs::read_to_string(&figures) {
        eprintln!("\nfigures measured by the E2E suite:\n{text}");
    }
    eprintln!(
        "\nall checks passed in {:.1} min",
        t.elapsed().as_secs_f64() / 60.0
    );
    Ok(())
}

pub fn run(args: &[String]) -> Result<()> {
    run_all(!args.iter().any(|a| a == "--no-e2e"))
}

/// The shell type-checks for Android, so mobile code cannot rot. There is
/// no NDK here (it comes only from Google's servers): C build scripts get
/// `xtask/android/clang`, which compiles an empty unit with Debian's clang for
/// the target, and nothing is linked. What a real APK needs is in the README.
fn android_check() -> Result<()> {
    let cc = root().join("xtask/android/clang");
    step(
        "cargo clippy (omsorg-app for aarch64-linux-android)",
        cmd("cargo")
            .args([
                "clippy",
                "-p",
                "omsorg-app",
                "--lib",
                "--target",
                "aarch64-linux-android",
                "--",
                "-D",
                "warnings",
            ])
            .env("CC_aarch64_linux_android", &cc)
            .env("AR_aarch64_linux_android", "llvm-ar-14"),
    )
}
