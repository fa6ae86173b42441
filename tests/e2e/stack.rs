//! The stack every login test needs: Xvfb, the dev IdP, the backend, a
//! private unlocked keyring, the browser relay, and WebKitWebDriver.

use anyhow::Result;
use omsorg_e2e::identity::{BrowserInbox, Keyring};
use omsorg_e2e::*;
use thirtyfour::prelude::*;

pub const RELAY: &str = env!("CARGO_BIN_EXE_browser-relay");
pub const KEYSTORE: &str = "dk.omsorg.app";
/// The backend's resource indicator at the dev IdP.
pub const API_AUDIENCE: &str = "urn:omsorg:api";

pub struct Stack {
    pub x: Xvfb,
    pub idp: DevIdp,
    pub backend: Backend,
    pub care: CareRecord,
    pub keyring: Keyring,
    pub inbox: BrowserInbox,
    pub driver: Driver,
    /// The app's environment, for a driver with other settings.
    app_env: Vec<(&'static str, String)>,
    _dir: tempfile::TempDir,
}

impl Stack {
    /// The app's data directory (its SQLite store and files).
    pub fn app_data(&self) -> std::path::PathBuf {
        self._dir.path().join("app")
    }

    /// The app started again (after `quit` or a kill) by a new driver, with
    /// `overrides` in its environment; same data, keystore and backend.
    pub async fn relaunch_with(&mut self, overrides: &[(&'static str, &str)]) -> Result<WebDriver> {
        let mut env = self.app_env.clone();
        env.retain(|(k, _)| !overrides.iter().any(|(o, _)| o == k));
        env.extend(overrides.iter().map(|(k, v)| (*k, v.to_string())));
        self.driver.wait_until_app_left_bus().await?;
        self.driver = Driver::start(&self.x.display, &env).await?;
        self.driver.launch_app().await
    }
}

pub async fn stack() -> Result<Stack> {
    stack_with(&[], &[]).await
}

/// `app_env` for the app (e.g. a short `OMSORG_LOCK_AFTER`), `idp_env` for the dev IdP.
pub async fn stack_with(
    app_env: &[(&'static str, &str)],
    idp_env: &[(&str, &str)],
) -> Result<Stack> {
    stack_custom(app_env, idp_env, &[], |url| url.to_string()).await
}

/// As `stack_with`, with `backend_env` for the backend (e.g. its SMTP
/// server) and `api_url` choosing the app's way to the backend from the
/// backend's URL (e.g. through a proxy that loses answers). Variables
/// starting `OMSORG_CARE_` go to the dev care record instead.
pub async fn stack_custom(
    app_env: &[(&'static str, &str)],
    idp_env: &[(&str, &str)],
    backend_env: &[(&str, &str)],
    api_url: impl FnOnce(&str) -> String,
) -> Result<Stack> {
    let dir = tempfile::tempdir()?;
    let x = Xvfb::start().await?;
    let idp = DevIdp::start_with(idp_env).await?;
    let care_env: Vec<(&str, &str)> = backend_env
        .iter()
        .filter(|(k, _)| k.starts_with("OMSORG_CARE_"))
        .copied()
        .collect();
    let care = CareRecord::start(&idp.issuer, &care_env).await?;
    let mut backend_env = backend_env.to_vec();
    backend_env.retain(|(k, _)| !k.starts_with("OMSORG_CARE_"));
    backend_env.push(("OMSORG_DEV_CARE_RECORD_URL", &care.fhir));
    let backend = Backend::start_with(&idp.issuer, dir.path(), &backend_env).await?;
    let keyring = Keyring::start(dir.path()).await?;
    let inbox = BrowserInbox::new(dir.path());
    let mut env = vec![
        ("OMSORG_API_URL", api_url(&backend.url)),
        (
            "OMSORG_DATA_DIR",
            dir.path().join("app").display().to_string(),
        ),
    ];
    env.extend(keyring.env());
    env.extend(inbox.env(RELAY));
    // An English, American device: the app must still speak Danish dates
    // and times, in Danish time (the device's zone and locale count for
    // nothing).
    for (k, v) in [
        ("LANG", "en_US.UTF-8"),
        ("LC_ALL", "en_US.UTF-8"),
        ("TZ", "America/New_York"),
    ] {
        env.push((k, v.to_string()));
    }
    env.extend(app_env.iter().map(|(k, v)| (*k, v.to_string())));
    let driver = Driver::start(&x.display, &env).await?;
    Ok(Stack {
        x,
        idp,
        backend,
        care,
        keyring,
        inbox,
        driver,
        app_env: env,
        _dir: dir,
    })
}

/// Login button → municipality → waits for the browser.
pub async fn begin_login(app: &WebDriver, code: &str) -> Result<()> {
    wait_css(app, "#login-kombit").await?.click().await?;
    wait_css(app, &format!(".municipality[data-code='{code}']"))
        .await?
        .click()
        .await?;
    wait_css(app, "#browser-wait-screen").await?;
    Ok(())
}

/// The refresh token of the session the app stored in the OS keystore.
pub async fn stored_refresh_token(keyring: &Keyring) -> Result<String> {
    let stored = keyring.secrets_of(KEYSTORE).await?;
    // Entries: the session (JSON) and the offline PIN verifier's device secret.
    stored
        .lines()
        .filter_map(|l| l.strip_prefix("secret = "))
        .filter_map(|json| serde_json::from_str::<serde_json::Value>(json).ok())
        .find_map(|v| v["refresh_token"].as_str().map(str::to_string))
        .ok_or_else(|| anyhow::anyhow!("no session with a refresh token in the keystore"))
}

/// What the shell answers the web view for `cmd` (with `args`), whatever the
/// UI shows: `{"ok": …}` or `{"err": {code, message}}`.
pub async fn invoke(
    app: &WebDriver,
    cmd: &str,
    args: serde_json::Value,
) -> Result<serde_json::Value> {
    let ret = app
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.__TAURI__.core.invoke(arguments[0], arguments[1])
               .then((v) => done({ ok: v }), (e) => done({ err: e }));",
            vec![serde_json::json!(cmd), args],
        )
        .await?;
    Ok(ret.json().clone())
}

/// The DOM as it is now.
pub async fn page_text(app: &WebDriver) -> Result<String> {
    let ret = app
        .execute("return document.documentElement.outerHTML", vec![])
        .await?;
    Ok(ret.json().as_str().unwrap_or_default().to_string())
}

/// Everything the web view holds: DOM and both web storages.
pub async fn web_view_contents(app: &WebDriver) -> Result<String> {
    let ret = app
        .execute(
            "return document.documentElement.outerHTML
                + JSON.stringify(Object.assign({}, localStorage))
                + JSON.stringify(Object.assign({}, sessionStorage));",
            vec![],
        )
        .await?;
    Ok(ret.json().as_str().unwrap_or_default().to_string())
}

/// Types a new PIN twice on the PIN setup screen and saves.
pub async fn choose_pin(app: &WebDriver, pin: &str, repeat: &str) -> Result<()> {
    wait_css(app, "#pin-new").await?.send_keys(pin).await?;
    app.find(By::Id("pin-repeat"))
        .await?
        .send_keys(repeat)
        .await?;
    app.find(By::Id("pin-save")).await?.click().await?;
    Ok(())
}

/// Types the PIN on the lock screen's keypad (as a gloved finger would) and unlocks.
pub async fn unlock_with_keypad(app: &WebDriver, pin: &str) -> Result<()> {
    wait_css(app, "#lock-screen").await?;
    for digit in pin.chars() {
        app.find(By::Css(format!(".key[data-digit='{digit}']")))
            .await?
            .click()
            .await?;
    }
    app.find(By::Id("unlock-submit")).await?.click().await?;
    Ok(())
}
