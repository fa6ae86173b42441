//! Every check and test, in the order that fails fastest.

use std::time::Instant;

use anyhow::Result;

use crate::util::{cmd, root, step};
use crate::{build, setup};

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
        cmd("cargo").args([
            "clippy",
            "--workspace",
            "--exclude",
            "omsorg-ui",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
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
        "omsorg-core builds for wasm32-unknown-unknown",
        cmd("cargo").args([
            "build",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "omsorg-core",
        ]),
    )?;
    step(
        "cargo test (every crate but the E2E suite)",
        cmd("cargo").args([
            "test",
            "--workspace",
            "--exclude",
            "omsorg-ui",
            "--exclude",
            "omsorg-e2e",
        ]),
    )?;
    if e2e {
        let app = build::app()?;
        let server = build::server()?;
        step(
            "end-to-end suite (real app window over WebDriver)",
            cmd("cargo")
                .args(["test", "-p", "omsorg-e2e", "--", "--test-threads=1"])
                .env("OMSORG_E2E_APP", &app)
                .env("OMSORG_E2E_SERVER", &server)
                .env("OMSORG_E2E_ARTIFACTS", root().join("test-artifacts")),
        )?;
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
