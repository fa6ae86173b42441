//! The end-to-end harness: real processes on free loopback ports, stopped
//! politely on drop. `cargo xtask test` builds the release app and the backend
//! and passes their paths in `OMSORG_E2E_APP` / `OMSORG_E2E_SERVER`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use thirtyfour::prelude::*;
use thirtyfour::Capabilities;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub mod identity;
pub mod smtp;
pub mod x11;

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
                        "1280x800x24",
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

/// WebKitWebDriver for one app configuration; it launches the app (with
/// this environment) when a session opens.
///
/// Driven directly, not through tauri-driver: tauri-driver 2.1.0 forwards
/// each request over a pooled connection to WebKitWebDriver with retries of
/// cancelled requests turned off, so a request sent on a connection that
/// WebKitWebDriver had just closed failed with `client error (SendRequest)`
/// now and then, and the test with it. All tauri-driver adds on Linux is
/// the rename of `tauri:options` to `webkitgtk:browserOptions` and the
/// environment that lets the app's web view be automated, both done here.
pub struct Driver {
    url: String,
    /// The app's session bus, when the stack has one.
    bus: Option<String>,
    _proc: Proc,
}

impl Driver {
    pub async fn start(display: &str, env: &[(&'static str, String)]) -> Result<Driver> {
        let port = free_port();
        let mut cmd = Command::new("WebKitWebDriver");
        cmd.args([format!("--port={port}"), "--host=127.0.0.1".to_string()])
            // The app's web view accepts automation only with this set.
            .env("TAURI_WEBVIEW_AUTOMATION", "true")
            .env("DISPLAY", display)
            .stdout(Stdio::null())
            // The app's own log (it inherits this): no token or CPR number is
            // ever logged, and a failed run can be read.
            .stderr(log_file("app")?);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let proc = Proc::spawn("WebKitWebDriver", &mut cmd)?;
        let url = format!("http://127.0.0.1:{port}");
        let status = format!("{url}/status");
        wait_for(60, "WebKitWebDriver to answer /status", || async {
            let answer = reqwest::get(&status).await.ok()?;
            answer.status().is_success().then_some(())
        })
        .await?;
        let bus = env
            .iter()
            .find(|(k, _)| *k == "DBUS_SESSION_BUS_ADDRESS")
            .map(|(_, v)| v.clone());
        Ok(Driver {
            url,
            bus,
            _proc: proc,
        })
    }

    /// Whether an app instance still holds its single-instance name on the
    /// app's session bus (`dk.omsorg.app.SingleInstance…`). Without a bus
    /// (no keyring in this stack) the plugin is off and nothing can clash.
    async fn app_on_bus(&self) -> bool {
        let Some(bus) = &self.bus else {
            return false;
        };
        let out = Command::new("dbus-send")
            .args([
                &format!("--bus={bus}"),
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.ListNames",
            ])
            .output()
            .await;
        out.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(".SingleInstance"))
    }

    /// Waits until no earlier run of the app holds its name on the bus. A
    /// quit session returns before the process is gone; a launch meanwhile
    /// met the old instance on the bus as it disconnected, and the new
    /// process panicked at start (the single-instance plugin's `NoReply`),
    /// seen as 'error sending request' for the new session under load.
    pub async fn wait_until_app_left_bus(&self) -> Result<()> {
        wait_for(60, "the app's previous run to leave the bus", || async {
            (!self.app_on_bus().await).then_some(())
        })
        .await
    }

    /// Launches the real release app and opens a WebDriver session on its
    /// window, once any earlier run of it by this driver has exited.
    pub async fn launch_app(&self) -> Result<WebDriver> {
        self.wait_until_app_left_bus().await?;
        let mut caps = Capabilities::new();
        caps.set("browserName", "wry")?;
        caps.set(
            "webkitgtk:browserOptions",
            serde_json::json!({ "binary": required_path("OMSORG_E2E_APP"), "args": [] }),
        )?;
        session(&self.url, caps).await
    }
}

/// A WebDriver session whose `find` answers at once: every wait in the suites
/// is an explicit `wait_for`, so asserting that something is absent costs nothing.
///
/// Each command goes on a new connection: a pooled one may be closed by
/// the driver just as a command is written to it, and a command that may
/// have reached the driver (a click) cannot be sent again safely.
pub async fn session(url: &str, caps: Capabilities) -> Result<WebDriver> {
    let client = reqwest013::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(120))
        .build()?;
    Ok(WebDriver::builder(url, caps)
        .keep_alive(false)
        .client(Wire(client))
        .poller(std::sync::Arc::new(
            thirtyfour::extensions::query::ElementPollerNoWait,
        ))
        .await?)
}

/// Polls until `probe` returns `Some`, or fails with `what` after `secs`.
pub async fn wait_for<T, F, Fut>(secs: u64, what: &str, mut probe: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = probe().await {
            return Ok(v);
        }
        if Instant::now() > deadline {
            bail!("timed out after {secs} s waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits for an element to be present and displayed.
/// Up to 45 s: a ceiling for a loaded 2-core CI machine (a KOMBIT login is
/// several round trips through browser, provider, app and backend), not a
/// speed target; the figures file holds the measured times.
/// On a timeout the window is saved as `timeout-<selector>.png`, with its
/// page text, so a failed run shows what was on the screen instead.
pub async fn wait_css(driver: &WebDriver, css: &str) -> Result<WebElement> {
    let found = wait_for(45, css, || async {
        let el = driver.find(By::Css(css)).await.ok()?;
        el.is_displayed().await.ok()?.then_some(el)
    })
    .await;
    if found.is_err() {
        let name: String = css
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let _ = screenshot(driver, &format!("timeout-{name}.png")).await;
        if let Ok(text) = driver
            .execute("return document.body.innerText", vec![])
            .await
        {
            let _ = std::fs::write(
                artifacts_dir().join(format!("timeout-{name}.txt")),
                text.json().as_str().unwrap_or_default(),
            );
        }
    }
    found
}

/// Saves a screenshot under the artifacts dir, once the current state has
/// been painted (WebKit can otherwise capture the previous frame).
pub async fn screenshot(driver: &WebDriver, name: &str) -> Result<PathBuf> {
    next_frame(driver).await?;
    let path = artifacts_dir().join(name);
    driver.screenshot(&path).await?;
    Ok(path)
}

/// Resolves after the web view has painted two more frames (or after a
/// second, for a window that paints nothing, e.g. hidden).
pub async fn next_frame(driver: &WebDriver) -> Result<()> {
    driver
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const timer = setTimeout(done, 1000);
             requestAnimationFrame(() => requestAnimationFrame(() => {
               clearTimeout(timer); done();
             }));",
            vec![],
        )
        .await?;
    Ok(())
}

/// The WebDriver client: thirtyfour's reqwest client, except that a
/// request that fails on the wire says why in full (a timeout, a reset, a
/// refused connection), where thirtyfour keeps only the outermost message.
#[derive(Clone)]
struct Wire(reqwest013::Client);

/// An error with its chain of causes, for a failed test's output.
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(&format!(": {c}"));
        cause = c.source();
    }
    text
}

#[async_trait::async_trait]
impl thirtyfour::session::http::HttpClient for Wire {
    async fn send(
        &self,
        request: http::Request<thirtyfour::session::http::Body<'_>>,
    ) -> WebDriverResult<http::Response<bytes::Bytes>> {
        let (parts, body) = request.into_parts();
        let what = format!("{} {}", parts.method, parts.uri);
        let mut req = self.0.request(parts.method, parts.uri.to_string());
        for (key, value) in parts.headers.iter() {
            req = req.header(key, value);
        }
        req = match body {
            thirtyfour::session::http::Body::Empty => req.body(reqwest013::Body::default()),
            thirtyfour::session::http::Body::Json(json) => req
                .header("content-type", "application/json")
                .body(serde_json::to_vec(json).unwrap_or_default()),
        };
        let failed = |e: reqwest013::Error| {
            let text = format!("{what}: {}", with_causes(&e));
            eprintln!("WebDriver request failed: {text}");
            WebDriverError::HttpError(text)
        };
        let resp = req.send().await.map_err(failed)?;
        let mut builder = http::Response::builder().status(resp.status());
        for (key, value) in resp.headers() {
            builder = builder.header(key, value);
        }
        let body = resp.bytes().await.map_err(failed)?;
        builder
            .body(body)
            .map_err(|e| WebDriverError::HttpError(format!("{what}: {e}")))
    }

    async fn new(&self) -> std::sync::Arc<dyn thirtyfour::session::http::HttpClient> {
        std::sync::Arc::new(self.clone())
    }
}
