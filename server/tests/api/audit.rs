//! Every privileged act leaves an audit record: who, when, what (never a
//! searched value).

use reqwest::Method;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn privileged_acts_are_audited() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let bo = format!(
        "Bearer {}",
        token(KEY, Some("k1"), json!({"iss": issuer, "sub": "bo"}))
    );
    let call = |method: Method, path: &'static str, body: serde_json::Value| {
        let (app, bo) = (&app, bo.clone());
        async move { app.call(method, path, &bo, &[], Some(&body)).await }
    };
    // An enrollment code, a device enrolled with it and revoked.
    let code = call(
        Method::POST,
        "/api/v1/admin/enrollment-codes",
        json!({"unit_id": "kbh-hjemmepleje-nord", "mode": "wall_screen"}),
    )
    .await
    .1;
    let enrolled = app
        .call(
            Method::POST,
            "/api/v1/devices/enroll",
            "",
            &[],
            Some(&json!({"code": code["code"]})),
        )
        .await
        .1;
    let device = enrolled["device"]["device_id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/v1/admin/devices/{device}");
    assert_eq!(app.call(Method::DELETE, &path, &bo, &[], None).await.0, 204);
    // Inventory, a PIN reset, a search by name.
    call(
        Method::POST,
        "/api/v1/admin/substitute-ids",
        json!({"prefix": "vik", "from": 51, "to": 52}),
    )
    .await;
    app.call(
        Method::DELETE,
        "/api/v1/admin/people/anna/pin",
        &bo,
        &[],
        None,
    )
    .await;
    call(
        Method::POST,
        "/api/v1/declarations/search",
        json!({"name": "Quirinus"}),
    )
    .await;

    let db = sqlx::AnyPool::connect(&app.database_url).await.unwrap();
    let rows: Vec<(String, Option<i64>, String)> =
        sqlx::query_as("SELECT action, actor_id, subject FROM audit_log ORDER BY id")
            .fetch_all(&db)
            .await
            .unwrap();
    let of = |action: &str| rows.iter().find(|r| r.0 == action).cloned();
    let bo_id: i64 = sqlx::query_scalar("SELECT id FROM people WHERE user_id = 'bo'")
        .fetch_one(&db)
        .await
        .unwrap();
    for action in [
        "enrollment_code.created",
        "device.revoked",
        "substitute_ids.added",
        "pin.reset",
        "declarations.searched",
    ] {
        let row = of(action).unwrap_or_else(|| panic!("no {action} in {rows:?}"));
        assert_eq!(row.1, Some(bo_id), "{action} by bo");
    }
    assert!(of("device.enrolled").unwrap().2.starts_with(&device));
    assert!(of("device.revoked").unwrap().2 == device);
    assert_eq!(
        of("substitute_ids.added").unwrap().2,
        "vik051-vik052: 2 new"
    );
    let search = of("declarations.searched").unwrap().2;
    assert!(search.starts_with("by [name]: 0 found"), "{search}");
    assert!(
        !search.contains("Quirinus"),
        "the searched name is not kept: {search}"
    );
}

fn bearer(issuer: &str, who: &str) -> String {
    format!(
        "Bearer {}",
        token(KEY, Some("k1"), json!({"iss": issuer, "sub": who}))
    )
}

async fn read(app: &TestApp, who: &str, query: serde_json::Value) -> (u16, serde_json::Value) {
    let path = "/api/v1/admin/audit/search";
    app.call(Method::POST, path, who, &[], Some(&query)).await
}

fn actions(page: &serde_json::Value) -> Vec<String> {
    page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn administrators_read_their_own_municipalitys_log_filtered_paged_and_exported() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let (bo, eva, anna) = (
        bearer(&issuer, "bo"),
        bearer(&issuer, "eva"),
        bearer(&issuer, "anna"),
    );
    // København: a tablet (enrolled: no person acts), a PIN reset, a CPR
    // lookup by anna; Aarhus: eva lists her people.
    app.tablet(&bo, "kbh-hjemmepleje-nord").await;
    let reset = "/api/v1/admin/people/anna/pin";
    assert_eq!(app.call(Method::DELETE, reset, &bo, &[], None).await.0, 204);
    let cpr = json!({"cpr": "010190-1234"});
    let (status, _) = app
        .call(Method::POST, "/api/v1/cpr/lookup", &anna, &[], Some(&cpr))
        .await;
    assert_eq!(status, 200);
    app.call(Method::GET, "/api/v1/admin/people", &eva, &[], None)
        .await;

    let (status, all) = read(&app, &bo, json!({})).await;
    assert_eq!(status, 200, "{all}");
    let seen = actions(&all);
    for act in [
        "enrollment_code.created",
        "device.enrolled",
        "pin.reset",
        "cpr.lookup",
    ] {
        assert!(seen.iter().any(|a| a == act), "{act} in {seen:?}");
    }
    assert!(
        !seen.iter().any(|a| a == "people.listed"),
        "Aarhus's act: {seen:?}"
    );
    let ids: Vec<i64> = all["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
    let enrolled = all["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "device.enrolled")
        .unwrap();
    assert_eq!(enrolled["actor"], serde_json::Value::Null, "a device acted");
    let reset_row = all["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "pin.reset")
        .unwrap();
    assert_eq!(reset_row["actor"]["user_id"], "bo");
    assert_eq!(reset_row["subject"], "anna");

    // Reading is itself audited, and shows on the next read.
    let (_, again) = read(&app, &bo, json!({"action": "audit."})).await;
    assert_eq!(actions(&again), vec!["audit.read"], "{again}");
    // Eva sees none of København's rows.
    let (_, theirs) = read(&app, &eva, json!({})).await;
    let kbh = [
        "pin.reset",
        "device.enrolled",
        "cpr.lookup",
        "enrollment_code.created",
    ];
    assert!(
        actions(&theirs).iter().all(|a| !kbh.contains(&a.as_str())),
        "{theirs}"
    );
    assert!(
        actions(&theirs).iter().any(|a| a == "people.listed"),
        "{theirs}"
    );

    // Filters: the actor by user ID or part of the name (any case), the
    // action's beginning, part of the subject, Danish days.
    let (_, by_name) = read(&app, &bo, json!({"actor": "ANDERS"})).await;
    assert_eq!(
        actions(&by_name),
        vec!["cpr.lookup", "person.provisioned"],
        "anna's acts (her first login provisioned her)"
    );
    let (_, by_id) = read(&app, &bo, json!({"actor": "bo", "action": "pin."})).await;
    assert_eq!(actions(&by_id), vec!["pin.reset"]);
    let (_, by_subject) = read(&app, &bo, json!({"subject": "ANNA", "action": "pin"})).await;
    assert_eq!(actions(&by_subject), vec!["pin.reset"]);
    let (_, wildcard) = read(&app, &bo, json!({"action": "%"})).await;
    assert_eq!(actions(&wildcard), Vec::<String>::new(), "% is a letter");
    let today = omsorg_core::danish_time::today(chrono::Utc::now());
    let yesterday = (today - chrono::Duration::days(1)).to_string();
    let (_, today_only) = read(
        &app,
        &bo,
        json!({"from": today.to_string(), "to": today.to_string(), "action": "pin."}),
    )
    .await;
    assert_eq!(actions(&today_only), vec!["pin.reset"]);
    let (_, before) = read(&app, &bo, json!({"to": yesterday, "action": "pin."})).await;
    assert_eq!(actions(&before), Vec::<String>::new());

    // Bad input: a clear refusal.
    for bad in [
        json!({"from": "2026-13-01"}),
        json!({"from": today.to_string(), "to": yesterday}),
        json!({"actor": "x".repeat(101)}),
        json!({"who": "bo"}),
    ] {
        let (status, refused) = read(&app, &bo, bad.clone()).await;
        assert_eq!(
            (status, refused["code"].as_str()),
            (400, Some("request.invalid")),
            "{bad}"
        );
    }
    // Staff read nothing.
    let (status, refused) = read(&app, &anna, json!({})).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (403, Some("auth.forbidden"))
    );

    // Pages of 50: sixty reads of the people list make more than a page.
    for _ in 0..60 {
        app.call(Method::GET, "/api/v1/admin/people", &bo, &[], None)
            .await;
    }
    let (_, first) = read(&app, &bo, json!({"action": "people."})).await;
    assert_eq!(first["entries"].as_array().unwrap().len(), 50);
    let next = first["next_before"].as_i64().expect("a next page");
    let (_, second) = read(&app, &bo, json!({"action": "people.", "before": next})).await;
    assert_eq!(second["entries"].as_array().unwrap().len(), 10);
    assert_eq!(second["next_before"], serde_json::Value::Null);
    assert!(second["entries"][0]["id"].as_i64().unwrap() < next);

    // Exports: CSV and XLSX that real readers open, without the CPR number.
    let url = app.url("/api/v1/admin/audit/export?format=csv");
    let res = app
        .client
        .post(&url)
        .header("authorization", &bo)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let body = res.bytes().await.unwrap();
    let text = String::from_utf8(body.to_vec()).unwrap();
    assert!(
        !text.contains("010190") && !text.contains("0101901234"),
        "no CPR number"
    );
    let mut reader = csv::Reader::from_reader(body.as_ref());
    assert_eq!(
        reader.headers().unwrap(),
        vec!["tidspunkt", "bruger_id", "navn", "handling", "emne"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let reset_line = rows
        .iter()
        .find(|r| &r[3] == "pin.reset")
        .expect("the reset exported");
    assert_eq!(
        (&reset_line[1], &reset_line[2], &reset_line[4]),
        ("bo", "Bo Berg", "anna")
    );
    assert!(chrono::NaiveDateTime::parse_from_str(&reset_line[0], "%Y-%m-%d %H:%M").is_ok());

    let url = app.url("/api/v1/admin/audit/export?format=xlsx");
    let res = app
        .client
        .post(&url)
        .header("authorization", &bo)
        .json(&json!({"action": "pin."}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body = res.bytes().await.unwrap().to_vec();
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(body)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let cells: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(cells.len(), 2, "header and the one reset: {cells:?}");
    assert_eq!(cells[1][3], "pin.reset");
    let (status, refused) = app
        .call(
            Method::POST,
            "/api/v1/admin/audit/export?format=pdf",
            &bo,
            &[],
            Some(&json!({})),
        )
        .await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (400, Some("request.invalid"))
    );
    let (_, exports) = read(&app, &bo, json!({"action": "audit.exported"})).await;
    assert_eq!(
        exports["entries"].as_array().unwrap().len(),
        2,
        "each export audited"
    );
}
