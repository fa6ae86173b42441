//! Administrators set, per unit their privileges cover, whether it orders
//! substitute access and its default and longest period (within SPEC's 3
//! and 30 days); orders and extensions are held to it on the server, and
//! the wizard learns it from `/me`. Nobody else can, in no other municipality.

use chrono::{Duration, Utc};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

const NORD: &str = "kbh-hjemmepleje-nord";

fn bearer(issuer: &str, who: &str) -> String {
    format!(
        "Bearer {}",
        token(KEY, Some("k1"), json!({"iss": issuer, "sub": who}))
    )
}

async fn set(app: &TestApp, who: &str, unit: &str, body: Value) -> (u16, Value) {
    let path = format!("/api/v1/admin/unit-settings/{unit}");
    app.call(Method::PUT, &path, who, &[], Some(&body)).await
}

#[tokio::test]
async fn an_administrator_shortens_a_units_period_and_orders_and_extensions_keep_to_it() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let (bo, anna) = (bearer(&issuer, "bo"), bearer(&issuer, "anna"));

    let (status, units) = app
        .call(Method::GET, "/api/v1/admin/unit-settings", &bo, &[], None)
        .await;
    assert_eq!(status, 200, "{units}");
    let nord = units
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == NORD)
        .cloned()
        .expect("bo's units include Hjemmeplejen Nord");
    assert_eq!(nord["period"], json!({"default_days": 3, "max_days": 30}));
    assert_eq!(nord["may_order_substitutes"], true);
    assert!(nord["manager_name"].is_string(), "{nord}");

    let ten = json!({"may_order_substitutes": true, "period": {"default_days": 2, "max_days": 10}});
    let (status, changed) = set(&app, &bo, NORD, ten).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["period"]["max_days"], 10);
    let (_, me) = app.call(Method::GET, "/api/v1/me", &anna, &[], None).await;
    assert_eq!(me["period"], json!({"default_days": 2, "max_days": 10}));

    // An order: 11 days is refused, no end is the unit's 2, 10 is allowed.
    let anna_token = anna.trim_start_matches("Bearer ");
    let user_id = app.reserve(anna_token).await;
    let mut body = order_body("010190-1234", "Sofie Vikar Jensen", &user_id);
    body["end"] = json!((Utc::now() + Duration::days(11)).to_rfc3339());
    let (status, refused) = app.order(anna_token, Some("u-1"), &body).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (422, Some("period.too_long"))
    );
    body.as_object_mut().unwrap().remove("end");
    let (status, receipt) = app.order(anna_token, Some("u-2"), &body).await;
    assert_eq!(status, 201, "{receipt}");
    let starts =
        chrono::DateTime::parse_from_rfc3339(receipt["starts_at"].as_str().unwrap()).unwrap();
    let ends = chrono::DateTime::parse_from_rfc3339(receipt["ends_at"].as_str().unwrap()).unwrap();
    assert_eq!(ends - starts, Duration::days(2));

    // An extension: to 10 days from the start, not 11.
    let id = receipt["id"].as_str().unwrap();
    let path = format!("/api/v1/substitute-accesses/{id}/extend");
    let to = |days: i64| json!({"end": (starts + Duration::days(days)).to_rfc3339()});
    let (status, longer) = app
        .call(Method::POST, &path, &anna, &[], Some(&to(11)))
        .await;
    assert_eq!(
        (status, longer["code"].as_str()),
        (422, Some("period.too_long"))
    );
    let (status, longer) = app
        .call(Method::POST, &path, &anna, &[], Some(&to(10)))
        .await;
    assert_eq!(status, 200, "{longer}");

    // Outside 1 ≤ default ≤ longest ≤ 30: a clear refusal, nothing changed.
    for (default, max) in [(0, 10), (11, 10), (3, 31), (-2, 5)] {
        let bad = json!({"may_order_substitutes": true,
                         "period": {"default_days": default, "max_days": max}});
        let (status, answer) = set(&app, &bo, NORD, bad).await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (400, Some("request.invalid")),
            "{default}/{max}"
        );
    }
    let (status, answer) = set(&app, &bo, NORD, json!({"may_order": true})).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (400, Some("request.invalid"))
    );
    let (_, me) = app.call(Method::GET, "/api/v1/me", &anna, &[], None).await;
    assert_eq!(me["period"]["max_days"], 10);

    // No more orders from the unit, not even with an ID reserved before.
    let user_id = app.reserve(anna_token).await;
    let off =
        json!({"may_order_substitutes": false, "period": {"default_days": 2, "max_days": 10}});
    assert_eq!(set(&app, &bo, NORD, off).await.0, 200);
    let body = order_body("010190-1234", "Sofie Vikar Jensen", &user_id);
    let (status, refused) = app.order(anna_token, Some("u-3"), &body).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (403, Some("auth.forbidden")),
        "{refused}"
    );
    let path = "/api/v1/substitute-ids/reservations";
    assert_eq!(app.call(Method::POST, path, &anna, &[], None).await.0, 403);

    let db = sqlx::AnyPool::connect(&app.database_url).await.unwrap();
    let (changes,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'unit.settings_changed' AND subject LIKE $1",
    )
    .bind(format!("{NORD}:%"))
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(changes, 2, "each change audited, the refused ones not");
}

#[tokio::test]
async fn only_administrators_of_the_units_municipality_see_or_change_it() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let change =
        json!({"may_order_substitutes": true, "period": {"default_days": 1, "max_days": 1}});
    // Aarhus's administrator: KBH's units are neither listed nor changed.
    let eva = bearer(&issuer, "eva");
    let (status, units) = app
        .call(Method::GET, "/api/v1/admin/unit-settings", &eva, &[], None)
        .await;
    assert_eq!(status, 200);
    assert!(
        units.as_array().unwrap().iter().all(|u| u["id"] != NORD),
        "{units}"
    );
    let (status, answer) = set(&app, &eva, NORD, change.clone()).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (404, Some("request.not_found"))
    );
    // Staff and orderers: neither.
    for who in ["anna", "carl"] {
        let b = bearer(&issuer, who);
        assert_eq!(
            app.call(Method::GET, "/api/v1/admin/unit-settings", &b, &[], None)
                .await
                .0,
            403
        );
        assert_eq!(set(&app, &b, NORD, change.clone()).await.0, 403, "{who}");
    }
    let (_, me) = app
        .call(
            Method::GET,
            "/api/v1/me",
            &bearer(&issuer, "anna"),
            &[],
            None,
        )
        .await;
    assert_eq!(me["period"], json!({"default_days": 3, "max_days": 30}));
}

#[tokio::test]
async fn a_units_systems_are_what_its_substitutes_get_in_the_directory_receipt_and_pdf() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let (bo, eva, anna) = (
        bearer(&issuer, "bo"),
        bearer(&issuer, "eva"),
        bearer(&issuer, "anna"),
    );
    let period = json!({"default_days": 3, "max_days": 30});
    // The seed's template, then bo's own.
    let (_, units) = app
        .call(Method::GET, "/api/v1/admin/unit-settings", &bo, &[], None)
        .await;
    let nord = units
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == NORD)
        .unwrap();
    assert_eq!(nord["groups"][0], "Nexus – Hjemmeplejen Nord");
    for bad in [
        json!(["Nexus", "NEXUS"]),
        json!(["x".repeat(65)]),
        json!((0..21).map(|i| format!("g{i}")).collect::<Vec<_>>()),
    ] {
        let body = json!({"may_order_substitutes": true, "period": period, "groups": bad});
        let (status, refused) = set(&app, &bo, NORD, body).await;
        assert_eq!(
            (status, refused["code"].as_str()),
            (400, Some("request.invalid")),
            "{refused}"
        );
    }
    let body = json!({"may_order_substitutes": true, "period": period,
                      "groups": [" Nexus vikar ", "", "Nøglesystem"]});
    let (status, refused) = set(&app, &eva, NORD, body.clone()).await;
    assert_eq!(status, 404, "another municipality's unit: {refused}");
    let (status, refused) = set(&app, &anna, NORD, body.clone()).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (403, Some("auth.forbidden"))
    );
    let (status, now) = set(&app, &bo, NORD, body).await;
    assert_eq!(status, 200, "{now}");
    assert_eq!(now["groups"], json!(["Nexus vikar", "Nøglesystem"]));
    // Without groups in the change: as they are.
    let (_, kept) = set(
        &app,
        &bo,
        NORD,
        json!({"may_order_substitutes": true, "period": period}),
    )
    .await;
    assert_eq!(kept["groups"], json!(["Nexus vikar", "Nøglesystem"]));

    // anna's order gets them: the directory account, the receipt, the PDF.
    let raw = anna.strip_prefix("Bearer ").unwrap();
    let user_id = app.reserve(raw).await;
    let (status, receipt) = app
        .order(raw, Some("systems-1"), &test_order_body(1, &user_id))
        .await;
    assert_eq!(status, 201, "{receipt}");
    assert_eq!(receipt["systems"], json!(["Nexus vikar", "Nøglesystem"]));
    let groups: String =
        sqlx::query_scalar("SELECT groups FROM directory_accounts WHERE user_id = $1")
            .bind(&user_id)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&groups).unwrap(),
        json!(["Nexus vikar", "Nøglesystem"])
    );
    let path = format!(
        "/api/v1/declarations/{}/pdf",
        receipt["id"].as_str().unwrap()
    );
    let res = app
        .client
        .get(app.url(&path))
        .header("authorization", &bo)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), res.bytes().await.unwrap()).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8", &file.path().display().to_string(), "-"])
        .output()
        .expect("pdftotext (poppler-utils, installed by `cargo xtask setup`)");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Adgang til systemer: Nexus vikar, Nøglesystem"),
        "{text}"
    );
    // A later change does not touch the order already made.
    let body = json!({"may_order_substitutes": true, "period": period, "groups": []});
    set(&app, &bo, NORD, body).await;
    let again = app
        .order(raw, Some("systems-1"), &test_order_body(1, &user_id))
        .await;
    assert_eq!(
        again.1["systems"],
        json!(["Nexus vikar", "Nøglesystem"]),
        "the same receipt"
    );
}
