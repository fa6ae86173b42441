//! The PIN and the inactivity lock (SPEC C2) as anna meets them: forced PIN
//! setup, the lock after a short `OMSORG_LOCK_AFTER`, commands refused while
//! locked, the same screen after unlock, five wrong PINs signing her out, a
//! fresh KOMBIT login choosing a new PIN, and unlock with the backend down.

use anyhow::Result;
use omsorg_e2e::identity::Chromium;
use omsorg_e2e::*;
use thirtyfour::prelude::*;

use crate::stack::*;

/// Short enough for a test, long enough for WebDriver to finish a form.
// Each step between two taps must finish within it (a loaded 2-core
// machine has needed several seconds for one), and each wanted lock costs it.
const LOCK_AFTER: &str = "10";

async fn login(s: &mut Stack, chromium: &Chromium, app: &WebDriver) -> Result<()> {
    begin_login(app, "101").await?;
    chromium.driver.goto(&s.inbox.next().await?).await?;
    chromium.sign_in("anna", "anna-pass").await?;
    Ok(())
}

/// Waits until the PIN setup's message satisfies `ok`.
async fn pin_error_when(app: &WebDriver, what: &str, ok: impl Fn(&str) -> bool) -> Result<()> {
    wait_for(45, what, || async {
        let text = app
            .find(By::Id("pin-error"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        ok(&text).then_some(())
    })
    .await
}

/// Waits until the lock screen shows `left` attempts (the count shown
/// before the last try's answer is the old one).
async fn attempts_left_is(app: &WebDriver, left: &str) -> Result<()> {
    wait_for(45, "the attempts left", || async {
        let el = app.find(By::Id("attempts-left")).await.ok()?;
        (el.text().await.ok()? == left).then_some(())
    })
    .await
}

async fn lock_error(app: &WebDriver) -> Result<String> {
    Ok(wait_css(app, "#lock-error").await?.text().await?)
}

#[tokio::test]
async fn anna_chooses_a_pin_is_locked_when_idle_and_five_wrong_sign_her_out() -> Result<()> {
    // Access tokens that expire mid-test: unlock must refresh on its own.
    let mut s = stack_with(
        &[("OMSORG_LOCK_AFTER", LOCK_AFTER)],
        &[("OMSORG_IDP_ACCESS_TOKEN_SECONDS", "8")],
    )
    .await?;
    let chromium = Chromium::start().await?;
    let app = s.driver.launch_app().await?;
    login(&mut s, &chromium, &app).await?;

    // Forced setup: the user ID large; a trivial PIN and a mismatch refused.
    assert_eq!(
        wait_css(&app, "#setup-user-id").await?.text().await?,
        "anna"
    );
    assert!(
        app.find(By::Id("home-screen")).await.is_err(),
        "nothing else before a PIN"
    );
    // A digit too many is refused with the policy, never cut off to eight.
    choose_pin(&app, "482612345", "482612345").await?;
    pin_error_when(&app, "the policy for nine digits", |t| {
        t.contains("4–8 cifre")
    })
    .await?;
    choose_pin(&app, "2580", "2581").await?;
    pin_error_when(&app, "the mismatch message", |t| t.contains("ikke ens")).await?;
    choose_pin(&app, "1234", "1234").await?;
    pin_error_when(&app, "the policy for 1234", |t| t.contains("nem at gætte")).await?;
    screenshot(&app, "20-pin-setup.png").await?;
    choose_pin(&app, "4826", "4826").await?;
    wait_css(&app, "#person-name").await?;

    // She opens "Skift PIN-kode" and walks away.
    wait_css(&app, "#change-pin").await?.click().await?;
    wait_css(&app, "#pin-current").await?;
    wait_css(&app, "#lock-screen").await?;
    screenshot(&app, "21-locked.png").await?;
    let html = page_text(&app).await?;
    assert!(
        !html.contains("Anna") && !html.contains("pin-setup-screen"),
        "something personal under the lock"
    );

    // The shell refuses whatever the web view asks while locked.
    for cmd in ["current_person", "list_municipalities"] {
        let answer = invoke(&app, cmd, serde_json::json!({})).await?;
        assert_eq!(answer["err"]["code"], "session.locked", "{cmd}: {answer}");
    }

    // One wrong, then the right PIN on the keypad: back on the same screen.
    unlock_with_keypad(&app, "1111").await?;
    assert!(lock_error(&app).await?.contains("Forsøg tilbage"));
    attempts_left_is(&app, "4").await?;
    unlock_with_keypad(&app, "4826").await?;
    wait_css(&app, "#pin-current").await?;
    assert!(app.find(By::Id("lock-screen")).await.is_err());

    // Changing the PIN needs the current one.
    app.find(By::Id("pin-current"))
        .await?
        .send_keys("4826")
        .await?;
    choose_pin(&app, "9157", "9157").await?;
    wait_css(&app, "#pin-changed").await?;

    // Idle again; five wrong PINs sign her out completely.
    wait_css(&app, "#lock-screen").await?;
    for left in ["4", "3", "2"] {
        unlock_with_keypad(&app, "4826").await?;
        attempts_left_is(&app, left).await?;
    }
    unlock_with_keypad(&app, "4826").await?;
    wait_for(45, "the last-attempt warning", || async {
        let text = app
            .find(By::Id("lock-error"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        text.contains("Sidste forsøg").then_some(())
    })
    .await?;
    unlock_with_keypad(&app, "4826").await?;
    let notice = wait_css(&app, "#login-notice").await?.text().await?;
    assert!(notice.contains("spærret"), "{notice}");
    screenshot(&app, "22-signed-out-after-five.png").await?;
    assert_eq!(s.keyring.secrets_of(KEYSTORE).await?, "", "keystore wiped");
    assert!(!page_text(&app).await?.contains("Anna"));

    // KOMBIT again: the blocked PIN must be replaced, which a fresh login
    // may do. Though her KOMBIT session in this browser lives on, the
    // password is asked (max_age=0): whoever holds the device must know it.
    begin_login(&app, "101").await?;
    let url = s.inbox.next().await?;
    assert!(url.contains("max_age=0"), "{url}");
    chromium.driver.goto(&url).await?;
    chromium.sign_in("anna", "anna-pass").await?;
    wait_css(&app, "#setup-user-id").await?;
    assert!(page_text(&app).await?.contains("blev spærret"));
    choose_pin(&app, "3704", "3704").await?;
    wait_css(&app, "#person-name").await?;
    app.quit().await?;
    chromium.quit().await?;
    Ok(())
}

#[tokio::test]
async fn with_the_backend_down_the_pin_unlocks_offline_and_attempts_survive_a_restart() -> Result<()>
{
    let mut s = stack_with(&[("OMSORG_LOCK_AFTER", LOCK_AFTER)], &[]).await?;
    let chromium = Chromium::start().await?;
    let app = s.driver.launch_app().await?;
    login(&mut s, &chromium, &app).await?;
    choose_pin(&app, "4826", "4826").await?;
    wait_css(&app, "#person-name").await?;

    s.backend.stop();
    wait_css(&app, "#lock-screen").await?;
    unlock_with_keypad(&app, "1111").await?;
    attempts_left_is(&app, "4").await?;
    app.quit().await?;

    // A restart, still offline: locked, and the count goes on from 4.
    let app = s.driver.launch_app().await?;
    unlock_with_keypad(&app, "2222").await?;
    attempts_left_is(&app, "3").await?;
    unlock_with_keypad(&app, "4826").await?;
    assert_eq!(
        wait_css(&app, "#person-name").await?.text().await?,
        "Anna Andersen"
    );
    screenshot(&app, "23-unlocked-offline.png").await?;

    // Back online, the backend checks again (and the count was reset by the right PIN).
    s.backend.restart().await?;
    wait_css(&app, "#lock-screen").await?;
    unlock_with_keypad(&app, "4826").await?;
    wait_css(&app, "#person-name").await?;
    app.quit().await?;
    chromium.quit().await?;
    Ok(())
}
