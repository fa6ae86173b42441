//! An order is one recoverable unit. The backend, a real process on a
//! database file, is killed with SIGKILL inside orders at three points (as
//! the request arrives, with the key claimed, and with the order recorded
//! but its directory account not yet made), restarted on the same
//! database, and the client retries with the same Idempotency-Key as the
//! app does: no order is lost, none is made twice, each one-time password
//! opens its account, and each access is mailed exactly twice. And when the
//! directory refuses, the order is undone: no mail, audited as undone.

use std::path::Path;
use std::time::Duration;

use omsorg_server::db::Flag;
use serde_json::{json, Value};
use sqlx::AnyPool;

use crate::helpers::*;

const PEPPER: &str = "crash-test-pepper-of-sixteen";

/// The backend as a real process on the database at `database_url`.
async fn start(issuer: &str, dir: &Path, database_url: &str, run: usize) -> ServerProcess {
    let log = dir.join(format!("server-{run}.log"));
    let env = [
        ("OMSORG_PIN_PEPPER", PEPPER),
        ("OMSORG_ORDER_LEASE_SECS", "2"),
        // Wide enough to kill the backend inside it every time.
        ("OMSORG_DEV_DIRECTORY_LATENCY_MS", "1500"),
        ("RUST_LOG", "info"),
    ];
    ServerProcess::start(issuer, database_url, &log, &env).await
}

async fn send(base: &str, bearer: &str, key: &str, body: &Value) -> reqwest::Result<(u16, Value)> {
    let res = reqwest::Client::new()
        .post(format!("{base}/api/v1/substitute-accesses"))
        .bearer_auth(bearer)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await?;
    let status = res.status().as_u16();
    Ok((status, res.json().await.unwrap_or(Value::Null)))
}

/// The app's retry: the same key and body until answered; `429` (the first
/// request's claim still running) and a lost connection are waited out.
async fn retry(base: &str, bearer: &str, key: &str, body: &Value) -> Value {
    for _ in 0..60 {
        match send(base, bearer, key, body).await {
            Ok((201, receipt)) => return receipt,
            Ok((429, _)) | Err(_) => tokio::time::sleep(Duration::from_millis(250)).await,
            Ok((status, answer)) => panic!("{key}: {status} {answer}"),
        }
    }
    panic!("{key}: never answered")
}

async fn reserve(base: &str, bearer: &str) -> String {
    let res = reqwest::Client::new()
        .post(format!("{base}/api/v1/substitute-ids/reservations"))
        .bearer_auth(bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 201);
    let r: Value = res.json().await.unwrap();
    r["user_id"].as_str().unwrap().to_string()
}

/// Waits until `sql` (one count) is non-zero on the backend's database.
async fn until(db: &AnyPool, sql: &str, key: &str) {
    for _ in 0..20_000 {
        let (n,): (i64,) = sqlx::query_as(sql).bind(key).fetch_one(db).await.unwrap();
        if n > 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    panic!("never: {sql}");
}

async fn count(db: &AnyPool, sql: &str) -> i64 {
    sqlx::query_as::<_, (i64,)>(sql)
        .fetch_one(db)
        .await
        .unwrap()
        .0
}

#[tokio::test]
async fn a_backend_killed_inside_orders_loses_none_and_duplicates_none() {
    let issuer = spawn_issuer().await;
    let dir = tempfile::tempdir().unwrap();
    let url = crate::databases::fresh(dir.path(), "crash").await;
    let anna = token(KEY, Some("k1"), json!({"iss": issuer, "sub": "anna"}));
    let mut backend = start(&issuer, dir.path(), &url, 0).await;
    let db = AnyPool::connect(&url).await.unwrap();

    let mut receipts = Vec::new();
    for (n, point) in ["arriving", "claimed", "recorded"].into_iter().enumerate() {
        let key = format!("crash-{point}");
        let body = test_order_body(n as u16, &reserve(&backend.base, &anna).await);
        let first = tokio::spawn({
            let (base, anna, key, body) = (
                backend.base.clone(),
                anna.clone(),
                key.clone(),
                body.clone(),
            );
            async move { send(&base, &anna, &key, &body).await }
        });
        match point {
            "arriving" => tokio::time::sleep(Duration::from_millis(2)).await,
            "claimed" => {
                until(
                    &db,
                    "SELECT COUNT(*) FROM idempotency_keys WHERE key = $1",
                    &key,
                )
                .await
            }
            _ => {
                until(
                    &db,
                    "SELECT COUNT(*) FROM idempotency_keys
                     WHERE key = $1 AND access_id IS NOT NULL AND receipt_sealed IS NULL",
                    &key,
                )
                .await
            }
        }
        backend.kill().await;
        if let Ok((status, answer)) = first.await.unwrap() {
            // Only "arriving" can have been answered before the kill.
            assert_eq!(point, "arriving", "{status} {answer}");
        }
        if point == "recorded" {
            assert_eq!(
                count(&db, "SELECT COUNT(*) FROM mail_outbox").await,
                4,
                "no mail for an order that is not whole"
            );
        }
        backend = start(&issuer, dir.path(), &url, n + 1).await;
        let receipt = retry(&backend.base, &anna, &key, &body).await;
        assert_eq!(receipt["user_id"], body["user_id"], "{point}");
        receipts.push(receipt);
    }

    // 0 lost, 0 duplicated: one whole access per order, each with its ID.
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM substitute_accesses").await,
        3
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM substitute_accesses WHERE completed_at IS NOT NULL"
        )
        .await,
        3
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(DISTINCT user_id) FROM substitute_accesses"
        )
        .await,
        3
    );
    let hasher = omsorg_server::pin::PinHasher::new(PEPPER.as_bytes(), 1);
    for receipt in &receipts {
        let user_id = receipt["user_id"].as_str().unwrap();
        let id = receipt["id"].as_str().unwrap();
        // The one-time password was had, and it opens the account.
        let password = receipt["initial_password"].as_str().expect("the password");
        let (Flag(enabled), hash): (Flag, String) = sqlx::query_as(
            "SELECT enabled, password_hash FROM directory_accounts WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_one(&db)
        .await
        .unwrap();
        assert!(enabled, "{user_id}");
        assert!(hasher.verify(password, &hash).await.unwrap(), "{user_id}");
        let (mails,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM mail_outbox WHERE body LIKE $1")
                .bind(format!("%Ordrenummer: {id}%"))
                .fetch_one(&db)
                .await
                .unwrap();
        assert_eq!(mails, 2, "orderer and manager, once each: {id}");
        let (created,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'substitute_access.created' AND subject = $1",
        )
        .bind(id)
        .fetch_one(&db)
        .await
        .unwrap();
        assert_eq!(created, 1, "{id}");
    }
    assert_eq!(count(&db, "SELECT COUNT(*) FROM mail_outbox").await, 6);
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM idempotency_keys WHERE receipt_sealed IS NULL"
        )
        .await,
        0
    );
    backend.kill().await;
}

/// Nobody retries: the order a crash left recorded is made whole by the
/// restarted backend itself once its claim has run out.
#[tokio::test]
async fn a_recorded_order_nobody_retries_is_finished_after_a_restart() {
    let issuer = spawn_issuer().await;
    let dir = tempfile::tempdir().unwrap();
    let url = crate::databases::fresh(dir.path(), "crash").await;
    let anna = token(KEY, Some("k1"), json!({"iss": issuer, "sub": "anna"}));
    let backend = start(&issuer, dir.path(), &url, 0).await;
    let db = AnyPool::connect(&url).await.unwrap();
    let body = test_order_body(100, &reserve(&backend.base, &anna).await);
    let first = tokio::spawn({
        let (base, anna, body) = (backend.base.clone(), anna.clone(), body.clone());
        async move { send(&base, &anna, "lonely", &body).await }
    });
    until(
        &db,
        "SELECT COUNT(*) FROM idempotency_keys WHERE key = $1 AND access_id IS NOT NULL",
        "lonely",
    )
    .await;
    backend.kill().await;
    assert!(
        first.await.unwrap().is_err(),
        "no answer from a killed backend"
    );
    let list = |base: String| {
        let anna = anna.clone();
        async move {
            let res = reqwest::Client::new()
                .get(format!("{base}/api/v1/substitute-accesses"))
                .bearer_auth(anna)
                .send()
                .await
                .unwrap();
            res.json::<Value>().await.unwrap()["accesses"]
                .as_array()
                .unwrap()
                .len()
        }
    };

    let backend = start(&issuer, dir.path(), &url, 1).await;
    assert_eq!(
        list(backend.base.clone()).await,
        0,
        "not listed before it is whole"
    );
    // The restart's recovery runs at start and once per lease (2 s here).
    for _ in 0..200 {
        if count(
            &db,
            "SELECT COUNT(*) FROM substitute_accesses WHERE completed_at IS NOT NULL",
        )
        .await
            == 1
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(list(backend.base.clone()).await, 1, "whole, and listed");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM mail_outbox").await, 2);
    // The app's retry, even much later, gets the receipt.
    let receipt = retry(&backend.base, &anna, "lonely", &body).await;
    assert_eq!(receipt["user_id"], body["user_id"]);
    assert!(receipt["initial_password"].is_string());
    backend.kill().await;
}

/// The directory refuses: the order is undone in one piece. No mail went
/// out, the audit says undone, the ID is the orderer's again, and the same
/// order with the same key succeeds once the directory takes it.
#[tokio::test]
async fn an_order_the_directory_refuses_is_undone_without_mail() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let anna = token(KEY, Some("k1"), json!({"iss": issuer, "sub": "anna"}));
    let db = AnyPool::connect(&app.database_url).await.unwrap();
    // The dev directory's table refuses every new account.
    let down = match omsorg_server::db::Backend::of_pool(&db) {
        omsorg_server::db::Backend::Sqlite => {
            "CREATE TRIGGER directory_down BEFORE INSERT ON directory_accounts
             BEGIN SELECT RAISE(ABORT, 'the directory is down'); END"
        }
        omsorg_server::db::Backend::Postgres => {
            "CREATE FUNCTION directory_down() RETURNS trigger LANGUAGE plpgsql
                 AS $$ BEGIN RAISE EXCEPTION 'the directory is down'; END $$;
             CREATE TRIGGER directory_down BEFORE INSERT ON directory_accounts
                 FOR EACH ROW EXECUTE FUNCTION directory_down()"
        }
    };
    sqlx::raw_sql(down).execute(&db).await.unwrap();
    let user_id = app.reserve(&anna).await;
    let body = test_order_body(200, &user_id);
    let (status, answer) = app.order(&anna, Some("refused"), &body).await;
    assert_eq!(status, 500, "{answer}");

    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM substitute_accesses").await,
        0
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM mail_outbox").await,
        0,
        "no mail"
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'substitute_access.undone'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'substitute_access.created'"
        )
        .await,
        0
    );
    let (state, reserved_by): (String, Option<i64>) =
        sqlx::query_as("SELECT state, reserved_by FROM substitute_ids WHERE user_id = $1")
            .bind(&user_id)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(state, "reserved");
    assert!(reserved_by.is_some());

    let up = match omsorg_server::db::Backend::of_pool(&db) {
        omsorg_server::db::Backend::Sqlite => "DROP TRIGGER directory_down",
        omsorg_server::db::Backend::Postgres => "DROP TRIGGER directory_down ON directory_accounts",
    };
    sqlx::query(up).execute(&db).await.unwrap();
    let (status, receipt) = app.order(&anna, Some("refused"), &body).await;
    assert_eq!(status, 201, "{receipt}");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM mail_outbox").await, 2);
}
