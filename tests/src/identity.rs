//! The person's side of a KOMBIT login: a D-Bus session with an unlocked
//! keyring for the app's keystore, and real headless Chromium as the system
//! browser, fed through the relay's inbox.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, Result};
use thirtyfour::prelude::*;
use thirtyfour::Capabilities;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use crate::{free_port, wait_for, Proc};

/// A private D-Bus session bus with gnome-keyring's Secret Service, unlocked.
pub struct Keyring {
    pub bus: String,
    home: PathBuf,
    _keyring: Proc,
    _dbus: Proc,
}

impl Keyring {
    pub async fn start(dir: &Path) -> Result<Keyring> {
        let home = dir.join("home");
        let runtime = dir.join("run");
        std::fs::create_dir_all(&home)?;
        std::fs::create_dir_all(&runtime)?;
        std::fs::set_permissions(
            &runtime,
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )?;
        let (dbus, bus) = Proc::spawn_ready(
            "dbus-daemon",
            Command::new("dbus-daemon")
                .args(["--session", "--nofork", "--print-address=1"])
                .stderr(Stdio::null()),
            "",
        )
        .await?;
        let mut keyring = Command::new("gnome-keyring-daemon");
        keyring
            .args(["--unlock", "--components=secrets", "--foreground"])
            .env("HOME", &home)
            .env("XDG_RUNTIME_DIR", &runtime)
            .env("DBUS_SESSION_BUS_ADDRESS", &bus)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut keyring = Proc::spawn("gnome-keyring-daemon", &mut keyring)?;
        let mut stdin = keyring.child.stdin.take().context("keyring stdin")?;
        stdin.write_all(b"e2e-keyring-password").await?;
        drop(stdin);
        let me = Keyring {
            bus,
            home,
            _keyring: keyring,
            _dbus: dbus,
        };
        wait_for(30, "the Secret Service on the bus", || async {
            me.secret_tool(&["search", "--all", "service", "omsorg-e2e-probe"])
                .await
                .ok()
                .map(|_| ())
        })
        .await?;
        Ok(me)
    }

    /// The environment an app process needs to reach this keyring.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("DBUS_SESSION_BUS_ADDRESS", self.bus.clone()),
            ("HOME", self.home.display().to_string()),
        ]
    }

    async fn secret_tool(&self, args: &[&str]) -> Result<String> {
        let out = Command::new("secret-tool")
            .args(args)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .output()
            .await?;
        anyhow::ensure!(
            out.status.success() || out.stdout.is_empty(),
            "secret-tool failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(String::from_utf8_lossy(&out.stdout).to_string())
    }

    /// Every secret stored under a keystore service name (empty when none).
    pub async fn secrets_of(&self, service: &str) -> Result<String> {
        self.secret_tool(&["search", "--all", "--unlock", "service", service])
            .await
    }
}

/// Real headless Chromium through chromedriver.
pub struct Chromium {
    pub driver: WebDriver,
    _chromedriver: Proc,
    _profile: tempfile::TempDir,
}

impl Chromium {
    pub async fn start() -> Result<Chromium> {
        let port = free_port();
        let chromedriver = Proc::spawn(
            "chromedriver",
            Command::new("chromedriver")
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        )?;
        wait_for(45, "chromedriver", || async {
            std::net::TcpStream::connect(("127.0.0.1", port))
                .ok()
                .map(|_| ())
        })
        .await?;
        let profile = tempfile::tempdir()?;
        let mut caps = Capabilities::new();
        caps.set("browserName", "chrome")?;
        caps.set(
            "goog:chromeOptions",
            serde_json::json!({
                "binary": "/usr/bin/chromium",
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--disable-background-networking", "--disable-component-update",
                         "--disable-sync", "--no-first-run", "--disable-quic",
                         format!("--user-data-dir={}", profile.path().display())],
            }),
        )?;
        let driver = crate::session(&format!("http://127.0.0.1:{port}"), caps).await?;
        Ok(Chromium {
            driver,
            _chromedriver: chromedriver,
            _profile: profile,
        })
    }

    /// Fills the dev IdP's login form and submits it.
    pub async fn sign_in(&self, user: &str, password: &str) -> Result<()> {
        let d = &self.driver;
        let username = crate::wait_css(d, "#username").await?;
        username.clear().await?;
        username.send_keys(user).await?;
        d.find(By::Id("password"))
            .await?
            .send_keys(password)
            .await?;
        d.find(By::Id("submit")).await?.click().await?;
        Ok(())
    }

    pub async fn quit(self) -> Result<()> {
        self.driver.quit().await?;
        Ok(())
    }
}

/// The relay's inbox: the URLs the app asked the "system browser" to open.
pub struct BrowserInbox {
    pub path: PathBuf,
    seen: usize,
}

impl BrowserInbox {
    pub fn new(dir: &Path) -> BrowserInbox {
        BrowserInbox {
            path: dir.join("browser-inbox"),
            seen: 0,
        }
    }

    /// The environment that makes the app use the relay (the `browser-relay`
    /// binary; tests get its path from `CARGO_BIN_EXE_browser-relay`) as its browser.
    pub fn env(&self, relay: &str) -> Vec<(&'static str, String)> {
        vec![
            ("OMSORG_BROWSER", relay.to_string()),
            ("OMSORG_E2E_BROWSER_INBOX", self.path.display().to_string()),
        ]
    }

    fn urls(&self) -> Vec<String> {
        std::fs::read_to_string(&self.path)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// The next URL the app opened.
    pub async fn next(&mut self) -> Result<String> {
        let url = wait_for(45, "the app to open the system browser", || async {
            self.urls().get(self.seen).cloned()
        })
        .await?;
        self.seen += 1;
        Ok(url)
    }

    /// How many URLs were opened so far.
    pub fn count(&self) -> usize {
        self.urls().len()
    }
}

/// A short pause for effects the UI shows asynchronously.
pub async fn settle() {
    tokio::time::sleep(Duration::from_millis(300)).await;
}
