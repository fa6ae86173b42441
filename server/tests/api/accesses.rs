//! Ordering substitute access (SPEC C4): one access per Idempotency-Key, every
//! rule re-checked, the CPR number sealed at rest and never logged, and the
//! account made in the directory with a one-time password.

use serde_json::{json, Value};

use crate::helpers::*;

/// A real 1×1 PNG.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

struct Orderer<'a> {
    app: &'a TestApp,
    bearer: String,
}

impl Orderer<'_> {
    async fn post(&self, path: &str, key: Option<&str>, body: Value) -> (u16, Value) {
        let mut req = self
            .app
            .client
            .post(self.app.url(path))
            .bearer_auth(&self.bearer)
            .json(&body);
        if let Some(k) = key {
            req = req.header("idempotency-key", k);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn reserve(&self) -> String {
        let (status, r) = self
            .post("/api/v1/substitute-ids/reservations", None, json!({}))
            .await;
        assert_eq!(status, 201, "{r}");
        r["user_id"].as_str().unwrap().to_string()
    }

    async fn order(&self, key: Option<&str>, body: &Value) -> (u16, Value) {
        self.post("/api/v1/substitute-accesses", key, body.clone())
            .await
    }
}

fn order_for(user_id: &str) -> Value {
    json!({
        "cpr": "010190-1234",
        "confirmed_name": "Sofie Vikar Jensen",
        "id_document": "sundhedskort",
        "user_id": user_id,
        "declaration_version": omsorg_core::declaration::current().0,
        "signature_png": PNG,
    })
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

    let db = sqlx::SqlitePool::connect(&app.database_url).await.unwrap();
    let (accesses,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM substitute_accesses")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(accesses, 1);
    let (enabled, expires): (bool, i64) =
        sqlx::query_as("SELECT enabled, expires_at FROM directory_accounts WHERE user_id = ?1")
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
    let (state,): (String,) = sqlx::query_as("SELECT state FROM substitute_ids WHERE user_id = ?1")
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

    // Nothing of the number or the password in the database file in the clear.
    let path = app.database_url.trim_start_matches("sqlite://");
    let mut file = std::fs::read(path).unwrap();
    if let Ok(wal) = std::fs::read(format!("{path}-wal")) {
        file.extend(wal);
    }
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
        let mut b = order_for(&next);
        for (k, v) in change.as_object().unwrap() {
            b[k] = v.clone();
        }
        let (got, answer) = anna.order(Some(&format!("bad-{i}")), &b).await;
        assert_eq!((got, answer["code"].as_str()), (status, Some(code)), "{b}");
    }
    let (status, missing) = anna.order(None, &order_for(&next)).await;
    assert_eq!(
        (status, missing["code"].as_str()),
        (400, Some("request.invalid")),
        "no key"
    );
    // 30 days exactly is allowed, with the failed keys free to be used again.
    let mut thirty = order_for(&next);
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
