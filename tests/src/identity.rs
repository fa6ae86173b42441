//! The person's side of a KOMBIT login: a D-Bus session with an unlocked
//! keyring for the app's keystore, and real headless Chromium as the system
//! browser, fed through the relay's inbox.

use std::path::{Path, PathBuf};
use std::process::Stdio;

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

/// The private bus's configuration: a session bus that starts nothing on
/// demand. With the system's session configuration, a call to the Secret
/// Service made before our unlocked gnome-keyring owns its bus name lets
/// D-Bus start a second, locked keyring that then takes the name; the app's
/// first keystore write fails against it ("no result found"). Without
/// service directories such a call fails at once instead, and nothing but
/// the keyring started here can ever own the name.
const BUS_CONFIG: &str = r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=@SOCKET@</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#;

const SECRETS: &str = "org.freedesktop.secrets";

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
        let config = dir.join("bus.conf");
        std::fs::write(
            &config,
            BUS_CONFIG.replace("@SOCKET@", &runtime.join("bus").display().to_string()),
        )?;
        let (dbus, bus) = Proc::spawn_ready(
            "dbus-daemon",
            Command::new("dbus-daemon")
                .arg(format!("--config-file={}", config.display()))
                .args(["--nofork", "--print-address=1"])
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
            .stderr(crate::log_file("gnome-keyring")?);
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
        // Ready means what the app will do works: the name is owned, and the
        // default collection takes a secret and gives it back.
        wait_for(
            60,
            "gnome-keyring to own org.freedesktop.secrets",
            || async { me.name_has_owner(SECRETS).await.then_some(()) },
        )
        .await?;
        me.probe_default_collection().await?;
        Ok(me)
    }

    /// Asks the bus itself (never the name, so nothing could be started).
    async fn name_has_owner(&self, name: &str) -> bool {
        let out = Command::new("dbus-send")
            .args([
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
            ])
            .arg(format!("string:{name}"))
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .output()
            .await;
        out.is_ok_and(|o| {
            o.status.success() && String::from_utf8_lossy(&o.stdout).contains("boolean true")
        })
    }

    /// Stores a secret in the default collection, reads it back, removes it.
    async fn probe_default_collection(&self) -> Result<()> {
        let attrs = ["service", "omsorg-e2e-probe", "account", "probe"];
        let mut store = Command::new("secret-tool")
            .args(["store", "--label=omsorg-e2e-probe"])
            .args(attrs)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?;
        let mut stdin = store.stdin.take().context("secret-tool stdin")?;
        stdin.write_all(b"probe-secret").await?;
        drop(stdin);
        let stored = store.wait_with_output().await?;
        anyhow::ensure!(
            stored.status.success(),
            "the keyring's default collection refused a secret: {}",
            String::from_utf8_lossy(&stored.stderr)
        );
        let read = self
            .secret_tool(&[&["lookup"][..], &attrs].concat())
            .await?;
        anyhow::ensure!(
            read.trim_end() == "probe-secret",
            "the keyring gave back {read:?} for the probe secret"
        );
        self.secret_tool(&[&["clear"][..], &attrs].concat()).await?;
        Ok(())
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

    /// An API access token for the person signed in at the dev IdP in this
    /// browser, had the way any other OpenID client of theirs would have
    /// it (an administrator's second device): authorization code with
    /// PKCE through this browser (no password while the IdP's session
    /// lives; otherwise `user` signs in with their dev password), then a
    /// refresh grant for the API's `audience` (RFC 8707).
    /// The redirect goes to a loopback port where a one-page listener
    /// answers; the code is read off the browser's address.
    pub async fn api_token(&self, issuer: &str, audience: &str, user: &str) -> Result<String> {
        use base64::Engine;
        use sha2::Digest;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut raw = [0u8; 32];
        std::io::Read::read_exact(&mut std::fs::File::open("/dev/urandom")?, &mut raw)?;
        let verifier = b64.encode(raw);
        let challenge = b64.encode(sha2::Sha256::digest(verifier.as_bytes()));
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let redirect = format!(
            "http://127.0.0.1:{}/callback",
            listener.local_addr()?.port()
        );
        std::thread::spawn(move || {
            use std::io::{Read, Write};
            if let Ok((mut conn, _)) = listener.accept() {
                let mut buf = [0u8; 4096];
                let _ = conn.read(&mut buf);
                let _ = conn.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                );
            }
        });
        let mut auth = url::Url::parse(&format!("{issuer}/auth"))?;
        auth.query_pairs_mut()
            .append_pair("client_id", "omsorg-app")
            .append_pair("response_type", "code")
            .append_pair("redirect_uri", &redirect)
            .append_pair("scope", "openid profile offline_access omsorg")
            .append_pair("prompt", "consent")
            .append_pair("state", "second-device")
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256")
            .append_pair("resource", audience);
        self.driver.goto(auth.as_str()).await?;
        let at_redirect = || async {
            let at = self.driver.current_url().await.ok()?;
            at.as_str().starts_with(&redirect).then_some(at)
        };
        let landed = match crate::wait_for(30, "the redirect or the login form", || async {
            if let Some(at) = at_redirect().await {
                return Some(Some(at));
            }
            self.driver
                .find(By::Id("username"))
                .await
                .ok()
                .map(|_| None)
        })
        .await?
        {
            Some(at) => at,
            None => {
                self.sign_in(user, &format!("{user}-pass")).await?;
                crate::wait_for(30, "the redirect with a code", at_redirect).await?
            }
        };
        let code = landed
            .query_pairs()
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.to_string())
            .ok_or_else(|| anyhow::anyhow!("no code in {landed}"))?;
        let http = reqwest::Client::new();
        async fn answer(res: reqwest::Response) -> Result<serde_json::Value> {
            let status = res.status();
            let body: serde_json::Value = res.json().await.unwrap_or_default();
            anyhow::ensure!(status.is_success(), "the IdP said {status}: {body}");
            Ok(body)
        }
        let exchanged = answer(
            http.post(format!("{issuer}/token"))
                .form(&[
                    ("grant_type", "authorization_code"),
                    ("code", code.as_str()),
                    ("redirect_uri", redirect.as_str()),
                    ("code_verifier", verifier.as_str()),
                    ("client_id", "omsorg-app"),
                ])
                .send()
                .await?,
        )
        .await?;
        let refresh = exchanged["refresh_token"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("no refresh token: {exchanged}"))?;
        let api = answer(
            http.post(format!("{issuer}/token"))
                .form(&[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", refresh),
                    ("client_id", "omsorg-app"),
                    ("resource", audience),
                ])
                .send()
                .await?,
        )
        .await?;
        api["access_token"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| anyhow::anyhow!("no access token: {api}"))
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
