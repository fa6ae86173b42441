//! Retention with an injected clock: an ended access's sealed CPR number,
//! signature and PDF are erased after their period, and with them every
//! way to find or show them; sent mail, old sessions and idempotency keys go
//! too; nothing is erased before its time.

use omsorg_server::retention::{run_once, Retention};
use reqwest::Method;
use serde_json::json;

use crate::helpers::*;

const DAY: i64 = 24 * 3600;

#[tokio::test]
async fn personal_data_is_erased_after_its_period_and_not_before() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let bearer = |who: &str| token(KEY, Some("k1"), json!({"iss": issuer, "sub": who}));
    let (anna, bo) = (bearer("anna"), format!("Bearer {}", bearer("bo")));
    let body = order_body(
        "010190-1234",
        "Sofie Vikar Jensen",
        &app.reserve(&anna).await,
    );
    let (status, receipt) = app.order(&anna, Some("keep-1"), &body).await;
    assert_eq!(status, 201, "{receipt}");
    let id = receipt["id"].as_str().unwrap().to_string();
    let end = format!("/api/v1/substitute-accesses/{id}/end");
    let (status, _) = app
        .call(Method::POST, &end, &format!("Bearer {anna}"), &[], None)
        .await;
    assert!(status < 300, "ended: {status}");
    let db = sqlx::AnyPool::connect(&app.database_url).await.unwrap();
    sqlx::query("UPDATE mail_outbox SET sent_at = $1")
        .bind(chrono::Utc::now().timestamp())
        .execute(&db)
        .await
        .unwrap();
    let search = || {
        let (app, bo) = (&app, bo.clone());
        async move {
            let q = json!({"cpr": "010190-1234"});
            app.call(
                Method::POST,
                "/api/v1/declarations/search",
                &bo,
                &[],
                Some(&q),
            )
            .await
            .1
        }
    };
    assert_eq!(search().await["declarations"].as_array().unwrap().len(), 1);

    let now = chrono::Utc::now().timestamp();
    let keep = Retention::default();
    // A year on: the declaration is kept; mail, keys go.
    let year = run_once(&db, &keep, now + 365 * DAY).await.unwrap();
    assert_eq!(year.declarations, 0);
    assert!(year.mail >= 1 && year.idempotency == 1, "{year:?}");
    assert_eq!(search().await["declarations"].as_array().unwrap().len(), 1);
    // Five years and a day after it ended: erased, and no longer found.
    let later = run_once(&db, &keep, now + (keep.declarations_days + 1) * DAY)
        .await
        .unwrap();
    assert_eq!(later.declarations, 1, "{later:?}");
    assert_eq!(search().await["declarations"].as_array().unwrap().len(), 0);
    let (sealed, signature, pdf): (Vec<u8>, Vec<u8>, Option<Vec<u8>>) = sqlx::query_as(
        "SELECT cpr_sealed, signature_png, declaration_pdf FROM substitute_accesses WHERE id = $1",
    )
    .bind(&id)
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(sealed.is_empty() && signature.is_empty() && pdf.is_none());
    let pdf_path = format!("/api/v1/declarations/{id}/pdf");
    assert_eq!(
        app.call(Method::GET, &pdf_path, &bo, &[], None).await.0,
        404
    );
    // The order itself stays for the audit: who, which user ID, when.
    let (user_id, name): (String, String) =
        sqlx::query_as("SELECT user_id, substitute_name FROM substitute_accesses WHERE id = $1")
            .bind(&id)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(
        (user_id.as_str(), name.as_str()),
        (body["user_id"].as_str().unwrap(), "Sofie Vikar Jensen")
    );
    // A second run finds nothing more to do.
    let again = run_once(&db, &keep, now + (keep.declarations_days + 1) * DAY)
        .await
        .unwrap();
    assert_eq!(
        again.declarations + again.mail + again.idempotency,
        0,
        "{again:?}"
    );
}
