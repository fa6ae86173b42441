//! Substitute access (SPEC C4) in the real window: anna orders access for a
//! test CPR number, the draft surviving the lock and a killed app, the
//! signature drawn with WebDriver pointer actions, the first answer to the
//! order lost on the way back (the shell retries with the same key, and one
//! access exists); the SMTP server receives the mails for Anna and Mette;
//! anna extends the access and ends it early in "Mine bestillinger"; bo
//! finds the declaration and its PDF/A and adds user IDs to the inventory;
//! carl is not offered the wizard; and an end 31 days out is refused by the
//! UI and by the backend.

use std::sync::Arc;

use anyhow::Result;
use omsorg_e2e::identity::Chromium;
use omsorg_e2e::smtp::smtp_server;
use omsorg_e2e::*;
use serde_json::json;
use thirtyfour::prelude::*;

use crate::order_helpers::*;
use crate::stack::*;

const PIN: &str = "4826";

#[tokio::test]
async fn anna_orders_substitute_access_bo_finds_the_declaration_carl_cannot_order() -> Result<()> {
    let (smtp, mails) = smtp_server();
    let seen = Arc::new(Seen::default());
    let proxy_seen = seen.clone();
    // The app's way to the backend goes through the proxy, which needs the
    // backend's URL, known only inside the stack.
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let proxy_port = free_port();
    let proxy_url = format!("http://127.0.0.1:{proxy_port}");
    let mut s = stack_custom(
        // Long enough that no step before the lock wanted below takes it on
        // a loaded machine; after the crash the app runs with a lock that
        // cannot come while the test waits for mail or a login.
        &[("OMSORG_LOCK_AFTER", "20"), ("OMSORG_PDF_VIEWER", "true")],
        &[],
        &[("OMSORG_SMTP_URL", smtp.as_str())],
        |backend| {
            tx.send(backend.to_string()).unwrap();
            proxy_url.clone()
        },
    )
    .await?;
    // The app starts only at `launch_app`: the proxy is up before it.
    losing_proxy(proxy_port, rx.recv()?, proxy_seen).await?;
    let chromium = Chromium::start().await?;
    let app = s.driver.launch_app().await?;
    login(&mut s, &chromium, &app, "101", "anna").await?;
    choose_pin(&app, PIN, PIN).await?;
    wait_css(&app, "#home-screen").await?;

    // From "Bestil vikaradgang" to the receipt, every tap counted.
    let mut taps = 0;
    click(&app, "#order-substitute").await?;
    taps += 1;
    assert!(text_of(&app, "#order-progress")
        .await?
        .contains("Trin 1 af 6"));
    click(&app, "#id-pas").await?;
    click_enabled(&app, "#order-next").await?;
    taps += 2;
    // The tenth digit looks the number up: no tap.
    wait_css(&app, "#cpr")
        .await?
        .send_keys("0101901234")
        .await?;
    assert_eq!(text_of(&app, "#register-name").await?, "Sofie Vikar Jensen");
    // Once the register has answered, the field shows the number masked.
    wait_css(&app, "#cpr-change").await?;
    let field = app.find(By::Id("cpr")).await?.prop("value").await?;
    assert_eq!(field.as_deref(), Some("010190-XXXX"));
    // Confirming the name moves on.
    click(&app, "#confirm-name").await?;
    taps += 1;

    // The picker offers tomorrow to day 30 and no further, in Danish (on an
    // English device); 3 days is the default.
    wait_css(&app, "#access-ends").await?;
    let day_30 = day_from_today(&app, 30).await?;
    let day_31 = day_from_today(&app, 31).await?;
    let last = wait_css(&app, "#end-day option:last-child").await?;
    assert_eq!(last.value().await?.as_deref(), Some(day_30.as_str()));
    let (y, m, d) = (&day_30[..4], &day_30[5..7], &day_30[8..]);
    let label = last.text().await?;
    assert!(label.ends_with(&format!("{d}.{m}.{y}")), "{label}");
    assert!(app
        .find(By::Css(format!("#end-day option[value='{day_31}']")))
        .await
        .is_err());
    let chosen = text_of(&app, "#end-day option:checked").await?;
    let day_3 = day_from_today(&app, 3).await?;
    assert!(
        chosen.ends_with(&format!("{}.{}.{}", &day_3[8..], &day_3[5..7], &day_3[..4])),
        "{chosen}"
    );
    screenshot(&app, "60-order-period-picker.png").await?;
    pick_day(&app, "#end-day", &day_from_today(&app, 3).await?).await?;
    wait_css(&app, "#access-ends").await?;
    // Optional, so not counted: a night shift's end, and the agency.
    select(&app, "#end-time", "07:00").await?;
    text_when(&app, "#access-ends", "the end at 07:00", |t| {
        t.ends_with("kl. 07.00")
    })
    .await?;
    wait_css(&app, "#agency")
        .await?
        .send_keys("Vikarhuset A/S")
        .await?;
    click_enabled(&app, "#order-next").await?;
    taps += 1;

    // The step reserves a user ID as it opens.
    let user_id = text_of(&app, "#reserved-user-id").await?;
    assert!(user_id.starts_with("vik"), "{user_id}");
    click_enabled(&app, "#order-next").await?;
    taps += 1;

    // The substitute signs; "Næste" waits for a real signature.
    wait_css(&app, "#declaration-text").await?;
    assert!(
        !app.find(By::Id("order-next")).await?.is_enabled().await?,
        "empty pad"
    );
    sign(&app).await?;
    let drawn = ink(&app).await?;
    assert!(drawn > 500, "ink after signing: {drawn}");
    click(&app, "#signature-undo").await?;
    let undone = ink(&app).await?;
    assert!(
        undone < drawn && undone > 0,
        "undo removes one stroke: {drawn} → {undone}"
    );
    sign(&app).await?;
    screenshot(&app, "61-order-signed.png").await?;
    record_pad_timings(&app).await?;
    let before = ink(&app).await?;
    bench_pad(&app).await?;
    assert!(ink(&app).await? > before, "the synthetic moves were drawn");
    click(&app, "#signature-undo").await?;

    // Left alone: the lock. Nothing of the order shows under it, and it is
    // all there after the PIN.
    wait_css(&app, "#lock-screen").await?;
    let locked = page_text(&app).await?;
    assert!(
        !locked.contains("Sofie") && !locked.contains("010190"),
        "the order under the lock"
    );
    unlock_with_keypad(&app, PIN).await?;
    at_step(&app, "Trin 5 af 6").await?;
    assert!(
        ink(&app).await? > 500,
        "the signature is redrawn from its strokes"
    );

    // A crash: the process is killed. The draft comes back after the PIN.
    kill_app()?;
    let _ = app.quit().await;
    let app = s.relaunch_with(&[("OMSORG_LOCK_AFTER", "600")]).await?;
    unlock_with_keypad(&app, PIN).await?;
    // The home screen learns of the kept draft from the shell: wait for it.
    text_when(
        &app,
        "#order-substitute",
        "the offer to resume the order",
        |t| t.contains("Fortsæt"),
    )
    .await?;
    click(&app, "#order-substitute").await?;
    at_step(&app, "Trin 5 af 6").await?;
    assert!(ink(&app).await? > 500);
    click_enabled(&app, "#order-next").await?;
    taps += 1;
    let review = text_of(&app, "#order-review").await?;
    for expected in ["Sofie Vikar Jensen", "010190-XXXX", "Pas", user_id.as_str()] {
        assert!(review.contains(expected), "{expected} in {review}");
    }
    assert!(!review.contains("1234"));

    // Sent once; the first answer is lost; the shell tries again.
    click(&app, "#order-send").await?;
    taps += 1;
    let receipt_id = text_of(&app, "#receipt-user-id").await?;
    assert_eq!(receipt_id, user_id);
    let password = text_of(&app, "#receipt-password").await?;
    let systems = text_of(&app, "#receipt-systems").await?;
    assert!(
        systems.contains("Nexus – Hjemmeplejen Nord"),
        "the unit's systems: {systems}"
    );
    assert!(password.len() >= 10, "a one-time password: {password:?}");
    screenshot(&app, "62-order-receipt.png").await?;
    let keys = seen.keys.lock().unwrap().clone();
    assert_eq!(keys.len(), 2, "the lost answer and the retry: {keys:?}");
    assert_eq!(keys[0], keys[1], "one idempotency key for both");
    record_figure(&format!(
        "substitute-access wizard: {taps} taps from \"Bestil vikaradgang\" to the receipt (plus typing the CPR number and signing)"
    ))?;
    println!("taps from \"Bestil vikaradgang\" to the receipt: {taps}");

    // Mail for the orderer and her manager, without the CPR number.
    let received = wait_for(40, "mail for Anna and Mette", || async {
        let m = mails.lock().unwrap().clone();
        let to: Vec<String> = m.iter().flat_map(|r| r.to.clone()).collect();
        (to.iter().any(|t| t == "anna@kbh.example") && to.iter().any(|t| t == "mette@kbh.example"))
            .then_some(m)
    })
    .await?;
    for mail in &received {
        assert!(mail.data.contains(&user_id), "{}", mail.data);
        assert!(!mail.data.contains("0101901234") && !mail.data.contains("010190-1234"));
        assert!(!mail.data.contains(&password), "never the password by mail");
    }

    // My orders: one access, however often it was sent.
    click(&app, "#receipt-done").await?;
    click(&app, "#my-orders-button").await?;
    wait_css(&app, ".card").await?;
    let cards = app.find_all(By::Css(".card")).await?;
    assert_eq!(cards.len(), 1, "one access");
    assert!(cards[0].text().await?.contains(&user_id));
    // The backend refuses 31 days too (the shell sends an extension as is).
    let orders = invoke(&app, "my_orders", json!({})).await?;
    let id = orders["ok"]["accesses"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let day = day_from_today(&app, 31).await?;
    let answer = invoke(&app, "extend_order", json!({"id": id, "day": day})).await?;
    assert_eq!(answer["err"]["code"], "period.too_long", "{answer}");
    // Extend to day 5 in the list, then end it early (two taps).
    let ends = text_of(&app, ".order-ends").await?;
    click(&app, ".order-extend").await?;
    pick_day(&app, ".extend-day", &day_from_today(&app, 5).await?).await?;
    click(&app, ".extend-save").await?;
    let extended = text_when(&app, ".order-ends", "the new end", |t| t != ends).await?;
    let day_5 = day_from_today(&app, 5).await?; // YYYY-MM-DD
    let (y, m, d) = (&day_5[..4], &day_5[5..7], &day_5[8..]);
    assert!(extended.starts_with(&format!("{d}.{m}.{y}")), "{extended}");
    click(&app, ".order-end").await?;
    text_when(&app, ".order-end", "the second tap asked for", |t| {
        t.contains("Tryk igen")
    })
    .await?;
    click(&app, ".order-end").await?;
    text_when(&app, ".order-status", "the access ended", |t| {
        t == "Afsluttet"
    })
    .await?;
    screenshot(&app, "64-my-orders-ended.png").await?;
    click(&app, "#orders-back").await?;
    sign_out(&app).await?;

    // bo finds the declaration and opens its PDF.
    // Another person: another browser (a KOMBIT session is its person's;
    // within it a login passes through without a password).
    chromium.quit().await?;
    let chromium = Chromium::start().await?;
    login(&mut s, &chromium, &app, "101", "bo").await?;
    wait_css(&app, "#person-name").await?;
    click(&app, "#declarations-button").await?;
    wait_css(&app, "#search-name")
        .await?
        .send_keys("sofie")
        .await?;
    // …in her own unit, chosen from the list of the municipality's units.
    let nord = "#search-unit option[value='kbh-hjemmepleje-nord']";
    wait_for(20, "the unit list", || async {
        app.find(By::Css(nord)).await.ok()
    })
    .await?;
    // The list arrived after the picker was drawn: it still says "all".
    let picked = app.find(By::Id("search-unit")).await?.prop("value").await?;
    assert_eq!(
        picked.as_deref(),
        Some(""),
        "the picker fell on a unit by itself"
    );
    select(&app, "#search-unit", "kbh-hjemmepleje-nord").await?;
    click(&app, "#search-go").await?;
    click(&app, ".show-pdf").await?;
    let path = text_of(&app, "#pdf-path").await?;
    assert!(text_of(&app, "#pdf-opened").await?.contains("åbnet"));
    screenshot(&app, "63-declaration-found.png").await?;
    let text = poppler("pdftotext", &["-enc", "UTF-8", &path, "-"])?;
    assert!(text.contains("Sofie Vikar Jensen"), "{text}");
    assert!(text.contains("Erklæringens version: 2026-1"), "{text}");
    assert!(text.contains("Vikarbureau: Vikarhuset A/S"), "{text}");
    assert!(
        text.contains("Adgang til systemer: Nexus – Hjemmeplejen Nord, FMK-medicinmodul"),
        "the unit's systems: {text}"
    );
    assert!(text.contains("kl. 07.00"), "the end at 07:00: {text}");
    let images = poppler("pdfimages", &["-list", &path])?;
    assert!(
        images
            .lines()
            .any(|l| l.split_whitespace().nth(2) == Some("image")),
        "{images}"
    );
    click(&app, "#declarations-back").await?;
    // The inventory: Sofie's user ID archived; five more added.
    click(&app, "#substitute-ids-button").await?;
    assert_eq!(text_of(&app, "#id-counts .count-archived").await?, "1");
    assert_eq!(text_of(&app, "#id-counts .count-in-use").await?, "0");
    let free: u32 = text_of(&app, "#id-counts .count-free").await?.parse()?;
    wait_css(&app, "#range-from").await?.send_keys("51").await?;
    wait_css(&app, "#range-to").await?.send_keys("55").await?;
    click(&app, "#range-add").await?;
    assert!(text_of(&app, "#ids-added").await?.ends_with('5'));
    text_when(&app, "#id-counts .count-free", "five more free", |t| {
        t.parse::<u32>().ok() == Some(free + 5)
    })
    .await?;
    click(&app, "#ids-back").await?;
    sign_out(&app).await?;
    assert!(
        !std::path::Path::new(&path).exists(),
        "viewed PDFs go at sign-out"
    );

    // carl's unit may not order: no wizard offered.
    chromium.quit().await?;
    let chromium = Chromium::start().await?;
    login(&mut s, &chromium, &app, "751", "carl").await?;
    assert_eq!(text_of(&app, "#person-name").await?, "Carl Christensen");
    assert!(app.find(By::Id("order-substitute")).await.is_err());
    assert!(app.find(By::Id("declarations-button")).await.is_err());
    Ok(())
}
