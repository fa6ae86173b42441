//! "Log ind med KOMBIT" as a person does it: the app opens the system browser
//! (real headless Chromium here), the person signs in at the dev IdP, and the
//! app shows who they are. Tokens never reach the web view.

use std::time::Instant;

use anyhow::Result;
use omsorg_e2e::identity::Chromium;
use omsorg_e2e::*;

use crate::stack::*;
use thirtyfour::prelude::*;

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
        url.contains("prompt=consent") && !url.contains("prompt=login") && !url.contains("max_age"),
        "single sign-on: no forced login unless a rule needs one: {url}"
    );
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
    // anna has no PIN yet: the first thing she sees is the PIN setup, with her user ID.
    let user_id = wait_css(&app, "#setup-user-id").await?.text().await?;
    let wall = started.elapsed();
    record_figure(&format!(
        "login wall time (button to PIN setup shown): {} ms",
        wall.as_millis()
    ))?;
    assert_eq!(user_id, "anna");
    choose_pin(&app, "4826", "4826").await?;
    let name = wait_css(&app, "#person-name").await?.text().await?;
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

    // Restart: signed in again from the keystore, without a browser, behind
    // the lock (a restarted device is not proof of who holds it).
    let opened = s.inbox.count();
    let app = s.driver.launch_app().await?;
    unlock_with_keypad(&app, "4826").await?;
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

    // Logging in again while the KOMBIT session lives: it passes through,
    // no password asked (single sign-on).
    begin_login(&app, "101").await?;
    let again = s.inbox.next().await?;
    assert!(!again.contains("max_age"), "{again}");
    chromium.driver.goto(&again).await?;
    assert_eq!(
        wait_css(&app, "#person-name").await?.text().await?,
        "Anna Andersen"
    );
    assert!(
        chromium.driver.find(By::Id("password")).await.is_err(),
        "a password was asked within the KOMBIT session"
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

    // In the app: "Annuller" while the browser is open (once it is: a
    // cancel that comes before would leave no URL, and the next try's
    // would be taken for this one's).
    app.find(By::Css(".municipality[data-code='751']"))
        .await?
        .click()
        .await?;
    let _abandoned = s.inbox.next().await?;
    wait_css(&app, "#cancel-login").await?.click().await?;
    let message = wait_css(&app, "#login-error").await?.text().await?;
    assert!(message.contains("annulleret"), "{message}");

    // And a fresh try works: carl signs in at Aarhus.
    app.find(By::Css(".municipality[data-code='751']"))
        .await?
        .click()
        .await?;
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

/// gustav: nobody made him in the backend; his first KOMBIT token does
/// (name, unit, roles). His login is at NSIS level "Lav": the app is his,
/// but a CPR lookup is refused with a message that says why.
#[tokio::test]
async fn a_person_learnt_from_the_token_alone_at_level_lav_may_not_look_up_cpr() -> Result<()> {
    let mut s = stack().await?;
    let chromium = Chromium::start().await?;
    let app = s.driver.launch_app().await?;
    begin_login(&app, "101").await?;
    chromium.driver.goto(&s.inbox.next().await?).await?;
    chromium.sign_in("gustav", "gustav-pass").await?;
    assert_eq!(
        wait_css(&app, "#setup-user-id").await?.text().await?,
        "gustav"
    );
    choose_pin(&app, "4826", "4826").await?;
    assert_eq!(
        wait_css(&app, "#person-name").await?.text().await?,
        "Gustav Grøn"
    );
    assert_eq!(
        wait_css(&app, "#person-unit").await?.text().await?,
        "Hjemmeplejen Nord"
    );
    wait_css(&app, "#order-substitute").await?.click().await?;
    wait_css(&app, "#id-pas").await?.click().await?;
    crate::order_helpers::click_enabled(&app, "#order-next").await?;
    wait_css(&app, "#cpr")
        .await?
        .send_keys("0101901234")
        .await?;
    // The tenth digit looks it up; the backend refuses at level Lav.
    let refusal = wait_css(&app, "#order-problem").await?.text().await?;
    assert!(refusal.contains("sikringsniveau Betydelig"), "{refusal}");
    assert!(
        app.find(By::Id("cpr-change")).await.is_err(),
        "no name was looked up"
    );
    screenshot(&app, "15-level-lav-refused-cpr.png").await?;
    app.quit().await?;
    chromium.quit().await?;
    Ok(())
}

/// frida's privileges cover two units: she chooses the one she works for,
/// the app shows it (ordering is then that unit's), and the choice is
/// remembered on this device across a restart.
#[tokio::test]
async fn a_person_with_two_units_chooses_one_and_the_device_remembers_it() -> Result<()> {
    let mut s = stack().await?;
    let chromium = Chromium::start().await?;
    let app = s.driver.launch_app().await?;
    begin_login(&app, "101").await?;
    chromium.driver.goto(&s.inbox.next().await?).await?;
    chromium.sign_in("frida", "frida-pass").await?;
    choose_pin(&app, "4826", "4826").await?;
    assert_eq!(
        wait_css(&app, "#person-unit").await?.text().await?,
        "Hjemmeplejen Nord"
    );
    wait_css(&app, "#acting-unit option[value='kbh-hjemmepleje-syd']")
        .await?
        .click()
        .await?;
    wait_for(45, "Syd as the unit", || async {
        let unit = app
            .find(By::Id("person-unit"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        (unit == "Hjemmeplejen Syd").then_some(())
    })
    .await?;
    assert!(
        app.find(By::Id("order-substitute")).await.is_ok(),
        "Syd orders"
    );
    app.quit().await?;

    let app = s.driver.launch_app().await?;
    unlock_with_keypad(&app, "4826").await?;
    assert_eq!(
        wait_css(&app, "#person-unit").await?.text().await?,
        "Hjemmeplejen Syd"
    );

    // She orders, and the order is Syd's.
    use crate::order_helpers::{click, click_enabled, sign, text_of};
    click(&app, "#order-substitute").await?;
    click(&app, "#id-pas").await?;
    click_enabled(&app, "#order-next").await?;
    wait_css(&app, "#cpr")
        .await?
        .send_keys("0101901234")
        .await?;
    click(&app, "#confirm-name").await?;
    wait_css(&app, "#access-ends").await?;
    click_enabled(&app, "#order-next").await?;
    let user_id = text_of(&app, "#reserved-user-id").await?;
    click_enabled(&app, "#order-next").await?;
    wait_css(&app, "#declaration-text").await?;
    sign(&app).await?;
    click_enabled(&app, "#order-next").await?;
    click(&app, "#order-send").await?;
    assert_eq!(text_of(&app, "#receipt-user-id").await?, user_id);
    click(&app, "#receipt-done").await?;
    click(&app, "#my-orders-button").await?;
    let unit = text_of(&app, &format!("#order-{user_id} .order-unit")).await?;
    assert_eq!(unit, "Hjemmeplejen Syd");
    app.quit().await?;
    chromium.quit().await?;
    Ok(())
}

/// The orderer role taken away in the municipality's role catalogue: at
/// anna's next token (access tokens live 8 s here) "Bestil vikaradgang" is
/// gone; given back, it returns. Nothing is changed in the backend by hand.
#[tokio::test]
async fn a_role_removed_centrally_is_gone_at_the_next_token() -> Result<()> {
    let mut s = stack_with(&[], &[("OMSORG_IDP_ACCESS_TOKEN_SECONDS", "8")]).await?;
    let chromium = Chromium::start().await?;
    let app = s.driver.launch_app().await?;
    begin_login(&app, "101").await?;
    chromium.driver.goto(&s.inbox.next().await?).await?;
    chromium.sign_in("anna", "anna-pass").await?;
    choose_pin(&app, "4826", "4826").await?;
    wait_css(&app, "#order-substitute").await?;

    let catalogue = |roles: &[&str]| {
        let url = format!("{}/dev/people/anna/privileges", s.idp.issuer);
        let body = serde_json::json!([{"roles": roles, "units": ["kbh-hjemmepleje-nord"]}]);
        async move {
            let res = reqwest::Client::new().put(url).json(&body).send().await?;
            anyhow::ensure!(res.status() == 204, "the dev IdP said {}", res.status());
            Ok::<_, anyhow::Error>(())
        }
    };
    // Opening Home again asks the backend, with a token once the old one
    // has expired.
    let home_again = || async {
        crate::order_helpers::click(&app, "#change-pin").await?;
        crate::order_helpers::click(&app, "#pin-cancel").await?;
        wait_css(&app, "#home-screen").await?;
        Ok::<_, anyhow::Error>(())
    };
    catalogue(&["medarbejder"]).await?;
    wait_for(60, "Bestil vikaradgang gone", || async {
        home_again().await.ok()?;
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        app.find(By::Id("order-substitute"))
            .await
            .is_err()
            .then_some(())
    })
    .await?;
    assert!(app.find(By::Id("my-orders-button")).await.is_err());

    catalogue(&["medarbejder", "bestiller"]).await?;
    wait_for(60, "Bestil vikaradgang back", || async {
        home_again().await.ok()?;
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        app.find(By::Id("order-substitute")).await.ok().map(|_| ())
    })
    .await?;
    app.quit().await?;
    chromium.quit().await?;
    Ok(())
}
