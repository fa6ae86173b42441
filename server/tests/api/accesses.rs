//! Ordering substitute access (SPEC C4): one access per Idempotency-Key, every
//! rule re-checked, the CPR number sealed at rest and never logged, and the
//! account made in the directory with a one-time password.

use base64::Engine;
use omsorg_server::db::Flag;
use serde_json::{json, Value};

use crate::helpers::*;

struct Orderer<'a> {
    app: &'a TestApp,
    bearer: String,
}

impl Orderer<'_> {
    async fn reserve(&self) -> String {
        self.app.reserve(&self.bearer).await
    }

    async fn order(&self, key: Option<&str>, body: &Value) -> (u16, Value) {
        self.app.order(&self.bearer, key, body).await
    }
}

fn order_for(user_id: &str) -> Value {
    order_body("010190-1234", "Sofie Vikar Jensen", user_id)
}

#[tokio::test]
async fn one_order_per_key_every_rule_rechecked_and_the_cpr_sealed() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let bearer = |who: &str| token(KEY, Some("k1"), json!({"iss": issuer, "sub": who}));
    let anna = Orderer {
        app: &app,
        bearer: bearer("anna"),
    };
    let user_id = anna.reserve().await;
    let body = order_for(&user_id);

    let (status, receipt) = anna.order(Some("order-1"), &body).await;
    assert_eq!(status, 201, "{receipt}");
    assert_eq!(receipt["user_id"], user_id.as_str());
    assert_eq!(receipt["substitute_name"], "Sofie Vikar Jensen");
    let password = receipt["initial_password"].as_str().unwrap().to_string();
    assert_eq!(password.len(), 14, "XXXX-XXXX-XXXX: {password}");
    let at = |k: &str| chrono::DateTime::parse_from_rfc3339(receipt[k].as_str().unwrap()).unwrap();
    assert_eq!(
        (at("ends_at") - at("starts_at")).num_days(),
        3,
        "three days by default"
    );

    // A retry (say, after a lost answer) replays the same receipt: one access.
    let (status, again) = anna.order(Some("order-1"), &body).await;
    assert_eq!((status, &again), (201, &receipt));
    let mut other = body.clone();
    other["id_document"] = json!("pas");
    let (status, refused) = anna.order(Some("order-1"), &other).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (409, Some("request.idempotency_mismatch"))
    );
    // The reservation is spent: a new key cannot make a second access with it.
    let (status, refused) = anna.order(Some("order-2"), &body).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (409, Some("reservation.invalid"))
    );

    let db = sqlx::AnyPool::connect(&app.database_url).await.unwrap();
    let (accesses,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM substitute_accesses")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(accesses, 1);
    let (Flag(enabled), expires): (Flag, i64) =
        sqlx::query_as("SELECT enabled, expires_at FROM directory_accounts WHERE user_id = $1")
            .bind(&user_id)
            .fetch_one(&db)
            .await
            .unwrap();
    assert!(enabled);
    assert_eq!(
        expires,
        at("ends_at").timestamp(),
        "the account ends with the access"
    );
    let (state,): (String,) = sqlx::query_as("SELECT state FROM substitute_ids WHERE user_id = $1")
        .bind(&user_id)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(state, "in_use");
    let (audits,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action = 'substitute_access.created'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(audits, 1);
    db.close().await;

    // Nothing of the number or the password in the database's files in the clear.
    let file = crate::databases::bytes_on_disk(&app.database_url).await;
    let has = |needle: &str| file.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(
        !has("0101901234") && !has("010190-1234") && !has("010190"),
        "CPR in the clear"
    );
    assert!(!has(&password), "password in the clear");

    // Every rule again, on the server.
    let next = anna.reserve().await;
    let cases: Vec<(Value, u16, &str)> = vec![
        (
            json!({"end": (chrono::Utc::now() + chrono::Duration::days(31)).to_rfc3339()}),
            422,
            "period.too_long",
        ),
        (
            json!({"end": (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339()}),
            422,
            "period.in_past",
        ),
        (json!({"cpr": "310290-1234"}), 400, "cpr.invalid"),
        (json!({"cpr": "020290-0000"}), 404, "cpr.not_found"),
        (
            json!({"confirmed_name": "Someone Else"}),
            400,
            "request.invalid",
        ),
        (
            json!({"declaration_version": "1999-1"}),
            400,
            "request.invalid",
        ),
        (
            json!({"signature_png": "bm90IGEgcG5n"}),
            400,
            "request.invalid",
        ),
        (json!({"signature_png": ""}), 400, "request.invalid"),
        (json!({"user_id": "vik049"}), 409, "reservation.invalid"),
    ];
    for (i, (change, status, code)) in cases.into_iter().enumerate() {
        let mut b = test_order_body(1, &next);
        for (k, v) in change.as_object().unwrap() {
            b[k] = v.clone();
        }
        let (got, answer) = anna.order(Some(&format!("bad-{i}")), &b).await;
        assert_eq!((got, answer["code"].as_str()), (status, Some(code)), "{b}");
    }
    let (status, missing) = anna.order(None, &test_order_body(1, &next)).await;
    assert_eq!(
        (status, missing["code"].as_str()),
        (400, Some("request.invalid")),
        "no key"
    );
    // 30 days exactly is allowed, with the failed keys free to be used again.
    let mut thirty = test_order_body(1, &next);
    thirty["end"] = json!((chrono::Utc::now() + chrono::Duration::days(30)
        - chrono::Duration::minutes(1))
    .to_rfc3339());
    assert_eq!(anna.order(Some("bad-0"), &thirty).await.0, 201);

    let carl = Orderer {
        app: &app,
        bearer: bearer("carl"),
    };
    let (status, refused) = carl.order(Some("c-1"), &order_for("vik010")).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (403, Some("auth.forbidden"))
    );

    let logs = captured_logs();
    assert!(
        !logs.contains("0101901234") && !logs.contains("010190-1234"),
        "CPR in the logs"
    );
    assert!(!logs.contains(&password), "password in the logs");
    assert!(logs.contains("substitute access created"));
}

async fn get_list(app: &TestApp, bearer: &str) -> Vec<Value> {
    let res = app
        .client
        .get(app.url("/api/v1/substitute-accesses"))
        .bearer_auth(bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    res.json::<Value>().await.unwrap()["accesses"]
        .as_array()
        .unwrap()
        .clone()
}

async fn account_enabled(app: &TestApp, user_id: &str) -> bool {
    let db = sqlx::AnyPool::connect(&app.database_url).await.unwrap();
    let (Flag(enabled),): (Flag,) =
        sqlx::query_as("SELECT enabled FROM directory_accounts WHERE user_id = $1")
            .bind(user_id)
            .fetch_one(&db)
            .await
            .unwrap();
    db.close().await;
    enabled
}

#[tokio::test]
async fn orders_are_listed_extended_ended_and_expire_by_themselves() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let bearer = |who: &str| token(KEY, Some("k1"), json!({"iss": issuer, "sub": who}));
    let anna = Orderer {
        app: &app,
        bearer: bearer("anna"),
    };
    let first = anna.reserve().await;
    let (_, r1) = anna.order(Some("a-1"), &order_for(&first)).await;
    // Another substitute: one person has one live access at a time.
    let second = anna.reserve().await;
    let mikkel = order_body("150605-4321", "Mikkel Vikar Nielsen", &second);
    let (_, r2) = anna.order(Some("a-2"), &mikkel).await;
    let id1 = r1["id"].as_str().unwrap().to_string();
    let id2 = r2["id"].as_str().unwrap().to_string();

    // Anna sees hers, masked; bo (administrator) sees the municipality's; carl none.
    let mine = get_list(&app, &bearer("anna")).await;
    assert_eq!(mine.len(), 2);
    let sofie = mine.iter().find(|o| o["id"] == id1.as_str()).unwrap();
    assert_eq!(sofie["cpr_masked"], "010190-XXXX");
    assert_eq!(sofie["orderer_name"], "Anna Andersen");
    assert_eq!(sofie["unit"]["name"], "Hjemmeplejen Nord");
    assert!(sofie["ended_at"].is_null());
    assert_eq!(get_list(&app, &bearer("bo")).await.len(), 2);
    assert!(get_list(&app, &bearer("carl")).await.is_empty());
    assert!(
        get_list(&app, &bearer("eva")).await.is_empty(),
        "another municipality"
    );

    // Extend within 30 days of the start; not beyond; not for strangers.
    let starts = chrono::DateTime::parse_from_rfc3339(r1["starts_at"].as_str().unwrap()).unwrap();
    let extend = |who: &str, id: &str, end: chrono::DateTime<chrono::FixedOffset>| {
        let (bearer, url) = (
            bearer(who),
            app.url(&format!("/api/v1/substitute-accesses/{id}/extend")),
        );
        let client = app.client.clone();
        async move {
            let res = client
                .post(url)
                .bearer_auth(bearer)
                .json(&json!({"end": end.to_rfc3339()}))
                .send()
                .await
                .unwrap();
            (res.status().as_u16(), res.json::<Value>().await.unwrap())
        }
    };
    let (status, longer) = extend("anna", &id1, starts + chrono::Duration::days(10)).await;
    assert_eq!(status, 200, "{longer}");
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(longer["ends_at"].as_str().unwrap()).unwrap(),
        starts + chrono::Duration::days(10)
    );
    let (status, refused) = extend("anna", &id1, starts + chrono::Duration::days(31)).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (422, Some("period.too_long"))
    );
    assert_eq!(
        extend("carl", &id1, starts + chrono::Duration::days(5))
            .await
            .0,
        404
    );

    // bo ends the first early: the account goes at once.
    let res = app
        .client
        .post(app.url(&format!("/api/v1/substitute-accesses/{id1}/end")))
        .bearer_auth(bearer("bo"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let ended: Value = res.json().await.unwrap();
    assert!(!ended["ended_at"].is_null());
    assert!(!account_enabled(&app, &first).await);
    assert_eq!(
        extend("anna", &id1, starts + chrono::Duration::days(5))
            .await
            .0,
        400,
        "over is over"
    );

    // Time moves on four days: the second (3 days) expires by itself.
    let later = chrono::Utc::now().timestamp() + 4 * 86_400;
    assert_eq!(
        omsorg_server::expiry::run_once(&app.state, later)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        omsorg_server::expiry::run_once(&app.state, later)
            .await
            .unwrap(),
        0,
        "once only"
    );
    assert!(!account_enabled(&app, &second).await);
    let db = sqlx::AnyPool::connect(&app.database_url).await.unwrap();
    let (alive,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM substitute_accesses WHERE ended_at IS NULL AND ends_at <= $1",
    )
    .bind(later)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(alive, 0, "nothing alive past its end");
    let (archived,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM substitute_ids WHERE state = 'archived'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(archived, 2);
    db.close().await;
    assert_eq!(
        get_list(&app, &bearer("anna"))
            .await
            .iter()
            .filter(|a| a["ended_at"].is_null())
            .count(),
        0
    );
    let expired = get_list(&app, &bearer("anna")).await;
    let expired = expired.iter().find(|a| a["id"] == id2.as_str()).unwrap();
    assert_eq!(
        expired["ended_at"], expired["ends_at"],
        "closed as of its end, not of the run"
    );
}

#[tokio::test]
async fn an_access_that_ended_while_the_backend_was_down_is_closed_at_start() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let anna = Orderer {
        app: &app,
        bearer: token(KEY, Some("k1"), json!({"iss": issuer, "sub": "anna"})),
    };
    let user_id = anna.reserve().await;
    assert_eq!(anna.order(Some("k"), &order_for(&user_id)).await.0, 201);
    // Its end passes while nobody runs the backend.
    let db = sqlx::AnyPool::connect(&app.database_url).await.unwrap();
    sqlx::query("UPDATE substitute_accesses SET ends_at = $1")
        .bind(chrono::Utc::now().timestamp() - 60)
        .execute(&db)
        .await
        .unwrap();
    db.close().await;
    let TestApp {
        dir, database_url, ..
    } = app;
    let restarted = spawn_app_on(&issuer, dir, database_url).await;
    // The start-up run is a background task: wait for it (the ceiling is
    // for a loaded machine, not a speed target).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let mut closed = false;
    while std::time::Instant::now() < deadline {
        if !account_enabled(&restarted, &user_id).await {
            closed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(closed, "the start-up run disabled the account");
}

#[tokio::test]
async fn the_org_directory_names_the_unit_and_its_nearest_manager() {
    use omsorg_server::org_directory::{unit_of, Manager};
    let app = spawn_app().await;
    let org = app.state.org.as_ref();
    let nord = unit_of(org, Some("kbh-hjemmepleje-nord"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(nord.name, "Hjemmeplejen Nord");
    assert_eq!(
        nord.manager,
        Some(Manager {
            name: "Mette Madsen".into(),
            email: "mette@kbh.example".into()
        })
    );
    assert_eq!(unit_of(org, Some("no-such-unit")).await.unwrap(), None);
    assert_eq!(unit_of(org, None).await.unwrap(), None);
}

/// The one-time password is in the first answer and in a retry soon after
/// (a lost answer); a replay of the key after 15 minutes has the receipt
/// without it, and it is gone for good.
#[tokio::test]
async fn the_one_time_password_is_replayed_only_for_a_short_while() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let anna = token(KEY, Some("k1"), json!({"iss": issuer, "sub": "anna"}));
    let body = order_for(&app.reserve(&anna).await);
    let (status, first) = app.order(&anna, Some("pw-1"), &body).await;
    assert_eq!(status, 201, "{first}");
    assert!(first["initial_password"].is_string());
    assert_eq!(
        app.order(&anna, Some("pw-1"), &body).await.1,
        first,
        "a retry soon after"
    );

    let db = sqlx::AnyPool::connect(&app.database_url).await.unwrap();
    let age = |secs: i64| {
        let db = db.clone();
        async move {
            sqlx::query("UPDATE idempotency_keys SET created_at = $1 WHERE key = 'pw-1'")
                .bind(chrono::Utc::now().timestamp() - secs)
                .execute(&db)
                .await
                .unwrap();
        }
    };
    age(16 * 60).await;
    let (status, late) = app.order(&anna, Some("pw-1"), &body).await;
    assert_eq!(status, 201);
    assert_eq!(late["id"], first["id"], "the same order");
    assert!(late["initial_password"].is_null(), "{late}");
    // Dropped, not hidden: even a replay dated back within the window has none.
    age(0).await;
    assert!(app.order(&anna, Some("pw-1"), &body).await.1["initial_password"].is_null());
}

/// A real PNG of 16384 × 16384 px in 32 KiB (a gigabyte once decoded):
/// refused by its header with 422 before anything decodes it, and the
/// reservation stays the orderer's.
#[tokio::test]
async fn a_signature_image_declaring_a_huge_size_is_refused_before_decoding() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let anna = token(KEY, Some("k1"), json!({"iss": issuer, "sub": "anna"}));
    let user_id = app.reserve(&anna).await;
    let huge = include_bytes!("../fixtures/huge-signature.png");
    assert!(huge.len() < 256 * 1024);
    let mut body = order_for(&user_id);
    body["signature_png"] = json!(base64::engine::general_purpose::STANDARD.encode(huge));
    let (status, refused) = app.order(&anna, Some("huge-1"), &body).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (422, Some("signature.too_large")),
        "{refused}"
    );
    // Nothing was used up: the same order with a real signature goes through.
    let (status, made) = app.order(&anna, Some("huge-2"), &order_for(&user_id)).await;
    assert_eq!(status, 201, "{made}");
}
