//! A returning substitute in the real window: Sofie has a live access
//! (ordered from anna's other device), so anna's wizard says until when
//! and will not order a second; once it has ended, the wizard says Sofie
//! was here before and reserves her old user ID again.

use anyhow::Result;
use omsorg_e2e::identity::Chromium;
use omsorg_e2e::*;
use thirtyfour::prelude::*;

use crate::administration::anna_orders;
use crate::order_helpers::*;
use crate::stack::*;

async fn look_up_sofie(app: &WebDriver) -> Result<()> {
    click(app, "#order-substitute").await?;
    click(app, "#id-pas").await?;
    click_enabled(app, "#order-next").await?;
    wait_css(app, "#cpr").await?.send_keys("0101901234").await?;
    wait_css(app, "#register-name").await?;
    Ok(())
}

#[tokio::test]
async fn a_returning_substitute_gets_her_old_user_id_and_never_a_second_live_access() -> Result<()>
{
    let mut s = stack().await?;
    let other_device = Chromium::start().await?;
    let (old_id, _) = anna_orders(&s, &other_device).await?;
    other_device.quit().await?;
    let chromium = Chromium::start().await?;
    let app = s.driver.launch_app().await?;
    login(&mut s, &chromium, &app, "101", "anna").await?;
    choose_pin(&app, "4826", "4826").await?;
    wait_css(&app, "#home-screen").await?;

    // Live: the wizard says until when, and goes no further.
    look_up_sofie(&app).await?;
    let stop = text_of(&app, "#already-active").await?;
    assert!(
        stop.contains("allerede adgang til") && stop.contains("Mine bestillinger"),
        "{stop}"
    );
    assert!(!app.find(By::Id("confirm-name")).await?.is_enabled().await?);
    screenshot(&app, "77-order-already-active.png").await?;
    click(&app, "#order-close").await?;

    // anna ends it (from "Mine bestillinger"): her user ID is archived.
    click(&app, "#my-orders-button").await?;
    let card = format!("#order-{old_id}");
    click(&app, &format!("{card} .order-end")).await?;
    click(&app, &format!("{card} .order-end")).await?;
    text_when(&app, &format!("{card} .order-status"), "ended", |t| {
        t == "Afsluttet"
    })
    .await?;
    click(&app, "#orders-back").await?;

    // Back in the wizard: Sofie was here before, and gets the same ID.
    click(&app, "#order-substitute").await?;
    wait_css(&app, "#cpr-change").await?.click().await?;
    wait_css(&app, "#cpr")
        .await?
        .send_keys("0101901234")
        .await?;
    let note = text_of(&app, "#returning").await?;
    assert!(note.contains(&old_id) && note.contains("ledigt"), "{note}");
    click(&app, "#confirm-name").await?;
    wait_css(&app, "#access-ends").await?;
    click_enabled(&app, "#order-next").await?;
    assert_eq!(text_of(&app, "#reserved-user-id").await?, old_id);
    assert!(text_of(&app, "#same-user-id")
        .await?
        .contains("Samme brugernavn"));
    screenshot(&app, "78-order-same-user-id.png").await?;
    chromium.quit().await?;
    Ok(())
}

/// An archived user ID past its quarantine is offered again: Sofie's
/// access ends, her ID waits (archived); when the quarantine has passed
/// (the clock moved on in the backend's database) the expiry job frees
/// it, and the next substitute, Mikkel, is offered it in the wizard.
#[tokio::test]
async fn an_archived_user_id_past_its_quarantine_is_offered_again() -> Result<()> {
    let mut s = stack_custom(&[], &[], &[("OMSORG_JOB_EVERY_SECS", "1")], |u| {
        u.to_string()
    })
    .await?;
    let other_device = Chromium::start().await?;
    let (old_id, _) = anna_orders(&s, &other_device).await?;
    other_device.quit().await?;
    let chromium = Chromium::start().await?;
    let app = s.driver.launch_app().await?;
    login(&mut s, &chromium, &app, "101", "anna").await?;
    choose_pin(&app, "4826", "4826").await?;
    click(&app, "#my-orders-button").await?;
    let card = format!("#order-{old_id}");
    click(&app, &format!("{card} .order-end")).await?;
    click(&app, &format!("{card} .order-end")).await?;
    text_when(&app, &format!("{card} .order-status"), "ended", |t| {
        t == "Afsluttet"
    })
    .await?;
    click(&app, "#orders-back").await?;

    // In quarantine: Mikkel is offered another ID.
    let reserve_for_mikkel = |app: WebDriver| async move {
        click(&app, "#order-substitute").await?;
        click(&app, "#id-pas").await?;
        click_enabled(&app, "#order-next").await?;
        wait_css(&app, "#cpr")
            .await?
            .send_keys("1506054321")
            .await?;
        click(&app, "#confirm-name").await?;
        wait_css(&app, "#access-ends").await?;
        click_enabled(&app, "#order-next").await?;
        let offered = text_of(&app, "#reserved-user-id").await?;
        click(&app, "#order-discard").await?;
        wait_css(&app, "#home-screen").await?;
        anyhow::Ok(offered)
    };
    assert_ne!(
        reserve_for_mikkel(app.clone()).await?,
        old_id,
        "in quarantine"
    );
    // A discarded draft's reservation lapses on its own; released here so
    // the lowest free ID is the question.
    let db = s.backend.db.display().to_string();
    let sql = |q: &str| -> Result<String> {
        let out = std::process::Command::new("sqlite3")
            .args([&db, q])
            .output()?;
        anyhow::ensure!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(String::from_utf8(out.stdout)?.trim().to_string())
    };
    sql("UPDATE substitute_ids SET state = 'free', reserved_by = NULL, reserved_until = NULL WHERE state = 'reserved'")?;
    // 31 days on, for this ID: the job frees it.
    sql(&format!(
        "UPDATE substitute_ids SET archived_at = archived_at - 31 * 86400 WHERE user_id = '{old_id}'"
    ))?;
    wait_for(30, "the quarantined ID freed by the job", || async {
        (sql(&format!("SELECT state FROM substitute_ids WHERE user_id = '{old_id}' AND municipality_code = '101'")).ok()?
            == "free")
            .then_some(())
    })
    .await?;
    assert_eq!(
        reserve_for_mikkel(app.clone()).await?,
        old_id,
        "offered again"
    );
    chromium.quit().await?;
    Ok(())
}
