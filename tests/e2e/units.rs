//! Administration of units in the real window: bo, an administrator of
//! København, shortens Hjemmeplejen Nord's longest access to 10 days with a
//! default of 2, and anna's wizard then offers at most 10 days, 2 chosen;
//! bo switches ordering off, and anna is no longer offered the wizard.

use anyhow::Result;
use omsorg_e2e::identity::Chromium;
use omsorg_e2e::*;
use thirtyfour::prelude::*;

use crate::order_helpers::*;
use crate::stack::*;

const NORD: &str = "kbh-hjemmepleje-nord";

#[tokio::test]
async fn bo_shortens_a_units_period_and_annas_wizard_offers_no_more() -> Result<()> {
    let mut s = stack().await?;
    let app = s.driver.launch_app().await?;
    let chromium = Chromium::start().await?;
    login(&mut s, &chromium, &app, "101", "bo").await?;
    click(&app, "#units-button").await?;
    let card = format!("#unit-{NORD}");
    wait_css(&app, &card).await?;
    assert!(text_of(&app, &format!("{card} h2")).await?.contains("Nord"));
    select(&app, &format!("#unit-max-{NORD}"), "10").await?;
    select(&app, &format!("#unit-default-{NORD}"), "2").await?;
    // The default offers no more than the longest.
    let last = wait_css(&app, &format!("#unit-default-{NORD} option:last-child")).await?;
    assert_eq!(last.value().await?.as_deref(), Some("10"));
    click(&app, &format!("#unit-save-{NORD}")).await?;
    wait_css(&app, &format!("#unit-saved-{NORD}")).await?;
    screenshot(&app, "70-units-saved.png").await?;
    click(&app, "#units-back").await?;
    audit_log_shows(&app, "unit.settings_changed", "Bo Berg").await?;
    sign_out(&app).await?;

    chromium.quit().await?;
    let chromium = Chromium::start().await?;
    login(&mut s, &chromium, &app, "101", "anna").await?;
    choose_pin(&app, "4826", "4826").await?;
    wait_css(&app, "#home-screen").await?;
    click(&app, "#order-substitute").await?;
    click(&app, "#id-pas").await?;
    click_enabled(&app, "#order-next").await?;
    wait_css(&app, "#cpr")
        .await?
        .send_keys("0101901234")
        .await?;
    click(&app, "#confirm-name").await?;
    wait_css(&app, "#access-ends").await?;
    let (day_2, day_10) = (
        day_from_today(&app, 2).await?,
        day_from_today(&app, 10).await?,
    );
    let last = wait_css(&app, "#end-day option:last-child").await?;
    assert_eq!(last.value().await?.as_deref(), Some(day_10.as_str()));
    let chosen = wait_css(&app, "#end-day option:checked").await?;
    assert_eq!(chosen.value().await?.as_deref(), Some(day_2.as_str()));
    let lead = text_of(&app, "#period-lead").await?;
    assert!(
        lead.contains("varer 2 dage") && lead.contains("højst 10 dage"),
        "{lead}"
    );
    screenshot(&app, "71-order-period-unit-max.png").await?;
    click(&app, "#order-close").await?;
    wait_css(&app, "#home-screen").await?;
    sign_out(&app).await?;

    // bo switches ordering off for the unit: anna is offered no wizard.
    chromium.quit().await?;
    let chromium = Chromium::start().await?;
    login(&mut s, &chromium, &app, "101", "bo").await?;
    click(&app, "#units-button").await?;
    click(&app, &format!("#unit-may-order-{NORD}")).await?;
    click(&app, &format!("#unit-save-{NORD}")).await?;
    wait_css(&app, &format!("#unit-saved-{NORD}")).await?;
    click(&app, "#units-back").await?;
    sign_out(&app).await?;
    chromium.quit().await?;
    let chromium = Chromium::start().await?;
    login(&mut s, &chromium, &app, "101", "anna").await?;
    wait_css(&app, "#person-name").await?;
    assert!(app.find(By::Id("order-substitute")).await.is_err());
    chromium.quit().await?;
    Ok(())
}
