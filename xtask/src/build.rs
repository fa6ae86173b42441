//! The build steps dev and test share.

use std::path::PathBuf;

use anyhow::Result;

use crate::util::{cmd, step, target_dir};

/// The UI bundle (`src-ui/dist`), release profile, wasm-opt'ed.
pub fn ui() -> Result<()> {
    step(
        "trunk build --release (src-ui)",
        cmd("trunk")
            .args(["build", "--release"])
            .current_dir(crate::util::root().join("src-ui")),
    )
}

/// The release app with the UI embedded; returns the binary's path.
pub fn app() -> Result<PathBuf> {
    ui()?;
    step(
        "cargo build --release -p omsorg-app --bin omsorg-app --features custom-protocol",
        cmd("cargo").args([
            "build",
            "--release",
            "-p",
            "omsorg-app",
            "--bin",
            "omsorg-app",
            "--features",
            "custom-protocol",
        ]),
    )?;
    Ok(target_dir().join("release/omsorg-app"))
}

/// The backend binary (debug profile: shares the test build's artifacts).
pub fn server() -> Result<PathBuf> {
    step(
        "cargo build -p omsorg-server",
        cmd("cargo").args(["build", "-p", "omsorg-server"]),
    )?;
    Ok(target_dir().join("debug/omsorg-server"))
}
