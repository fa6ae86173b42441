//! The end-to-end harness: real processes on free loopback ports, stopped
//! politely on drop. `cargo xtask test` builds the release app and the backend
//! and passes their paths in `OMSORG_E2E_APP` / `OMSORG_E2E_SERVER`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub mod identity;
pub mod smtp;
mod webdriver;
pub mod x11;

pub use webdriver::*;

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is in the repo")
        .to_path_buf()
}

pub fn required_path(var: &str) -> PathBuf {
    let p = std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("{var} is not set: run the suite through `cargo xtask test`"));
    assert!(
        p.is_absolute() && p.exists(),
        "{var}={} does not exist",
        p.display()
    );
    p
}

pub fn artifacts_dir() -> PathBuf {
    let dir = std::env::var_os("OMSORG_E2E_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("test-artifacts"));
    std::fs::create_dir_all(&dir).expect("artifacts dir");
    dir
}

/// Prints a measured figure and appends it to `<artifacts>/figures.txt`
/// (cargo hides a passing test's output).
pub fn record_figure(line: &str) -> Result<()> {
    use std::io::Write;
    println!("{line}");
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(artifacts_dir().join("figures.txt"))?;
    writeln!(file, "{line}")?;
    Ok(())
}

/// Appends a service's stderr to `<artifacts>/<name>.log`, so a failed run can be read.
pub fn log_file(name: &str) -> Result<Stdio> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(artifacts_dir().join(format!("{name}.log")))?;
    Ok(Stdio::from(file))
}

/// How many lines of `<artifacts>/<name>.log` contain `needle` so far.
pub fn log_count(name: &str, needle: &str) -> usize {
    std::fs::read_to_string(artifacts_dir().join(format!("{name}.log")))
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains(needle))
        .count()
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A child process that receives SIGTERM (and is waited for) when dropped.
/// SIGTERM lets a service end what it started (WebKitWebDriver its browser).
pub struct Proc {
    name: String,
    pub child: Child,
}

impl Proc {
    pub fn spawn(name: &str, cmd: &mut Command) -> Result<Proc> {
        let child = cmd
            .kill_on_drop(false)
            .spawn()
            .with_context(|| format!("starting {name}"))?;
        Ok(Proc {
            name: name.to_string(),
            child,
        })
    }

    /// Spawns and waits for a stdout line starting with `prefix`; returns the rest.
    pub async fn spawn_ready(
        name: &str,
        cmd: &mut Command,
        prefix: &str,
    ) -> Result<(Proc, String)> {
        // A ceiling, not a target: a loaded CI-sized machine has stalled here.
        Self::spawn_ready_within(name, cmd, prefix, Duration::from_secs(90)).await
    }

    /// The same with its own ceiling; the process is stopped when it is missed.
    pub async fn spawn_ready_within(
        name: &str,
        cmd: &mut Command,
        prefix: &str,
        ceiling: Duration,
    ) -> Result<(Proc, String)> {
        let mut proc = Proc::spawn(name, cmd.stdout(Stdio::piped()))?;
        let stdout = proc.child.stdout.take().context("stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let found = tokio::time::timeout(ceiling, async {
            while let Some(line) = lines.next_line().await? {
                if let Some(rest) = line.strip_prefix(prefix) {
                    return Ok::<_, anyhow::Error>(Some(rest.trim().to_string()));
                }
            }
            Ok(None)
        })
        .await
        .with_context(|| format!("{name} did not become ready in {} s", ceiling.as_secs()))??;
        let Some(rest) = found else {
            bail!("{name} exited before it was ready")
        };
        // Keep draining stdout so the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok((proc, rest))
    }

    pub fn stop(&mut self) {
        if let Some(pid) = self.child.id() {
            // SAFETY: kill(2) on our own child's pid has no memory-safety preconditions.
            unsafe { libc::kill(pid as i32, libc::SIGTERM) };
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            eprintln!("{} ignored SIGTERM; killing", self.name);
            let _ = self.child.start_kill();
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A virtual X display for the app window.
pub struct Xvfb {
    pub display: String,
    _proc: Proc,
}

impl Xvfb {
    pub async fn start() -> Result<Xvfb> {
        Self::start_sized(1280, 800).await
    }

    /// A display of `width` × `height` (the screen gallery needs room for a
    /// portrait tablet and a wall screen).
    pub async fn start_sized(width: u32, height: u32) -> Result<Xvfb> {
        let screen = format!("{width}x{height}x24");
        for n in 90..250 {
            let socket = format!("/tmp/.X11-unix/X{n}");
            if Path::new(&socket).exists() || Path::new(&format!("/tmp/.X{n}-lock")).exists() {
                continue;
            }
            let display = format!(":{n}");
            let proc = Proc::spawn(
                "Xvfb",
                Command::new("Xvfb")
                    .args([
                        display.as_str(),
                        "-screen",
                        "0",
                        screen.as_str(),
                        "-nolisten",
                        "tcp",
                    ])
                    .stderr(Stdio::null()),
            )?;
            let deadline = Instant::now() + Duration::from_secs(30);
            while Instant::now() < deadline {
                if Path::new(&socket).exists() {
                    return Ok(Xvfb {
                        display,
                        _proc: proc,
                    });
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        bail!("no X display could be started")
    }
}

/// A window manager on the display (openbox), as a kiosk device has one: it
/// carries out fullscreen requests and turns Alt+F4 into a close request.
pub struct WindowManager {
    _proc: Proc,
}

impl WindowManager {
    pub async fn start(display: &str) -> Result<WindowManager> {
        let proc = Proc::spawn(
            "openbox",
            Command::new("openbox")
                .arg("--sm-disable")
                .env("DISPLAY", display)
                .stdout(Stdio::null())
                .stderr(log_file("openbox")?),
        )?;
        let x = x11::Display::open(display)?;
        wait_for(30, "the window manager", || async {
            x.wm_running().then_some(())
        })
        .await?;
        Ok(WindowManager { _proc: proc })
    }
}

/// The dev OpenID Provider (node oidc-provider) on a free port.
pub struct DevIdp {
    pub issuer: String,
    _proc: Proc,
}

impl DevIdp {
    pub async fn start() -> Result<DevIdp> {
        Self::start_with(&[]).await
    }

    /// With extra environment, e.g. a short `OMSORG_IDP_ACCESS_TOKEN_SECONDS`.
    pub async fn start_with(env: &[(&str, &str)]) -> Result<DevIdp> {
        // Ready in about 0.5 s when idle. Its start-up phases go to
        // dev-idp.log with their times, so a slow start says where it
        // waited; the ceiling is for a loaded 2-core machine.
        let (proc, issuer) = Proc::spawn_ready_within(
            "dev-idp",
            Command::new("node")
                .arg("server.js")
                .current_dir(repo_root().join("server/dev-idp"))
                .env("PORT", "0")
                .envs(env.iter().copied())
                .stdin(Stdio::null())
                .stderr(log_file("dev-idp")?),
            "dev-idp listening on",
            Duration::from_secs(120),
        )
        .await?;
        let discovery: serde_json::Value =
            reqwest::get(format!("{issuer}/.well-known/openid-configuration"))
                .await?
                .json()
                .await?;
        assert_eq!(discovery["issuer"], issuer.as_str());
        Ok(DevIdp {
            issuer,
            _proc: proc,
        })
    }
}

/// The reference backend with the dev seed, on its own SQLite file. It can be
/// stopped and started again on the same port and database.
pub struct Backend {
    pub url: String,
    port: u16,
    issuer: String,
    pub db: PathBuf,
    env: Vec<(String, String)>,
    proc: Option<Proc>,
}

impl Backend {
    pub async fn start(issuer: &str, dir: &Path) -> Result<Backend> {
        Backend::start_with(issuer, dir, &[]).await
    }

    /// With extra environment (e.g. `OMSORG_SMTP_URL`).
    pub async fn start_with(issuer: &str, dir: &Path, env: &[(&str, &str)]) -> Result<Backend> {
        let mut backend = Backend::stopped(issuer, dir, free_port());
        backend.env = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        backend.restart().await?;
        Ok(backend)
    }

    /// A backend that is not running yet, for "backend down" scenarios.
    pub fn stopped(issuer: &str, dir: &Path, port: u16) -> Backend {
        Backend {
            url: format!("http://127.0.0.1:{port}"),
            port,
            issuer: issuer.to_string(),
            db: dir.join("backend.db"),
            env: Vec::new(),
            proc: None,
        }
    }

    pub async fn restart(&mut self) -> Result<()> {
        self.stop();
        let (proc, url) = Proc::spawn_ready(
            "omsorg-server",
            Command::new(required_path("OMSORG_E2E_SERVER"))
                .env("OMSORG_LISTEN", format!("127.0.0.1:{}", self.port))
                .env(
                    "OMSORG_DATABASE_URL",
                    format!("sqlite://{}", self.db.display()),
                )
                .env("OMSORG_DEV_SEED", "1")
                .env("OMSORG_DEV_ISSUER", &self.issuer)
                .envs(self.env.iter().map(|(k, v)| (k, v)))
                .stderr(log_file("omsorg-server")?),
            "omsorg-server listening on",
        )
        .await?;
        assert_eq!(url, self.url);
        self.proc = Some(proc);
        Ok(())
    }

    pub fn stop(&mut self) {
        self.proc.take();
    }
}

/// The dev care record (FHIR R4) trusting the dev IdP, on a free port.
pub struct CareRecord {
    /// The FHIR base, e.g. `http://127.0.0.1:40123/fhir`.
    pub fhir: String,
    _proc: Proc,
}

impl CareRecord {
    /// With extra environment, e.g. `OMSORG_CARE_LOSE_FIRST_ANSWER=1`.
    pub async fn start(issuer: &str, env: &[(&str, &str)]) -> Result<CareRecord> {
        let (proc, fhir) = Proc::spawn_ready(
            "omsorg-dev-care-record",
            Command::new(required_path("OMSORG_E2E_CARE_RECORD"))
                .env("OMSORG_CARE_LISTEN", "127.0.0.1:0")
                .env("OMSORG_CARE_ISSUER", issuer)
                .envs(env.iter().copied())
                .stderr(log_file("care-record")?),
            "omsorg-dev-care-record listening on",
        )
        .await?;
        Ok(CareRecord { fhir, _proc: proc })
    }

    /// What it received: `{identifier, patient, status}` per create.
    pub async fn received(&self) -> Result<Vec<serde_json::Value>> {
        let base = self.fhir.trim_end_matches("/fhir");
        Ok(reqwest::get(format!("{base}/dev/received"))
            .await?
            .json()
            .await?)
    }

    /// Every resident's name and medicine: what must never be found in the
    /// app's store, its logs or its web view after the run.
    pub async fn health_data(&self) -> Result<Vec<String>> {
        let base = self.fhir.trim_end_matches("/fhir");
        Ok(reqwest::get(format!("{base}/dev/health-data"))
            .await?
            .json()
            .await?)
    }
}
