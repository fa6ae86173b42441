//! Paths, running commands, and child processes that are stopped politely.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use anyhow::{bail, Context, Result};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

fn home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| "/root".into())
}

/// PATH with the places set-up installs into first: cargo's bin dir and the
/// npm build tools (wasm-opt).
pub fn tool_path() -> String {
    let mut parts = vec![
        home().join(".cargo/bin").display().to_string(),
        root()
            .join("xtask/npm/node_modules/.bin")
            .display()
            .to_string(),
    ];
    if let Ok(p) = std::env::var("PATH") {
        parts.push(p);
    }
    parts.join(":")
}

pub fn cmd(program: &str) -> Command {
    let mut c = Command::new(program);
    c.env("PATH", tool_path()).current_dir(root());
    c
}

/// Runs to completion, printing the step and its wall time; fails on non-zero exit.
pub fn step(step: &str, c: &mut Command) -> Result<()> {
    eprintln!("\n==> {step}");
    let t = Instant::now();
    let status = c
        .status()
        .with_context(|| format!("{step}: could not start"))?;
    eprintln!("<== {step}: {:.1} s", t.elapsed().as_secs_f64());
    if !status.success() {
        bail!("{step} failed ({status})");
    }
    Ok(())
}

/// True when the command runs and prints `expected` somewhere in its output.
pub fn prints(program: &str, args: &[&str], expected: &str) -> bool {
    cmd(program)
        .args(args)
        .stderr(Stdio::null())
        .output()
        .map(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).contains(expected))
        .unwrap_or(false)
}

/// A child that gets SIGTERM (then waits) when dropped, so a service can
/// take its own children down with it.
pub struct Managed {
    pub name: &'static str,
    pub child: Child,
}

impl Managed {
    pub fn spawn(name: &'static str, c: &mut Command) -> Result<Managed> {
        let child = c.spawn().with_context(|| format!("starting {name}"))?;
        Ok(Managed { name, child })
    }
}

impl Drop for Managed {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            // SAFETY: kill(2) on our own child's pid has no memory-safety preconditions.
            unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
            let _ = self.child.wait();
        }
        eprintln!("stopped {}", self.name);
    }
}
