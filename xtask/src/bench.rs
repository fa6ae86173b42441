//! `cargo xtask bench`: the benchmarks' figures. App start against a bare
//! Tauri 2 + Yew app (both release builds with the same profile, started
//! the same way from outside: `tests/src/bin/start-bench.rs`), then the
//! backend's benchmarks (PIN verification, the shared-device shift change,
//! order creation, the declaration PDF).

use anyhow::Result;

use crate::util::{cmd, root, step, target_dir};
use crate::{build, setup};

pub fn run() -> Result<()> {
    setup::run()?;
    let omsorg = build::app()?;
    step(
        "trunk build --release (the bare reference app's UI)",
        cmd("trunk")
            .args(["build", "--release"])
            .current_dir(root().join("bench/bare-app/ui")),
    )?;
    step(
        "cargo build --release -p omsorg-bare-app --features custom-protocol",
        cmd("cargo").args([
            "build",
            "--release",
            "-p",
            "omsorg-bare-app",
            "--features",
            "custom-protocol",
        ]),
    )?;
    step(
        "cargo build -p omsorg-e2e --bin start-bench",
        cmd("cargo").args(["build", "-p", "omsorg-e2e", "--bin", "start-bench"]),
    )?;
    let runs = std::env::var("OMSORG_BENCH_STARTS").unwrap_or_else(|_| "5".into());
    step(
        "app start: Omsorg against the bare Tauri 2 + Yew app",
        cmd(&target_dir().join("debug/start-bench").display().to_string())
            .arg(&omsorg)
            .arg(target_dir().join("release/omsorg-bare-app"))
            .arg(runs),
    )?;
    step(
        "cargo bench (PIN verification; shared-device shift change; order; declaration PDF)",
        cmd("cargo").args(["bench", "-p", "omsorg-server"]),
    )
}
