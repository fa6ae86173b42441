//! The dev care record behaves as a care record must: only its own
//! audience's unexpired tokens from the trusted issuer, one stored
//! measurement per registration however often it is sent.

use axum::routing::get;
use axum::Json;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use omsorg_dev_care_record::{CareRecord, Settings, DEFAULT_AUDIENCE};
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use serde_json::{json, Value};

const KEY: &str = include_str!("../../tests/fixtures/test-signing-key.pem");
const OTHER_KEY: &str = include_str!("../../tests/fixtures/other-signing-key.pem");
const NORD: &str = "2f1b7a64-0d7e-4c55-9a43-6a1c1f1e2a01";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// An issuer serving discovery and the fixture key's JWKS.
async fn issuer() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(KEY).unwrap();
    let jwk = json!({"kty": "RSA", "use": "sig", "alg": "RS256", "kid": "k1",
                     "n": b64(&key.n().to_bytes_be()), "e": b64(&key.e().to_bytes_be())});
    let discovery = json!({"issuer": issuer, "jwks_uri": format!("{issuer}/jwks")});
    let app = axum::Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(move || async move { Json(discovery) }),
        )
        .route(
            "/jwks",
            get(move || async move { Json(json!({"keys": [jwk]})) }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await });
    issuer
}

fn token(pem: &str, iss: &str, aud: &str, exp_in: i64) -> String {
    let now = chrono::Utc::now().timestamp();
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("k1".into());
    let claims = json!({"iss": iss, "sub": "anna", "aud": aud, "iat": now, "exp": now + exp_in});
    jsonwebtoken::encode(
        &header,
        &claims,
        &EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
    )
    .unwrap()
}

async fn care_record(lose_first_answer: bool) -> (CareRecord, String, String) {
    let iss = issuer().await;
    let record = CareRecord::new(Settings {
        issuer: iss.clone(),
        audience: DEFAULT_AUDIENCE.into(),
        lose_first_answer,
    });
    let base = serve(record.router()).await;
    (record, format!("{base}/fhir"), iss)
}

async fn get_json(url: &str, bearer: Option<&str>) -> (u16, Value) {
    let mut req = reqwest::Client::new().get(url);
    if let Some(t) = bearer {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap_or_default())
}

#[tokio::test]
async fn only_its_own_audiences_live_tokens_from_the_trusted_issuer_are_let_in() {
    let (_record, fhir, iss) = care_record(false).await;
    let residents = format!("{fhir}/Patient?organization={NORD}");

    let (status, bundle) =
        get_json(&residents, Some(&token(KEY, &iss, DEFAULT_AUDIENCE, 300))).await;
    assert_eq!(status, 200);
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["entry"].as_array().unwrap().len(), 3, "{bundle}");

    let refused = [
        ("no token", None),
        (
            "expired a second ago",
            Some(token(KEY, &iss, DEFAULT_AUDIENCE, -1)),
        ),
        (
            "the app's API audience",
            Some(token(KEY, &iss, "urn:omsorg:api", 300)),
        ),
        (
            "another issuer",
            Some(token(
                KEY,
                "http://127.0.0.1:9/other",
                DEFAULT_AUDIENCE,
                300,
            )),
        ),
        (
            "another key",
            Some(token(OTHER_KEY, &iss, DEFAULT_AUDIENCE, 300)),
        ),
    ];
    for (why, bearer) in refused {
        let (status, body) = get_json(&residents, bearer.as_deref()).await;
        assert_eq!(status, 401, "{why}");
        assert_eq!(body["resourceType"], "OperationOutcome", "{why}");
        assert!(
            !body.to_string().contains("Holm"),
            "{why}: no health data in a refusal"
        );
    }
}

fn blood_pressure(key: &str, systolic: u32) -> Value {
    json!({
        "resourceType": "Observation",
        "identifier": [{"system": "urn:omsorg:registration", "value": key}],
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}]},
        "subject": {"reference": "Patient/kh-nord-1"},
        "effectiveDateTime": "2026-12-02T08:00:00Z",
        "component": [
            {"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]},
             "valueQuantity": {"value": systolic, "system": "http://unitsofmeasure.org", "code": "mm[Hg]"}},
            {"code": {"coding": [{"system": "http://loinc.org", "code": "8462-4"}]},
             "valueQuantity": {"value": 80, "system": "http://unitsofmeasure.org", "code": "mm[Hg]"}}
        ]
    })
}

async fn create(fhir: &str, bearer: &str, body: &Value, key: &str) -> u16 {
    reqwest::Client::new()
        .post(format!("{fhir}/Observation"))
        .bearer_auth(bearer)
        .header(
            "If-None-Exist",
            format!("identifier=urn:omsorg:registration|{key}"),
        )
        .json(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_registration_sent_again_after_a_lost_answer_is_stored_once() {
    let (record, fhir, iss) = care_record(true).await;
    let bearer = token(KEY, &iss, DEFAULT_AUDIENCE, 300);
    let key = "0123456789abcdef-lost-answer";
    let body = blood_pressure(key, 132);
    assert_eq!(
        create(&fhir, &bearer, &body, key).await,
        504,
        "the first answer is lost"
    );
    assert_eq!(
        create(&fhir, &bearer, &body, key).await,
        200,
        "the retry finds it"
    );
    assert_eq!(
        create(
            &fhir,
            &bearer,
            &blood_pressure("another-registration-0001", 128),
            "another-registration-0001"
        )
        .await,
        201
    );

    let (_, found) = get_json(
        &format!("{fhir}/Observation?identifier=urn:omsorg:registration|{key}"),
        Some(&bearer),
    )
    .await;
    assert_eq!(found["entry"].as_array().unwrap().len(), 1);
    let statuses: Vec<_> = record
        .received()
        .iter()
        .filter(|r| r.identifier.as_deref() == Some(key))
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [201, 200]);

    // Implausible: refused, not stored.
    let key = "0123456789abcdef-too-high";
    assert_eq!(
        create(&fhir, &bearer, &blood_pressure(key, 400), key).await,
        422
    );
    let (_, found) = get_json(
        &format!("{fhir}/Observation?identifier=urn:omsorg:registration|{key}"),
        Some(&bearer),
    )
    .await;
    assert_eq!(found["entry"].as_array().map(Vec::len).unwrap_or(0), 0);
    // An expired token stores nothing either.
    let key = "0123456789abcdef-expired";
    let expired = token(KEY, &iss, DEFAULT_AUDIENCE, -1);
    assert_eq!(
        create(&fhir, &expired, &blood_pressure(key, 130), key).await,
        401
    );
    assert!(record
        .received()
        .iter()
        .all(|r| r.identifier.as_deref() != Some(key)));
}
