//! `GET /api/v1/care-record` (SPEC C5): where the acting unit's care record
//! is and how the app logs in to it, for the person's own municipality.

use serde_json::{json, Value};

use crate::helpers::*;

async fn care_record(app: &TestApp, bearer: Option<&str>) -> (u16, Value) {
    let mut req = app.client.get(app.url("/api/v1/care-record"));
    if let Some(t) = bearer {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap_or_default())
}

#[tokio::test]
async fn each_person_gets_their_own_units_care_record_and_nothing_without_one() {
    let issuer = spawn_issuer().await;
    let dir = tempfile::tempdir().unwrap();
    let url = crate::databases::fresh(dir.path(), "care").await;
    let app = spawn_app_configured(&issuer, dir, url, |c| {
        c.dev_seed.as_mut().unwrap().care_record = Some("http://127.0.0.1:9/fhir".into());
    })
    .await;
    let anna = token(KEY, Some("k1"), json!({"iss": issuer}));
    let (status, body) = care_record(&app, Some(&anna)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["fhir_base"], "http://127.0.0.1:9/fhir");
    assert_eq!(body["issuer"], issuer.as_str());
    assert_eq!(body["client_id"], "omsorg-care");
    assert_eq!(body["resource"], "urn:omsorg:care-record");
    // Hjemmeplejen Nord's organization, not another unit's.
    assert_eq!(body["organization"], "2f1b7a64-0d7e-4c55-9a43-6a1c1f1e2a01");

    let carl = token(KEY, Some("k1"), json!({"iss": issuer, "sub": "carl"}));
    let (status, body) = care_record(&app, Some(&carl)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["organization"], "7a4e2b91-3c6d-4f80-b1e2-6d5c4b3a2f04");

    let (status, body) = care_record(&app, None).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("auth.invalid_token"))
    );

    // A deployment without a care record says so.
    let plain = spawn_app_trusting(&issuer).await;
    let (status, body) = care_record(&plain, Some(&anna)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("care.not_configured"))
    );
}
