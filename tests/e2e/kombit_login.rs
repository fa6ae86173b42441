//! "Log ind med KOMBIT" as a person does it: the app opens the system browser
//! (real headless Chromium here), the person signs in at the dev IdP, and the
//! app shows who they are. Tokens never reach the web view.

use std::time::Instant;

use anyhow::Result;
use omsorg_e2e::identity::{BrowserInbox, Chromium, Keyring};
use omsorg_e2e::*;
use thirtyfour::prelude::*;

const RELAY: &str = env!("CARGO_BIN_EXE_browser-relay");
const KEYSTORE: &str = "dk.omsorg.app";

struct Stack {
    _x: Xvfb,
    idp: DevIdp,
    _backend: Backend,
    keyring: Keyring,
    inbox: BrowserInbox,
    driver: Driver,
    _dir: tempfile::TempDir,
}

async fn stack() -> Result<Stack> {
    let dir = tempfile::tempdir()?;
    let x = Xvfb::start().await?;
    let idp = DevIdp::start().await?;
    let backend = Backend::start(&idp.issuer, dir.path()).await?;
    let keyring = Keyring::start(dir.path()).await?;
    let inbox = BrowserInbox::new(dir.path());
    let mut env = vec![
        ("OMSORG_API_URL", backend.url.clone()),
        (
            "OMSORG_DATA_DIR",
            dir.path().join("app").display().to_string(),
        ),
    ];
    env.extend(keyring.env());
    env.extend(inbox.env(RELAY));
    let driver = Driver::start(&x.display, &env).await?;
    Ok(Stack {
        _x: x,
        idp,
        _backend: backend,
        keyring,
        inbox,
        driver,
        _dir: dir,
    })
}

/// Login button → municipality → waits for the browser.
async fn begin_login(app: &WebDriver, code: &str) -> Result<()> {
    wait_css(app, "#login-kombit").await?.click().await?;
    wait_css(app, &format!(".municipality[data-code='{code}']"))
        .await?
        .click()
        .await?;
    wait_css(app, "#browser-wait-screen").await?;
    Ok(())
}

/// The refresh token of the session the app stored in the OS keystore.
async fn stored_refresh_token(keyring: &Keyring) -> Result<String> {
    let stored = keyring.secrets_of(KEYSTORE).await?;
    stored
        .lines()
        .find_map(|l| l.strip_prefix("secret = "))
        .and_then(|json| serde_json::from_str::<serde_json::Value>(json).ok())
        .and_then(|v| v["refresh_token"].as_str().map(str::to_string))
        .ok_or_else(|| anyhow::anyhow!("no session with a refresh token in the keystore"))
}

/// Everything the web view holds: DOM and both web storages.
async fn web_view_contents(app: &WebDriver) -> Result<String> {
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

#[tokio::test]
async fn anna_signs_in_through_the_browser_stays_signed_in_and_signs_out() -> Result<()> {
    let mut s = stack().await?;
    let chromium = Chromium::start().await?;
    let app = s.driver.launch_app().await?;

    let started = Instant::now();
    begin_login(&app, "101").await?;
    let url = s.inbox.next().await?;
    assert!(
        url.contains("code_challenge_method=S256"),
        "PKCE S256: {url}"
    );
    assert!(url.contains("state=") && url.contains("nonce="), "{url}");
    assert!(
        url.contains("login_hint=101"),
        "the municipality reaches the broker: {url}"
    );
    chromium.driver.goto(&url).await?;
    assert_eq!(
        wait_css(&chromium.driver, "#municipality")
            .await?
            .text()
            .await?,
        "København Kommune"
    );

    // A wrong password: the IdP says so, and the app keeps waiting.
    chromium.sign_in("anna", "not-her-password").await?;
    let refusal = wait_css(&chromium.driver, "#login-error")
        .await?
        .text()
        .await?;
    assert!(
        refusal.contains("Forkert brugernavn eller adgangskode"),
        "{refusal}"
    );
    assert!(app.find(By::Id("browser-wait-screen")).await.is_ok());

    chromium.sign_in("anna", "anna-pass").await?;
    let name = wait_css(&app, "#person-name").await?.text().await?;
    let wall = started.elapsed();
    record_figure(&format!(
        "login wall time (button to name shown): {} ms",
        wall.as_millis()
    ))?;
    assert_eq!(name, "Anna Andersen");
    assert_eq!(
        wait_css(&app, "#person-unit").await?.text().await?,
        "Hjemmeplejen Nord"
    );
    assert_eq!(
        wait_css(&app, "#person-user-id").await?.text().await?,
        "anna"
    );
    screenshot(&app, "10-signed-in.png").await?;

    // The refresh token is in the OS keystore, and no token is in the web view.
    let refresh_token = stored_refresh_token(&s.keyring).await?;
    let contents = web_view_contents(&app).await?;
    assert!(
        !contents.contains(&refresh_token),
        "refresh token in the web view"
    );
    assert!(
        !contents.contains("eyJ"),
        "a JWT (access or ID token) in the web view"
    );
    app.quit().await?;

    // Restart: signed in again from the keystore, without a browser.
    let opened = s.inbox.count();
    let app = s.driver.launch_app().await?;
    assert_eq!(
        wait_css(&app, "#person-name").await?.text().await?,
        "Anna Andersen"
    );
    assert_eq!(
        s.inbox.count(),
        opened,
        "a restart must not open the browser"
    );
    let current_refresh_token = stored_refresh_token(&s.keyring).await?;

    // Sign out: back to the login screen, keystore empty.
    app.find(By::Id("sign-out")).await?.click().await?;
    wait_css(&app, "#login-screen").await?;
    assert_eq!(s.keyring.secrets_of(KEYSTORE).await?, "", "keystore wiped");
    assert!(!web_view_contents(&app).await?.contains("Anna Andersen"));

    // Sign-out revoked the refresh token at the provider: a stolen copy is worthless.
    let res = reqwest::Client::new()
        .post(format!("{}/token", s.idp.issuer))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", current_refresh_token.as_str()),
            ("client_id", "omsorg-app"),
        ])
        .send()
        .await?;
    assert_eq!(
        res.status(),
        400,
        "the refresh token still works after sign-out"
    );
    app.quit().await?;
    chromium.quit().await?;
    Ok(())
}

#[tokio::test]
async fn dora_removed_centrally_is_refused_and_nothing_is_kept() -> Result<()> {
    let mut s = stack().await?;
    let chromium = Chromium::start().await?;
    let app = s.driver.launch_app().await?;
    begin_login(&app, "101").await?;
    chromium.driver.goto(&s.inbox.next().await?).await?;
    chromium.sign_in("dora", "dora-pass").await?;
    let notice = wait_css(&app, "#login-notice").await?.text().await?;
    assert_eq!(notice, "Din adgang er lukket. Kontakt din leder.");
    screenshot(&app, "11-not-provisioned.png").await?;
    assert_eq!(
        s.keyring.secrets_of(KEYSTORE).await?,
        "",
        "nothing stored for dora"
    );
    app.quit().await?;
    chromium.quit().await?;
    Ok(())
}

#[tokio::test]
async fn cancelling_at_the_provider_or_in_the_app_says_so_and_allows_a_new_try() -> Result<()> {
    let mut s = stack().await?;
    let chromium = Chromium::start().await?;
    let app = s.driver.launch_app().await?;

    begin_login(&app, "751").await?;
    chromium.driver.goto(&s.inbox.next().await?).await?;
    wait_css(&chromium.driver, "#cancel").await?.click().await?;
    let message = wait_css(&app, "#login-error").await?.text().await?;
    assert!(message.contains("annulleret"), "{message}");

    // In the app: "Annuller" while the browser is open.
    app.find(By::Css(".municipality[data-code='751']"))
        .await?
        .click()
        .await?;
    wait_css(&app, "#cancel-login").await?.click().await?;
    let message = wait_css(&app, "#login-error").await?.text().await?;
    assert!(message.contains("annulleret"), "{message}");

    // And a fresh try works: carl signs in at Aarhus.
    app.find(By::Css(".municipality[data-code='751']"))
        .await?
        .click()
        .await?;
    let _ = s.inbox.next().await?; // the abandoned one
    chromium.driver.goto(&s.inbox.next().await?).await?;
    chromium.sign_in("carl", "carl-pass").await?;
    assert_eq!(
        wait_css(&app, "#person-name").await?.text().await?,
        "Carl Christensen"
    );
    assert_eq!(
        wait_css(&app, "#person-unit").await?.text().await?,
        "Plejehjemmet Solhaven"
    );
    app.quit().await?;
    chromium.quit().await?;
    Ok(())
}
