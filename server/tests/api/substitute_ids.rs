//! The substitute user-ID inventory (SPEC C4 step 4): reservations for
//! orderers, ranges and states for administrators.

use omsorg_server::db::Flag;
use serde_json::{json, Value};

use crate::helpers::*;

async fn call(
    app: &TestApp,
    issuer: &str,
    who: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let bearer = token(KEY, Some("k1"), json!({"iss": issuer, "sub": who}));
    app.call(
        method,
        path,
        &format!("Bearer {bearer}"),
        &[],
        body.as_ref(),
    )
    .await
}

async fn reserve(app: &TestApp, issuer: &str, who: &str) -> (u16, Value) {
    call(
        app,
        issuer,
        who,
        reqwest::Method::POST,
        "/api/v1/substitute-ids/reservations",
        None,
    )
    .await
}

/// eva with KOMBIT's orderer role too, at Solhaven, which now orders.
fn eva_orderer(issuer: &str) -> String {
    let roles = ["medarbejder", "bestiller", "administrator"];
    token(
        KEY,
        Some("k1"),
        json!({"iss": issuer, "sub": "eva", "privileges_intermediate": privileges("55133018", &roles, &[])}),
    )
}

async fn aarhus_orders(app: &TestApp) {
    let db = sqlx::AnyPool::connect(&app.database_url).await.unwrap();
    sqlx::query("UPDATE units SET may_order_substitutes = TRUE WHERE id = 'aar-solhaven'")
        .execute(&db)
        .await
        .unwrap();
}

async fn reserve_as_aarhus_orderer(app: &TestApp, issuer: &str) -> (u16, Value) {
    aarhus_orders(app).await;
    app.call(
        reqwest::Method::POST,
        "/api/v1/substitute-ids/reservations",
        &format!("Bearer {}", eva_orderer(issuer)),
        &[],
        None,
    )
    .await
}

#[tokio::test]
async fn orderers_reserve_one_free_id_each_and_administrators_keep_the_inventory() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;

    let (status, first) = reserve(&app, &issuer, "anna").await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["user_id"], "vik001");
    let until =
        chrono::DateTime::parse_from_rfc3339(first["reserved_until"].as_str().unwrap()).unwrap();
    let left = until.timestamp() - chrono::Utc::now().timestamp();
    assert!(
        (29 * 60..=30 * 60).contains(&left),
        "held for 30 minutes: {left}"
    );
    assert_eq!(
        reserve(&app, &issuer, "anna").await.1["user_id"],
        "vik001",
        "the same one again, not a second"
    );
    assert_eq!(reserve(&app, &issuer, "bo").await.1["user_id"], "vik002");
    let (status, refused) = reserve(&app, &issuer, "carl").await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (403, Some("auth.forbidden"))
    );
    // Aarhus has no IDs yet: a clear answer for an orderer there.
    let (status, none) = reserve_as_aarhus_orderer(&app, &issuer).await;
    assert_eq!(
        (status, none["code"].as_str()),
        (409, Some("substitute_ids.exhausted"))
    );

    let list = |who: &'static str| {
        call(
            &app,
            &issuer,
            who,
            reqwest::Method::GET,
            "/api/v1/admin/substitute-ids",
            None,
        )
    };
    let (status, inventory) = list("bo").await;
    assert_eq!(status, 200);
    let ids = inventory["ids"].as_array().unwrap();
    assert_eq!(ids.len(), 50);
    assert_eq!(ids[0]["state"], "reserved");
    assert_eq!(ids[1]["state"], "reserved");
    assert_eq!(ids[2]["state"], "free");
    assert!(ids[2]["reserved_until"].is_null());
    assert_eq!(list("anna").await.1["code"], "auth.forbidden");
    assert_eq!(
        list("eva").await.1["ids"].as_array().unwrap().len(),
        0,
        "own municipality only"
    );

    let add = |who: &'static str, body: Value| {
        call(
            &app,
            &issuer,
            who,
            reqwest::Method::POST,
            "/api/v1/admin/substitute-ids",
            Some(body),
        )
    };
    let (status, added) = add("bo", json!({"prefix": "vik", "from": 49, "to": 55})).await;
    assert_eq!(
        (status, added["added"].as_u64()),
        (201, Some(5)),
        "vik049 and vik050 existed"
    );
    assert_eq!(list("bo").await.1["ids"].as_array().unwrap().len(), 55);
    for bad in [
        json!({"prefix": "VIK", "from": 1, "to": 2}),
        json!({"prefix": "vik", "from": 9, "to": 2}),
        json!({"prefix": "vik", "from": 1, "to": 1000}),
        json!({"prefix": "vik", "from": -1, "to": 2}),
        json!({"prefix": "vik"}),
    ] {
        let (status, body) = add("bo", bad.clone()).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (400, Some("request.invalid")),
            "{bad}"
        );
    }
    assert_eq!(
        add("anna", json!({"prefix": "vik", "from": 60, "to": 61}))
            .await
            .0,
        403
    );
    // Aarhus gets its own, and eva can now reserve.
    assert_eq!(
        add("eva", json!({"prefix": "aar", "from": 1, "to": 3}))
            .await
            .1["added"],
        3
    );
    assert_eq!(
        reserve_as_aarhus_orderer(&app, &issuer).await.1["user_id"],
        "aar001"
    );
}

/// Twenty reservations at once from one orderer (a double-tapping hand, a
/// script) hold one ID, not twenty: the inventory cannot be drained.
#[tokio::test]
async fn parallel_reservations_of_one_orderer_hold_one_id() {
    let issuer = spawn_issuer().await;
    let app = std::sync::Arc::new(spawn_app_trusting(&issuer).await);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (app, issuer) = (app.clone(), issuer.clone());
        tasks.spawn(async move { reserve(&app, &issuer, "anna").await });
    }
    let mut held = std::collections::BTreeSet::new();
    while let Some(answer) = tasks.join_next().await {
        let (status, body) = answer.unwrap();
        assert_eq!(status, 201, "{body}");
        held.insert(body["user_id"].as_str().unwrap().to_string());
    }
    assert_eq!(held.len(), 1, "one orderer held {held:?}");
    let (_, list) = call(
        &app,
        &issuer,
        "bo",
        reqwest::Method::GET,
        "/api/v1/admin/substitute-ids",
        None,
    )
    .await;
    let reserved = list["ids"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["state"] == "reserved")
        .count();
    assert_eq!(reserved, 1, "{list}");
}

/// User IDs are unique per municipality: Aarhus adds `vik001`–`vik003`
/// although København has them too (all three new: nothing tells Aarhus
/// that København uses them), both order `vik001`, each gets its own
/// account, and ending Aarhus's access leaves København's alone.
#[tokio::test]
async fn user_ids_are_unique_per_municipality_not_across_them() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let (status, added) = call(
        &app,
        &issuer,
        "eva",
        reqwest::Method::POST,
        "/api/v1/admin/substitute-ids",
        Some(json!({"prefix": "vik", "from": 1, "to": 3})),
    )
    .await;
    assert_eq!((status, added["added"].as_u64()), (201, Some(3)), "{added}");

    let mut receipts = Vec::new();
    aarhus_orders(&app).await;
    for who in ["anna", "eva"] {
        let bearer = match who {
            "eva" => eva_orderer(&issuer),
            _ => token(KEY, Some("k1"), json!({"iss": issuer, "sub": who})),
        };
        assert_eq!(app.reserve(&bearer).await, "vik001", "{who}");
        let body = order_body("010190-1234", "Sofie Vikar Jensen", "vik001");
        let (status, receipt) = app.order(&bearer, Some(&format!("{who}-1")), &body).await;
        assert_eq!(status, 201, "{who}: {receipt}");
        receipts.push(receipt);
    }
    let db = sqlx::AnyPool::connect(&app.database_url).await.unwrap();
    let accounts = || async {
        sqlx::query_as::<_, (String, omsorg_server::db::Flag)>(
            "SELECT municipality_code, enabled FROM directory_accounts
             WHERE user_id = 'vik001' ORDER BY municipality_code",
        )
        .fetch_all(&db)
        .await
        .unwrap()
    };
    assert_eq!(
        accounts().await,
        [
            ("101".to_string(), Flag(true)),
            ("751".to_string(), Flag(true))
        ]
    );

    let (status, ended) = call(
        &app,
        &issuer,
        "eva",
        reqwest::Method::POST,
        &format!(
            "/api/v1/substitute-accesses/{}/end",
            receipts[1]["id"].as_str().unwrap()
        ),
        None,
    )
    .await;
    assert!(status < 300, "{status} {ended}");
    assert_eq!(
        accounts().await,
        [
            ("101".to_string(), Flag(true)),
            ("751".to_string(), Flag(false))
        ]
    );
    let states: Vec<(String, String)> = sqlx::query_as(
        "SELECT municipality_code, state FROM substitute_ids WHERE user_id = 'vik001'
         ORDER BY municipality_code",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(
        states,
        [
            ("101".to_string(), "in_use".to_string()),
            ("751".to_string(), "archived".to_string())
        ]
    );
}

/// An ID whose access has ended is archived, not reused at once; after the
/// quarantine (30 days by default, counted from the end) it is free again,
/// audited once, and offered to the next orderer.
#[tokio::test]
async fn an_archived_id_is_free_again_after_its_quarantine() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let db = sqlx::AnyPool::connect(&app.database_url).await.unwrap();
    // Only vik001 in the inventory: the rest are taken out of the way.
    sqlx::query("DELETE FROM substitute_ids WHERE user_id <> 'vik001'")
        .execute(&db)
        .await
        .unwrap();
    let anna = token(KEY, Some("k1"), json!({"iss": issuer, "sub": "anna"}));
    let user_id = app.reserve(&anna).await;
    assert_eq!(user_id, "vik001");
    let body = order_body("010190-1234", "Sofie Vikar Jensen", &user_id);
    let (status, receipt) = app.order(&anna, Some("q-1"), &body).await;
    assert_eq!(status, 201, "{receipt}");
    let ends = chrono::DateTime::parse_from_rfc3339(receipt["ends_at"].as_str().unwrap())
        .unwrap()
        .timestamp();
    let day = 86_400;
    // It expires at its end: archived, and none is free.
    omsorg_server::expiry::run_once(&app.state, ends + 1)
        .await
        .unwrap();
    let (status, none) = reserve(&app, &issuer, "anna").await;
    assert_eq!(status, 409, "{none}");
    let (_, list) = call(
        &app,
        &issuer,
        "bo",
        reqwest::Method::GET,
        "/api/v1/admin/substitute-ids",
        None,
    )
    .await;
    let vik = &list["ids"][0];
    assert_eq!(vik["state"], "archived", "{list}");
    let free_again = chrono::DateTime::parse_from_rfc3339(vik["free_again_at"].as_str().unwrap())
        .unwrap()
        .timestamp();
    assert_eq!(
        free_again,
        ends + 30 * day,
        "30 days after the access ended"
    );

    // A day short of the quarantine: still archived.
    omsorg_server::expiry::run_once(&app.state, ends + 29 * day)
        .await
        .unwrap();
    assert_eq!(reserve(&app, &issuer, "anna").await.0, 409);
    // Past it: free again, audited once even if the job runs twice.
    omsorg_server::expiry::run_once(&app.state, ends + 30 * day)
        .await
        .unwrap();
    omsorg_server::expiry::run_once(&app.state, ends + 30 * day + 60)
        .await
        .unwrap();
    let (audits,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'substitute_id.free_again' AND subject = '101/vik001'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(audits, 1);
    let (status, again) = reserve(&app, &issuer, "anna").await;
    assert_eq!((status, again["user_id"].as_str()), (201, Some("vik001")));
}

fn inventory_state(list: &Value, user_id: &str) -> Option<String> {
    list["ids"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["user_id"] == user_id)
        .map(|i| i["state"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn administrators_release_a_reservation_and_a_generator_keeps_the_pool_from_running_dry() {
    use reqwest::Method;
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let inventory = "/api/v1/admin/substitute-ids";

    // "Frigiv": anna's half-way reservation goes back to free; only bo
    // (København) can, and only a live reservation.
    let (_, held) = reserve(&app, &issuer, "anna").await;
    let id = held["user_id"].as_str().unwrap().to_string();
    let path = format!("{inventory}/{id}/reservation");
    let (status, refused) = call(&app, &issuer, "anna", Method::DELETE, &path, None).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (403, Some("auth.forbidden"))
    );
    let (status, _) = call(&app, &issuer, "eva", Method::DELETE, &path, None).await;
    assert_eq!(status, 404, "Aarhus's administrator: not theirs");
    let (status, _) = call(&app, &issuer, "bo", Method::DELETE, &path, None).await;
    assert_eq!(status, 204);
    let (_, list) = call(&app, &issuer, "bo", Method::GET, inventory, None).await;
    assert_eq!(inventory_state(&list, &id).as_deref(), Some("free"));
    let (status, _) = call(&app, &issuer, "bo", Method::DELETE, &path, None).await;
    assert_eq!(status, 404, "released once");

    // The generator: bad settings refused; at least 60 free kept with
    // "vik" + the next numbers (the seed has vik001-vik050).
    let generator = format!("{inventory}/generator");
    for bad in [
        json!({"prefix": "VIK", "min_free": 5}),
        json!({"prefix": "vik", "min_free": 201}),
        json!({"prefix": "vik"}),
    ] {
        let (status, refused) = call(
            &app,
            &issuer,
            "bo",
            Method::PUT,
            &generator,
            Some(bad.clone()),
        )
        .await;
        assert_eq!(
            (status, refused["code"].as_str()),
            (400, Some("request.invalid")),
            "{bad}"
        );
    }
    let (status, _) = call(
        &app,
        &issuer,
        "anna",
        Method::PUT,
        &generator,
        Some(json!({"prefix": "vik", "min_free": 60})),
    )
    .await;
    assert_eq!(status, 403);
    let (_, before) = call(&app, &issuer, "bo", Method::GET, inventory, None).await;
    let free = |list: &Value| {
        list["ids"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["state"] == "free")
            .count()
    };
    let had = free(&before);
    let (status, set) = call(
        &app,
        &issuer,
        "bo",
        Method::PUT,
        &generator,
        Some(json!({"prefix": "vik", "min_free": 60})),
    )
    .await;
    assert_eq!(
        (status, &set),
        (200, &json!({"prefix": "vik", "min_free": 60}))
    );
    let (_, after) = call(&app, &issuer, "bo", Method::GET, inventory, None).await;
    assert_eq!(free(&after), 60, "topped up from {had}");
    let added = 60 - had;
    let last = format!("vik{:03}", 50 + added);
    assert_eq!(
        inventory_state(&after, &last).as_deref(),
        Some("free"),
        "{after}"
    );
    assert_eq!(
        inventory_state(&after, &format!("vik{:03}", 51 + added)),
        None
    );
    let (_, read) = call(&app, &issuer, "bo", Method::GET, &generator, None).await;
    assert_eq!(read, set);
    // Aarhus has none.
    let (_, theirs) = call(&app, &issuer, "eva", Method::GET, &generator, None).await;
    assert_eq!(theirs["min_free"], 0);

    // Each reservation tops up first: the pool does not run dry.
    let (_, first) = reserve(&app, &issuer, "anna").await;
    let (_, later) = call(&app, &issuer, "bo", Method::GET, inventory, None).await;
    assert_eq!(free(&later), 59, "topped up, then one reserved");
    let (_, again) = reserve(&app, &issuer, "anna").await;
    assert_eq!(
        again["user_id"], first["user_id"],
        "still one reservation per orderer"
    );
    let (_, later) = call(&app, &issuer, "bo", Method::GET, inventory, None).await;
    assert_eq!(free(&later), 60);
    // Off: nothing more is added.
    let (status, off) = call(
        &app,
        &issuer,
        "bo",
        Method::PUT,
        &generator,
        Some(json!({"prefix": "vik", "min_free": 0})),
    )
    .await;
    assert_eq!((status, off["min_free"].as_u64()), (200, Some(0)));
}
