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

/// The screen gallery: the UI built with fixture answers instead of the
/// shell (feature `gallery`), into `<target>/gallery-dist`, never into
/// `src-ui/dist`; the E2E suite loads it in the debug app's window. Checks
/// that the release bundle holds none of it. Returns the gallery's dir.
pub fn gallery() -> Result<PathBuf> {
    let dist = target_dir().join("gallery-dist");
    step(
        "trunk build --release --features gallery (the screen gallery, test-only)",
        cmd("trunk")
            .args(["build", "--release", "--features", "gallery", "--dist"])
            .arg(&dist)
            .current_dir(crate::util::root().join("src-ui")),
    )?;
    // A fixture only the gallery has: present there, absent from the release bundle.
    let holds = |dir: &Path| -> Result<bool> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "wasm")
                && std::fs::read(&path)?
                    .windows(GALLERY_MARK.len())
                    .any(|w| w == GALLERY_MARK)
            {
                return Ok(true);
            }
        }
        Ok(false)
    };
    if !holds(&dist)? {
        anyhow::bail!(
            "the gallery build lacks its fixtures: the release check below would prove nothing"
        );
    }
    if holds(&crate::util::root().join("src-ui/dist"))? {
        anyhow::bail!("the release UI bundle (src-ui/dist) contains the screen gallery");
    }
    eprintln!("    the release UI bundle holds no gallery fixture");
    Ok(dist)
}

/// A one-time password that only the gallery's fixtures contain.
const GALLERY_MARK: &[u8] = b"Tulipan-Regn-4821";

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

/// The desktop package (`.deb`) of the release app `app`, made by the
/// Tauri bundler (`xtask/bundle`); returns its path.
pub fn deb(app: &Path) -> Result<PathBuf> {
    // The bundler writes under <out>/bundle/deb (as under target/release for tauri-cli).
    let out = target_dir().join("desktop-package");
    let debs = out.join("bundle/deb");
    let _ = std::fs::remove_dir_all(&debs);
    step(
        "the .deb of the release app (Tauri bundler)",
        cmd("cargo")
            .args(["run", "--quiet", "-p", "omsorg-bundle", "--"])
            .arg(app)
            .arg(&out),
    )?;
    let deb = std::fs::read_dir(&debs)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|e| e == "deb"))
        .ok_or_else(|| anyhow::anyhow!("no .deb under {}", debs.display()))?;
    Ok(deb)
}

/// The backend binary (debug profile), for the dev stack.
/// The backend and the dev care record beside it.
pub fn server() -> Result<(PathBuf, PathBuf)> {
    step(
        "cargo build -p omsorg-server -p omsorg-dev-care-record",
        cmd("cargo").args([
            "build",
            "-p",
            "omsorg-server",
            "-p",
            "omsorg-dev-care-record",
        ]),
    )?;
    Ok((
        target_dir().join("debug/omsorg-server"),
        target_dir().join("debug/omsorg-dev-care-record"),
    ))
}
