//! The real app window over WebDriver: WebKitWebDriver driven directly,
//! sessions whose every wait is explicit, and screenshots.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use thirtyfour::prelude::*;
use thirtyfour::Capabilities;
use tokio::process::Command;

use crate::{artifacts_dir, free_port, log_file, required_path, Proc};

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
        self.launch(&required_path("OMSORG_E2E_APP")).await
    }

    /// Launches the app binary at `binary` (absolute), opens a session on
    /// its window and waits until the app's own code has drawn its first
    /// screen ([`BY_APP`]): what the suites then find is the app's, not the
    /// early login screen that is about to be replaced.
    pub async fn launch(&self, binary: &std::path::Path) -> Result<WebDriver> {
        let app = self.launch_early(binary).await?;
        wait_css(&app, BY_APP).await?;
        Ok(app)
    }

    /// As [`Driver::launch`], without waiting for the app's code: on a
    /// first start the window may still show the early login screen.
    pub async fn launch_early(&self, binary: &std::path::Path) -> Result<WebDriver> {
        self.wait_until_app_left_bus().await?;
        let mut caps = Capabilities::new();
        caps.set("browserName", "wry")?;
        caps.set(
            "webkitgtk:browserOptions",
            serde_json::json!({ "binary": binary, "args": [] }),
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

/// What the app's own code draws: all of it inside its `<main>`. On a
/// first start the login screen is drawn before that code has loaded
/// (`src-ui/prescreen.js`, as `main[data-early]`) and replaced when it runs:
/// an element found there may be gone by the time it is clicked.
pub const BY_APP: &str = "main:not([data-early])";

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
