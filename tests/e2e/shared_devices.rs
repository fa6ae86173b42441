//! Shared devices (SPEC C3) in the real window: eva (Aarhus's administrator)
//! makes a one-time code in the app, the app is enrolled with it, carl logs
//! in with user ID + PIN, is signed out when idle and with one tap, leaving
//! nothing of himself in the web view; five wrong PINs block his user ID. A
//! wall screen is a kiosk: fullscreen, undecorated, not closable, and only an
//! administrator's PIN opens it.

use anyhow::Result;
use omsorg_e2e::identity::Chromium;
use omsorg_e2e::x11::Display;
use omsorg_e2e::*;
use serde_json::json;
use thirtyfour::prelude::*;

use crate::stack::*;

/// Short enough for a test, long enough for WebDriver to finish a form.
const SIGN_OUT_AFTER: &str = "8";

/// carl's first KOMBIT login (the backend learns people from their tokens;
/// a shared device admits only someone it has learnt), on this still
/// personal device, then signed out.
async fn carl_logs_in_with_kombit_once(s: &mut Stack, app: &WebDriver) -> Result<()> {
    let chromium = Chromium::start().await?;
    begin_login(app, "751").await?;
    chromium.driver.goto(&s.inbox.next().await?).await?;
    chromium.sign_in("carl", "carl-pass").await?;
    wait_css(app, "#sign-out").await?.click().await?;
    wait_css(app, "#login-screen").await?;
    chromium.quit().await?;
    Ok(())
}

/// eva logs in with KOMBIT on this (still personal) device, makes a code for
/// `kind` ("tablet" or "wall") in her unit, and signs out. Answers the code.
/// (carl has logged in with KOMBIT once before.)
async fn code_from_eva(s: &mut Stack, app: &WebDriver, kind: &str) -> Result<String> {
    carl_logs_in_with_kombit_once(s, app).await?;
    let chromium = Chromium::start().await?;
    begin_login(app, "751").await?;
    chromium.driver.goto(&s.inbox.next().await?).await?;
    chromium.sign_in("eva", "eva-pass").await?;
    let code = make_code(app, kind, (kind == "tablet").then_some("12B")).await?;
    app.find(By::Id("code-done")).await?.click().await?;
    wait_css(app, "#sign-out").await?.click().await?;
    wait_css(app, "#login-screen").await?;
    chromium.quit().await?;
    Ok(code)
}

/// On the home screen of a signed-in administrator: "Tilmeld en enhed" for
/// `kind` ("tablet" or "wall") in their first unit, in `apartment` for a
/// tablet (refused first without it). Answers the code, still shown.
pub async fn make_code(app: &WebDriver, kind: &str, apartment: Option<&str>) -> Result<String> {
    wait_css(app, "#new-enrollment-code").await?.click().await?;
    wait_css(app, "#code-unit option").await?;
    wait_css(app, &format!("#code-mode-{kind}"))
        .await?
        .click()
        .await?;
    if let Some(apartment) = apartment {
        // Without the apartment, a clear refusal and nothing sent.
        app.find(By::Id("code-create")).await?.click().await?;
        let refusal = wait_css(app, "#code-error").await?.text().await?;
        assert!(refusal.contains("lejlighed"), "{refusal}");
        app.find(By::Id("code-apartment"))
            .await?
            .send_keys(apartment)
            .await?;
    }
    app.find(By::Id("code-create")).await?.click().await?;
    let code = wait_css(app, "#enrollment-code").await?.text().await?;
    assert_eq!(code.len(), 9, "XXXX-XXXX: {code}");
    Ok(code)
}

pub async fn enroll(app: &WebDriver, code: &str) -> Result<()> {
    wait_css(app, "#enroll-device").await?.click().await?;
    // Typed as people type it: lower case.
    wait_css(app, "#enroll-code")
        .await?
        .send_keys(code.to_lowercase())
        .await?;
    app.find(By::Id("enroll-submit")).await?.click().await?;
    wait_css(app, "#shared-login-screen").await?;
    Ok(())
}

/// User ID on the keyboard, PIN on the keypad (as a gloved finger would).
pub async fn shared_login(app: &WebDriver, user_id: &str, pin: &str) -> Result<()> {
    let field = wait_css(app, "#shared-user-id").await?;
    field.clear().await?;
    field.send_keys(user_id).await?;
    for digit in pin.chars() {
        app.find(By::Css(format!(".key[data-digit='{digit}']")))
            .await?
            .click()
            .await?;
    }
    app.find(By::Id("shared-login-submit"))
        .await?
        .click()
        .await?;
    Ok(())
}

async fn shared_error(app: &WebDriver) -> Result<String> {
    Ok(wait_css(app, "#shared-error").await?.text().await?)
}

/// Waits until the shared login's message says what `ok` wants (the one
/// shown before the last try's answer may still be there).
async fn shared_error_when(
    app: &WebDriver,
    what: &str,
    ok: impl Fn(&str) -> bool,
) -> Result<String> {
    wait_for(45, what, || async {
        let t = app
            .find(By::Id("shared-error"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        ok(&t).then_some(t)
    })
    .await
}

/// Nothing of carl anywhere in the web view (DOM and web storage).
async fn assert_no_trace_of_carl(app: &WebDriver) -> Result<()> {
    let all = web_view_contents(app).await?.to_lowercase();
    assert!(
        !all.contains("carl") && !all.contains("home-screen"),
        "something of carl is left: {all}"
    );
    Ok(())
}

#[tokio::test]
async fn carl_logs_in_on_an_apartment_tablet_and_leaves_no_trace() -> Result<()> {
    let mut s = stack_with(&[("OMSORG_SHARED_SIGN_OUT_AFTER", SIGN_OUT_AFTER)], &[]).await?;
    let app = s.driver.launch_app().await?;
    let code = code_from_eva(&mut s, &app, "tablet").await?;

    // A wrong code: a clear message, the typed code kept for mending.
    wait_css(&app, "#enroll-device").await?.click().await?;
    wait_css(&app, "#enroll-code")
        .await?
        .send_keys("AAAA-AAAA")
        .await?;
    app.find(By::Id("enroll-submit")).await?.click().await?;
    assert!(wait_css(&app, "#enroll-error")
        .await?
        .text()
        .await?
        .contains("Koden virker ikke"));
    app.find(By::Id("enroll-cancel")).await?.click().await?;
    enroll(&app, &code).await?;

    // The idle screen: the place and the time, no KOMBIT, nothing personal.
    assert_eq!(
        wait_css(&app, "#device-unit").await?.text().await?,
        "Plejehjemmet Solhaven"
    );
    assert_eq!(
        app.find(By::Id("device-apartment")).await?.text().await?,
        "12B"
    );
    // Danish time on a device set to New York.
    let clock = app.find(By::Id("clock")).await?.text().await?;
    let now = chrono::Utc::now();
    let danish = |t| omsorg_core::danish_time::clock(t);
    assert!(
        clock == danish(now) || clock == danish(now - chrono::Duration::minutes(1)),
        "{clock} is not Danish time ({})",
        danish(now)
    );
    assert!(app.find(By::Id("login-kombit")).await.is_err());
    let refused = invoke(&app, "start_login", json!({"code": "751"})).await?;
    assert_eq!(refused["err"]["code"], "auth.forbidden", "{refused}");
    // The keystore holds the device credential, and eva's session is gone.
    let secrets = s.keyring.secrets_of(KEYSTORE).await?;
    assert!(secrets.contains("device-credential"), "{secrets}");
    assert!(stored_refresh_token(&s.keyring).await.is_err());

    // carl logs in and sees his name; no PIN change on a shared device.
    shared_login(&app, "carl", "1397").await?;
    assert_eq!(
        wait_css(&app, "#person-name").await?.text().await?,
        "Carl Christensen"
    );
    assert!(app.find(By::Id("auto-sign-out-note")).await.is_ok());
    assert!(app.find(By::Id("change-pin")).await.is_err());

    // Left alone past the timeout: signed out, not locked, and no trace.
    wait_for(45, "the idle sign-out", || async {
        app.find(By::Id("shared-login-screen")).await.ok()
    })
    .await?;
    assert!(app.find(By::Id("lock-screen")).await.is_err());
    assert_no_trace_of_carl(&app).await?;
    let who = invoke(&app, "current_person", json!({})).await?;
    assert_eq!(who["err"]["code"], "session.none", "{who}");

    // Again, and "Log ud" with one tap.
    shared_login(&app, "carl", "1397").await?;
    wait_css(&app, "#person-name").await?;
    app.find(By::Id("sign-out")).await?.click().await?;
    wait_css(&app, "#shared-login-screen").await?;
    assert_no_trace_of_carl(&app).await?;

    // An unknown user ID reads exactly like a wrong PIN.
    shared_login(&app, "nobody", "1397").await?;
    let unknown = shared_error(&app).await?;
    shared_login(&app, "carl", "0000").await?;
    let wrong = shared_error(&app).await?;
    assert_eq!(unknown, wrong);
    assert!(wrong.contains("forkert"), "{wrong}");
    // Four more wrong: blocked, with a clear Danish message, even for the right PIN.
    for _ in 0..4 {
        shared_login(&app, "carl", "0000").await?;
        shared_error(&app).await?;
    }
    shared_login(&app, "carl", "1397").await?;
    let blocked = shared_error_when(&app, "the block", |t| t.contains("spærret")).await?;
    assert!(blocked.contains("spærret"), "{blocked}");
    assert!(blocked.contains("administrator"), "{blocked}");
    assert!(app.find(By::Id("person-name")).await.is_err());

    // eva resets carl's PIN (from her own device), carl chooses a new one
    // at his next KOMBIT login (on his phone), and the tablet admits him.
    let api = |path: &str| format!("{}{path}", s.backend.url);
    let http = reqwest::Client::new();
    let evas = Chromium::start().await?;
    let eva = format!(
        "Bearer {}",
        evas.api_token(&s.idp.issuer, API_AUDIENCE, "eva").await?
    );
    evas.quit().await?;
    let res = http
        .delete(api("/api/v1/admin/people/carl/pin"))
        .header("authorization", &eva)
        .send()
        .await?;
    assert_eq!(res.status(), 204);
    let carls = Chromium::start().await?;
    let carl = format!(
        "Bearer {}",
        carls.api_token(&s.idp.issuer, API_AUDIENCE, "carl").await?
    );
    carls.quit().await?;
    let res = http
        .put(api("/api/v1/me/pin"))
        .header("authorization", &carl)
        .json(&json!({ "pin": "2468" }))
        .send()
        .await?;
    assert_eq!(res.status(), 204, "{}", res.text().await?);
    shared_login(&app, "carl", "2468").await?;
    assert_eq!(
        wait_css(&app, "#person-name").await?.text().await?,
        "Carl Christensen",
        "unblocked with his new PIN"
    );
    app.find(By::Id("sign-out")).await?.click().await?;
    wait_css(&app, "#shared-login-screen").await?;

    app.quit().await?;
    Ok(())
}

#[tokio::test]
async fn a_wall_screen_is_a_kiosk_that_only_an_administrator_opens() -> Result<()> {
    let mut s = stack().await?;
    // A kiosk device has a window manager; it carries out fullscreen.
    let _wm = WindowManager::start(&s.x.display).await?;
    let app = s.driver.launch_app().await?;
    let code = code_from_eva(&mut s, &app, "wall").await?;
    enroll(&app, &code).await?;
    app.quit().await?;

    // A kiosk-mode start: fullscreen and undecorated from the first frame.
    let app = s.driver.launch_app().await?;
    wait_css(&app, "#shared-login-screen.wall").await?;
    assert!(app.find(By::Id("device-apartment")).await.is_err());
    let x = Display::open(&s.x.display)?;
    let window = x.find("Omsorg")?;
    let full = wait_for(45, "a fullscreen window", || async {
        let g = x.geometry(window).ok()?;
        (g == x.screen()).then_some(g)
    })
    .await?;
    assert!(!x.decorated(window)?, "kiosk windows have no decorations");

    // Neither Alt+F4 nor a close request (the title bar's ×) closes it.
    // Each close request reaches the app, which refuses it and says so in
    // its log; the window is checked once that has happened.
    let refusals = log_count("app", "close refused: kiosk mode");
    x.alt_f4(window)?;
    wait_for(45, "the app to refuse Alt+F4", || async {
        (log_count("app", "close refused: kiosk mode") > refusals).then_some(())
    })
    .await?;
    assert_eq!(
        x.geometry(window).ok(),
        Some(full),
        "Alt+F4 closed the kiosk"
    );
    let refusals = log_count("app", "close refused: kiosk mode");
    x.request_close(window)?;
    wait_for(45, "the app to refuse a close request", || async {
        (log_count("app", "close refused: kiosk mode") > refusals).then_some(())
    })
    .await?;
    assert_eq!(
        x.geometry(window).ok(),
        Some(full),
        "a close request closed the kiosk"
    );
    wait_css(&app, "#shared-login-screen").await?;

    // Staff cannot open it; a wrong PIN cannot either.
    app.find(By::Id("device-admin")).await?.click().await?;
    shared_login(&app, "carl", "1397").await?;
    let refused = shared_error(&app).await?;
    assert!(refused.contains("ikke adgang"), "{refused}");
    shared_login(&app, "eva", "0000").await?;
    shared_error_when(&app, "a wrong PIN's message", |t| t.contains("forkert")).await?;

    // eva's user ID + PIN: the administration, and the kiosk suspended.
    shared_login(&app, "eva", "2468").await?;
    wait_css(&app, "#device-admin-screen").await?;
    wait_for(45, "a decorated, smaller window", || async {
        let g = x.geometry(window).ok()?;
        (g != full && x.decorated(window).ok()?).then_some(())
    })
    .await?;
    let who = invoke(&app, "current_person", json!({})).await?;
    assert_eq!(who["err"]["code"], "session.none", "nobody stays signed in");

    // Back to the kiosk.
    app.find(By::Id("kiosk-resume")).await?.click().await?;
    wait_css(&app, "#shared-login-screen").await?;
    wait_for(45, "the kiosk again", || async {
        let g = x.geometry(window).ok()?;
        (g == full && !x.decorated(window).ok()?).then_some(())
    })
    .await?;

    app.quit().await?;
    Ok(())
}
