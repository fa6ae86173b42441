//! The build steps dev and test share.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::Result;

use crate::util::{cmd, step, target_dir};

/// The newest modification time of any file under `path`.
fn newest(path: &Path) -> Option<SystemTime> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_file() {
        return meta.modified().ok();
    }
    std::fs::read_dir(path)
        .ok()?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name() != "dist")
        .filter_map(|e| newest(&e.path()))
        .max()
}

/// The UI bundle (`src-ui/dist`), release profile, wasm-opt'ed. Skipped when
/// the bundle is newer than every input: trunk rewrites dist/ on each run,
/// which would make cargo re-embed it and relink the app for nothing.
pub fn ui() -> Result<()> {
    let root = crate::util::root();
    let built = std::fs::metadata(root.join("src-ui/dist/index.html")).and_then(|m| m.modified());
    let inputs = ["src-ui", "src-core", "Cargo.lock", "Cargo.toml"]
        .iter()
        .filter_map(|p| newest(&root.join(p)))
        .max();
    if let (Ok(built), Some(inputs)) = (built, inputs) {
        if built > inputs {
            eprintln!("\n==> UI bundle is up to date (src-ui/dist)");
            return Ok(());
        }
    }
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

/// The backend binary (debug profile), for the dev stack.
pub fn server() -> Result<PathBuf> {
    step(
        "cargo build -p omsorg-server",
        cmd("cargo").args(["build", "-p", "omsorg-server"]),
    )?;
    Ok(target_dir().join("debug/omsorg-server"))
}
