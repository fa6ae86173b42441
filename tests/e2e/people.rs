//! The administrators' people list in the real window: eva, Aarhus's
//! administrator, finds carl, sees that he has a PIN, and resets it with
//! two taps; the list then says he has none.

use anyhow::Result;
use omsorg_e2e::identity::Chromium;
use omsorg_e2e::*;

use crate::order_helpers::*;
use crate::stack::*;

#[tokio::test]
async fn eva_finds_carl_and_resets_his_pin_with_two_taps() -> Result<()> {
    let mut s = stack().await?;
    let app = s.driver.launch_app().await?;
    let chromium = Chromium::start().await?;
    // carl logs in once, so the backend knows him (and his dev PIN).
    login(&mut s, &chromium, &app, "751", "carl").await?;
    wait_css(&app, "#person-name").await?;
    sign_out(&app).await?;
    chromium.quit().await?;

    let chromium = Chromium::start().await?;
    login(&mut s, &chromium, &app, "751", "eva").await?;
    click(&app, "#people-button").await?;
    wait_css(&app, "#people-query")
        .await?
        .send_keys("carl")
        .await?;
    click(&app, "#people-go").await?;
    let card = "#person-carl";
    text_when(
        &app,
        &format!("{card} .pin-state"),
        "carl's PIN chosen",
        |t| t == "Valgt",
    )
    .await?;
    assert!(text_of(&app, card).await?.contains("Plejehjemmet Solhaven"));
    click(&app, &format!("{card} .reset-pin")).await?;
    text_when(
        &app,
        &format!("{card} .reset-pin"),
        "the second tap asked for",
        |t| t.contains("Tryk igen"),
    )
    .await?;
    click(&app, &format!("{card} .reset-pin")).await?;
    text_when(
        &app,
        &format!("{card} .pin-state"),
        "carl's PIN gone",
        |t| t == "Ingen",
    )
    .await?;
    screenshot(&app, "72-people-pin-reset.png").await?;
    click(&app, "#people-back").await?;
    audit_log_shows(&app, "pin.reset", "Eva").await?;
    sign_out(&app).await?;
    chromium.quit().await?;
    Ok(())
}
