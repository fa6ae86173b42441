//! The administrators' devices in the real window: bo (København) makes a
//! code in the app, a tablet enrolls with it; bo finds it in "Delte
//! enheder" by the identifier its screen shows, with who enrolled it and
//! when it was last seen, and revokes it with two taps: its next contact
//! is refused. Then this window is enrolled, shows its identifier, bo
//! revokes it from his other device, and at its next contact it forgets
//! itself and shows the ordinary login.

use anyhow::Result;
use omsorg_e2e::identity::Chromium;
use omsorg_e2e::*;
use serde_json::{json, Value};

use crate::order_helpers::*;
use crate::shared_devices::{enroll, make_code, shared_login};
use crate::stack::*;

#[tokio::test]
async fn bo_revokes_a_tablet_and_a_revoked_window_returns_to_the_ordinary_login() -> Result<()> {
    let mut s = stack().await?;
    let app = s.driver.launch_app().await?;
    let chromium = Chromium::start().await?;
    login(&mut s, &chromium, &app, "101", "bo").await?;
    let http = reqwest::Client::new();
    let api = |path: &str| format!("{}{path}", s.backend.url);

    // A tablet in apartment 7 enrolls with a code bo made in the app.
    let code = make_code(&app, "tablet", Some("Lejl. 7")).await?;
    click(&app, "#code-done").await?;
    let enrolled: Value = http
        .post(api("/api/v1/devices/enroll"))
        .json(&json!({ "code": code }))
        .send()
        .await?
        .json()
        .await?;
    let tablet = format!("Device {}", enrolled["credential"].as_str().unwrap());
    let label =
        omsorg_core::enrollment::device_label(enrolled["device"]["device_id"].as_str().unwrap());
    let contact = |auth: String| {
        let http = http.clone();
        let url = api("/api/v1/devices/current");
        async move {
            let res = http.get(url).header("authorization", auth).send().await?;
            let status = res.status().as_u16();
            anyhow::Ok((status, res.json::<Value>().await.unwrap_or(Value::Null)))
        }
    };
    assert_eq!(contact(tablet.clone()).await?.0, 200);

    click(&app, "#devices-button").await?;
    let card = format!("#device-{label}");
    text_when(
        &app,
        &format!("{card} .enrolled-by"),
        "the tablet listed",
        |t| t == "Bo Berg",
    )
    .await?;
    let shown = text_of(&app, &card).await?;
    assert!(
        shown.contains("Lejlighedstablet") && shown.contains("Lejl. 7"),
        "{shown}"
    );
    assert_ne!(text_of(&app, &format!("{card} .last-seen")).await?, "–");
    click(&app, &format!("{card} .revoke")).await?;
    text_when(
        &app,
        &format!("{card} .revoke"),
        "the second tap asked for",
        |t| t.contains("Tryk igen"),
    )
    .await?;
    assert_eq!(
        contact(tablet.clone()).await?.0,
        200,
        "one tap revokes nothing"
    );
    click(&app, &format!("{card} .revoke")).await?;
    text_when(&app, &format!("{card} .revoked"), "revoked", |t| {
        t == "Tilbagekaldt"
    })
    .await?;
    screenshot(&app, "73-devices-revoked.png").await?;
    let (status, refused) = contact(tablet).await?;
    assert_eq!(
        (status, refused["code"].as_str()),
        (401, Some("device.not_enrolled"))
    );
    click(&app, "#devices-back").await?;
    audit_log_shows(&app, "device.revoked", "Bo Berg").await?;

    // A code for this window; bo keeps a session on another device of his
    // (the same KOMBIT session: no password), and leaves this one.
    let code = make_code(&app, "tablet", Some("Lejl. 9")).await?;
    click(&app, "#code-done").await?;
    let bo = format!(
        "Bearer {}",
        chromium
            .api_token(&s.idp.issuer, API_AUDIENCE, "bo")
            .await?
    );
    sign_out(&app).await?;
    enroll(&app, &code).await?;
    let label = text_of(&app, "#device-label").await?;

    // bo finds it by the identifier it shows, and revokes it.
    let list: Value = http
        .get(api("/api/v1/admin/devices"))
        .header("authorization", &bo)
        .send()
        .await?
        .json()
        .await?;
    let listed = list["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["label"] == label.as_str())
        .unwrap_or_else(|| panic!("{label} not in {list}"));
    assert_eq!(listed["apartment"], "Lejl. 9");
    let id = listed["device_id"].as_str().unwrap();
    let res = http
        .delete(api(&format!("/api/v1/admin/devices/{id}")))
        .header("authorization", &bo)
        .send()
        .await?;
    assert_eq!(res.status(), 204);

    // Its next contact (someone logs in): it forgets itself, the ordinary
    // login screen says why, and no device credential is left.
    shared_login(&app, "anna", "4826").await?;
    wait_css(&app, "#login-kombit").await?;
    assert!(page_text(&app).await?.contains("ikke (længere) tilmeldt"));
    assert_eq!(
        s.keyring.secrets_of(KEYSTORE).await?,
        "",
        "credential deleted"
    );
    screenshot(&app, "74-revoked-device-login.png").await?;
    chromium.quit().await?;
    Ok(())
}
