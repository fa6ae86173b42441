//! The administrators' orders and audit log in the real window: anna
//! orders substitute access from her other device; bo finds it under
//! "Bestillinger" by unit and state, exports the list as CSV and Excel
//! (files a real CSV and XLSX reader opens, with no CPR number), ends the
//! access from there, and then finds each of these acts in the
//! "Revisionslog", which he exports too.

use anyhow::Result;
use omsorg_e2e::identity::Chromium;
use omsorg_e2e::*;
use serde_json::{json, Value};

use crate::order_helpers::*;
use crate::stack::*;

/// A real 1×1 PNG, standing in for a drawn signature.
const SIGNATURE_PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

/// anna's order for Sofie from another device of hers (the API, as the
/// app calls it): a reservation, then the order. Answers the substitute's
/// user ID and the order's ID.
pub async fn anna_orders(s: &Stack, chromium: &Chromium) -> Result<(String, String)> {
    let anna = format!(
        "Bearer {}",
        chromium
            .api_token(&s.idp.issuer, API_AUDIENCE, "anna")
            .await?
    );
    let http = reqwest::Client::new();
    let url = |p: &str| format!("{}{p}", s.backend.url);
    let reserved: Value = http
        .post(url("/api/v1/substitute-ids/reservations"))
        .header("authorization", &anna)
        .send()
        .await?
        .json()
        .await?;
    let user_id = reserved["user_id"].as_str().unwrap().to_string();
    let res = http
        .post(url("/api/v1/substitute-accesses"))
        .header("authorization", &anna)
        .header("idempotency-key", "e2e-administration-1")
        .json(&json!({
            "cpr": "0101901234",
            "confirmed_name": "Sofie Vikar Jensen",
            "id_document": "sundhedskort",
            "user_id": user_id,
            "declaration_version": omsorg_core::declaration::current().0,
            "signature_png": SIGNATURE_PNG,
        }))
        .send()
        .await?;
    anyhow::ensure!(res.status() == 201, "ordering: {}", res.text().await?);
    let receipt: Value = res.json().await?;
    Ok((
        user_id,
        receipt["id"].as_str().unwrap_or_default().to_string(),
    ))
}

/// The file an export saved, from the path the screen shows.
async fn saved(app: &thirtyfour::WebDriver, css: &str, before: &str) -> Result<Vec<u8>> {
    let path = text_when(app, css, "the export saved", |t| {
        !t.is_empty() && t != before
    })
    .await?;
    Ok(std::fs::read(&path)?)
}

fn csv_rows(bytes: &[u8]) -> Result<(Vec<String>, Vec<Vec<String>>)> {
    let mut reader = csv::Reader::from_reader(bytes);
    let headers = reader.headers()?.iter().map(str::to_string).collect();
    let rows = reader
        .records()
        .map(|r| Ok(r?.iter().map(str::to_string).collect()))
        .collect::<Result<_>>()?;
    Ok((headers, rows))
}

#[tokio::test]
async fn bo_finds_exports_and_ends_an_order_and_the_audit_log_shows_it() -> Result<()> {
    let exports = tempfile::tempdir()?;
    let export_dir = exports.path().display().to_string();
    let mut s = stack_with(&[("OMSORG_EXPORT_DIR", export_dir.as_str())], &[]).await?;
    let chromium = Chromium::start().await?;
    let (user_id, order_id) = anna_orders(&s, &chromium).await?;
    chromium.quit().await?;

    let app = s.driver.launch_app().await?;
    let chromium = Chromium::start().await?;
    login(&mut s, &chromium, &app, "101", "bo").await?;
    click(&app, "#unit-orders-button").await?;
    let card = format!("#order-{user_id}");
    text_when(
        &app,
        &format!("{card} .order-status"),
        "anna's order listed",
        |t| t == "Aktiv",
    )
    .await?;
    // Ended ones only: hers is not among them.
    select(&app, "#orders-state", "ended").await?;
    click(&app, "#orders-go").await?;
    wait_css(&app, "#unit-orders .notice[role='status']").await?;
    assert!(
        app.find(thirtyfour::By::Css(&card)).await.is_err(),
        "an active order under ended"
    );
    // A day that cannot be one: a clear message, nothing searched.
    select(&app, "#orders-state", "active").await?;
    wait_css(&app, "#orders-from")
        .await?
        .send_keys("31.02.2026")
        .await?;
    click(&app, "#orders-go").await?;
    assert!(text_of(&app, "#orders-day-error")
        .await?
        .contains("dd.mm.åååå"));
    js(
        &app,
        "document.querySelector('#orders-from').value = '';",
        vec![],
    )
    .await?;
    click(&app, "#orders-go").await?;
    wait_css(&app, &card).await?;

    // The export, as CSV and as Excel: the order, without its CPR number.
    click(&app, "#orders-export-csv").await?;
    let csv = saved(&app, "#orders-saved-path", "").await?;
    let text = String::from_utf8(csv.clone())?;
    assert!(
        !text.contains("010190") && !text.contains("0101901234"),
        "{text}"
    );
    let (headers, rows) = csv_rows(&csv)?;
    assert_eq!(headers[1], "vikar_bruger_id");
    let row = rows
        .iter()
        .find(|r| r[1] == user_id)
        .expect("the order exported");
    assert_eq!(
        (row[2].as_str(), row[4].as_str(), row[9].as_str()),
        ("Sofie Vikar Jensen", "Anna Andersen", "active")
    );
    let csv_path = text_of(&app, "#orders-saved-path").await?;
    click(&app, "#orders-export-xlsx").await?;
    let xlsx = saved(&app, "#orders-saved-path", &csv_path).await?;
    {
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx))?;
        let sheet = book.worksheet_range_at(0).expect("a sheet")?;
        let cells: Vec<Vec<String>> = sheet
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert!(cells.iter().any(|r| r[1] == user_id), "{cells:?}");
        assert!(cells.iter().flatten().all(|c| !c.contains("010190")));
    }
    screenshot(&app, "75-unit-orders-exported.png").await?;

    // Ended from here, with two taps (every state shown, so it stays).
    select(&app, "#orders-state", "").await?;
    click(&app, "#orders-go").await?;
    wait_css(&app, &card).await?;
    click(&app, &format!("{card} .order-end")).await?;
    click(&app, &format!("{card} .order-end")).await?;
    text_when(&app, &format!("{card} .order-status"), "ended", |t| {
        t == "Afsluttet"
    })
    .await?;
    click(&app, "#unit-orders-back").await?;

    // The audit log: each act, and the reading itself.
    click(&app, "#audit-button").await?;
    wait_css(&app, "#audit-rows li").await?;
    wait_css(&app, "#audit-actor")
        .await?
        .send_keys("bo")
        .await?;
    select(&app, "#audit-kind", "substitute_access").await?;
    click(&app, "#audit-go").await?;
    text_when(&app, "#audit-rows li .action", "the early end", |t| {
        t == "substitute_access.ended_early"
    })
    .await?;
    assert_eq!(text_of(&app, "#audit-rows li .subject").await?, order_id);
    js(
        &app,
        "document.querySelector('#audit-actor').value = '';",
        vec![],
    )
    .await?;
    select(&app, "#audit-kind", "").await?;
    click(&app, "#audit-go").await?;
    wait_css(&app, "#audit-rows li[data-action='audit.read']").await?;
    wait_css(&app, "#audit-rows li[data-action='orders.exported']").await?;
    let anna_row = text_of(
        &app,
        "#audit-rows li[data-action='substitute_access.created'] .actor",
    )
    .await?;
    assert!(anna_row.contains("Anna Andersen"), "{anna_row}");
    screenshot(&app, "76-audit-log.png").await?;
    click(&app, "#audit-export-csv").await?;
    let (headers, rows) = csv_rows(&saved(&app, "#audit-saved-path", "").await?)?;
    assert_eq!(
        headers,
        ["tidspunkt", "bruger_id", "navn", "handling", "emne"]
    );
    let exported = rows.iter().filter(|r| r[3] == "orders.exported").count();
    assert_eq!(exported, 2, "CSV and Excel: {rows:?}");
    assert!(rows
        .iter()
        .any(|r| r[3] == "substitute_access.ended_early" && r[1] == "bo"));
    click(&app, "#audit-back").await?;
    sign_out(&app).await?;
    chromium.quit().await?;
    Ok(())
}
