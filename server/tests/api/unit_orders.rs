//! Administrators look up the orders placed for their units by unit,
//! state and period, a page at a time, and export them without CPR
//! numbers; no one else can, and no administrator beyond their units.

use omsorg_server::retention::{run_once, Retention};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

fn bearer(issuer: &str, who: &str) -> String {
    format!(
        "Bearer {}",
        token(KEY, Some("k1"), json!({"iss": issuer, "sub": who}))
    )
}

async fn search(app: &TestApp, who: &str, query: Value) -> (u16, Value) {
    let path = "/api/v1/admin/orders/search";
    app.call(Method::POST, path, who, &[], Some(&query)).await
}

fn agency_of(page: &Value, user_id: &str) -> Value {
    page["orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["user_id"] == user_id)
        .map(|o| o["agency"].clone())
        .unwrap()
}

fn user_ids(page: &Value) -> Vec<String> {
    page["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["user_id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn administrators_find_and_export_their_units_orders_by_state_and_period() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let (bo, eva, anna) = (
        bearer(&issuer, "bo"),
        bearer(&issuer, "eva"),
        bearer(&issuer, "anna"),
    );
    let raw = |b: &str| b.strip_prefix("Bearer ").unwrap().to_string();
    // Three orders by anna: one stays active, one is ended early, one is
    // ended and then archived by retention.
    let mut ordered = Vec::new();
    for (i, (cpr, name)) in [
        ("010190-1234", "Sofie Vikar Jensen"),
        ("150605-4321", "Mikkel Vikar Nielsen"),
        ("251287-4112", "Fatima Vikar Ali"),
    ]
    .into_iter()
    .enumerate()
    {
        let user_id = app.reserve(&raw(&anna)).await;
        let key = format!("unit-orders-{i}");
        let mut body = order_body(cpr, name, &user_id);
        if i == 0 {
            // Typed with spaces around: kept without them.
            body["agency"] = json!("  Vikarhuset A/S ");
        }
        let (status, receipt) = app.order(&raw(&anna), Some(&key), &body).await;
        assert_eq!(status, 201, "{receipt}");
        ordered.push((receipt["id"].as_str().unwrap().to_string(), user_id));
    }
    for (id, _) in &ordered[1..] {
        let path = format!("/api/v1/substitute-accesses/{id}/end");
        assert_eq!(app.call(Method::POST, &path, &anna, &[], None).await.0, 200);
    }
    let db = &app.state.db;
    let now = chrono::Utc::now().timestamp();
    // The third one ended six years ago: retention erases its CPR number.
    sqlx::query("UPDATE substitute_accesses SET ended_at = $1 WHERE id = $2")
        .bind(now - 6 * 365 * 86_400)
        .bind(&ordered[2].0)
        .execute(db)
        .await
        .unwrap();
    run_once(db, &Retention::default(), now).await.unwrap();

    let (status, all) = search(&app, &bo, json!({})).await;
    assert_eq!(status, 200, "{all}");
    let mut listed = user_ids(&all);
    listed.sort();
    let mut ids: Vec<String> = ordered.iter().map(|o| o.1.clone()).collect();
    ids.sort();
    assert_eq!(listed, ids);
    assert_eq!(all["more"], false);
    let state_of = |user_id: &str| {
        all["orders"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["user_id"] == user_id)
            .map(|o| o["state"].as_str().unwrap().to_string())
            .unwrap()
    };
    let states: Vec<String> = ordered.iter().map(|o| state_of(&o.1)).collect();
    assert_eq!(states, ["active", "ended", "archived"]);
    for (state, want) in [("active", 0), ("ended", 1), ("archived", 2)] {
        let (_, page) = search(&app, &bo, json!({"state": state})).await;
        assert_eq!(user_ids(&page), vec![ordered[want].1.clone()], "{state}");
    }
    let (_, by_unit) = search(&app, &bo, json!({"unit_id": "kbh-hjemmepleje-nord"})).await;
    assert_eq!(user_ids(&by_unit).len(), 3);
    // Periods: today's accesses are found by today, none by last month.
    let today = omsorg_core::danish_time::today(chrono::Utc::now());
    let month_ago = (today - chrono::Duration::days(30)).to_string();
    let (_, now_on) = search(
        &app,
        &bo,
        json!({"from": today.to_string(), "state": "active"}),
    )
    .await;
    assert_eq!(user_ids(&now_on).len(), 1);
    let (_, old) = search(&app, &bo, json!({"to": month_ago, "state": "active"})).await;
    assert_eq!(user_ids(&old), Vec::<String>::new());

    // Bad input, others' units, other people: refused.
    for bad in [
        json!({"from": "2026-02-31"}),
        json!({"from": today.to_string(), "to": month_ago}),
        json!({"state": "gone"}),
        json!({"page": -1}),
        json!({"cpr": "0101901234"}),
    ] {
        let (status, refused) = search(&app, &bo, bad.clone()).await;
        assert_eq!(
            (status, refused["code"].as_str()),
            (400, Some("request.invalid")),
            "{bad}"
        );
    }
    let (status, refused) = search(&app, &bo, json!({"unit_id": "aar-solhaven"})).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (404, Some("request.not_found"))
    );
    let (status, theirs) = search(&app, &eva, json!({})).await;
    assert_eq!(
        (status, user_ids(&theirs)),
        (200, vec![]),
        "Aarhus sees none"
    );
    let (status, refused) = search(&app, &anna, json!({})).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (403, Some("auth.forbidden"))
    );

    // Pages of 50.
    let (_, second) = search(&app, &bo, json!({"page": 1})).await;
    assert_eq!(user_ids(&second), Vec::<String>::new());

    // The export: every order, no CPR number nor birth date, any state.
    let url = app.url("/api/v1/admin/orders/export?format=csv");
    let res = app
        .client
        .post(&url)
        .header("authorization", &bo)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body = res.bytes().await.unwrap();
    let text = String::from_utf8(body.to_vec()).unwrap();
    for cpr in ["0101901234", "010190", "150605", "251287"] {
        assert!(!text.contains(cpr), "{cpr} in {text}");
    }
    let mut reader = csv::Reader::from_reader(body.as_ref());
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(
        headers[..3],
        ["bestilling", "vikar_bruger_id", "vikar_navn"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    let active = rows.iter().find(|r| r[1] == ordered[0].1).unwrap();
    assert_eq!(
        (&active[2], &active[3], &active[4], &active[9]),
        (
            "Sofie Vikar Jensen",
            "Hjemmeplejen Nord",
            "Anna Andersen",
            "active"
        )
    );
    assert_eq!(&active[8], "", "not ended");
    assert_eq!(&active[10], "Vikarhuset A/S");
    assert_eq!(agency_of(&all, &ordered[0].1), json!("Vikarhuset A/S"));
    assert_eq!(agency_of(&all, &ordered[1].1), Value::Null);
    // An agency's name is text of at most 80 characters.
    for bad in ["x".repeat(81), "Bureau\u{7}".to_string()] {
        let user_id = app.reserve(&raw(&anna)).await;
        let (cpr, name) = omsorg_server::cpr_register::test_substitute(7);
        let mut body = order_body(&cpr, &name, &user_id);
        body["agency"] = json!(bad);
        let key = format!("agency-bad-{}", bad.len());
        let (status, refused) = app.order(&raw(&anna), Some(&key), &body).await;
        assert_eq!(
            (status, refused["code"].as_str()),
            (400, Some("request.invalid")),
            "{refused}"
        );
    }
    let url = app.url("/api/v1/admin/orders/export?format=xlsx");
    let res = app
        .client
        .post(&url)
        .header("authorization", &eva)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    use calamine::Reader;
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(sheet.rows().count(), 1, "Aarhus's export: the header only");
    let path = "/api/v1/admin/orders/export";
    let (status, _) = app
        .call(Method::POST, path, &anna, &[], Some(&json!({})))
        .await;
    assert_eq!(status, 403);
}
