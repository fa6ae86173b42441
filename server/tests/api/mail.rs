//! Notifications (SPEC C4): the orderer and the unit's manager get a Danish
//! mail without the CPR number, through a real SMTP server on loopback; a
//! mail server that is down never fails the order, and the mail waits.

use serde_json::{json, Value};

use crate::helpers::*;

use crate::smtp::smtp_server;

async fn order(app: &TestApp, issuer: &str) -> Value {
    let bearer = token(KEY, Some("k1"), json!({"iss": issuer, "sub": "anna"}));
    let user_id = app.reserve(&bearer).await;
    let body = order_body("010190-1234", "Sofie Vikar Jensen", &user_id);
    let (status, receipt) = app.order(&bearer, Some("mail-1"), &body).await;
    assert_eq!(status, 201, "{receipt}");
    receipt
}

async fn app_with_smtp(issuer: &str, smtp: String) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let url = crate::databases::fresh(dir.path(), "test").await;
    spawn_app_configured(issuer, dir, url, |c| c.smtp_url = Some(smtp)).await
}

#[tokio::test]
async fn the_orderer_and_the_manager_get_a_danish_mail_without_the_cpr_number() {
    let issuer = spawn_issuer().await;
    let (smtp, mails) = smtp_server();
    let app = app_with_smtp(&issuer, smtp).await;
    let receipt = order(&app, &issuer).await;

    let run = omsorg_server::mail::run_once(&app.state).await.unwrap();
    assert_eq!(run.waiting, 0, "{run:?}");
    let mails = mails.lock().unwrap().clone();
    let mut to: Vec<String> = mails.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(to, ["anna@kbh.example", "mette@kbh.example"]);
    for m in &mails {
        assert!(
            m.data.contains("Subject: Vikaradgang bestilt:"),
            "{}",
            m.data
        );
        let user_id = receipt["user_id"].as_str().unwrap();
        assert!(m.data.contains(user_id));
        assert!(m.data.contains("Sofie Vikar Jensen"));
        assert!(
            !m.data.contains("010190") && !m.data.contains("1234"),
            "no CPR: {}",
            m.data
        );
        assert!(
            !m.data
                .contains(receipt["initial_password"].as_str().unwrap()),
            "no password"
        );
    }
}

#[tokio::test]
async fn a_mail_server_that_is_down_never_fails_the_order_and_the_mail_waits() {
    let issuer = spawn_issuer().await;
    // A port where nothing listens.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("smtp://{}", closed.local_addr().unwrap());
    drop(closed);
    let app = app_with_smtp(&issuer, dead).await;
    order(&app, &issuer).await;

    let run = omsorg_server::mail::run_once(&app.state).await.unwrap();
    assert_eq!((run.sent, run.waiting), (0, 2));
    let db = sqlx::AnyPool::connect(&app.database_url).await.unwrap();
    let (attempts, errors): (i64, i64) = sqlx::query_as(
        "SELECT MIN(attempts), COUNT(last_error) FROM mail_outbox WHERE sent_at IS NULL",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(
        (attempts, errors),
        (1, 2),
        "tried, and kept with the reason"
    );
    db.close().await;
    assert!(
        captured_logs().contains("mail queue"),
        "the queue is visible in the logs"
    );
}
