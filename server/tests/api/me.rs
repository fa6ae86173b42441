//! `GET /api/v1/me` and access-token validation, as an attacker would probe it.

use base64::Engine;
use omsorg_core::api::{Me, Role};
use serde_json::{json, Value};

use crate::helpers::*;

async fn get_me(app: &TestApp, bearer: Option<&str>) -> (u16, Value) {
    let mut req = app.client.get(app.url("/api/v1/me"));
    if let Some(t) = bearer {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

#[tokio::test]
async fn a_provisioned_person_gets_their_profile() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let (status, body) = get_me(&app, Some(&token(KEY, Some("k1"), json!({"iss": issuer})))).await;
    assert_eq!(status, 200, "{body}");
    let me: Me = serde_json::from_value(body).unwrap();
    assert_eq!(me.user_id, "anna");
    assert_eq!(me.name, "Anna Andersen");
    assert_eq!(me.unit.unwrap().name, "Hjemmeplejen Nord");
    assert_eq!(me.roles, [Role::Staff, Role::Orderer]);
    assert!(me.may_order_substitutes);

    let carl = token(KEY, Some("k1"), json!({"iss": issuer, "sub": "carl"}));
    let me: Me = serde_json::from_value(get_me(&app, Some(&carl)).await.1).unwrap();
    assert!(
        !me.may_order_substitutes,
        "Solhaven does not allow ordering"
    );

    let bo = token(KEY, Some("k1"), json!({"iss": issuer, "sub": "bo"}));
    let me: Me = serde_json::from_value(get_me(&app, Some(&bo)).await.1).unwrap();
    assert_eq!(me.roles, [Role::Staff, Role::Orderer, Role::Administrator]);

    // An administrator without KOMBIT's orderer role does not order.
    let eva = token(KEY, Some("k1"), json!({"iss": issuer, "sub": "eva"}));
    let me: Me = serde_json::from_value(get_me(&app, Some(&eva)).await.1).unwrap();
    assert_eq!(me.roles, [Role::Staff, Role::Administrator]);
    assert!(!me.may_order_substitutes);
}

#[tokio::test]
async fn a_person_removed_centrally_is_refused_with_not_provisioned() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let dora = token(KEY, Some("k1"), json!({"iss": issuer, "sub": "dora"}));
    let (status, body) = get_me(&app, Some(&dora)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("account.not_provisioned"))
    );

    // Deprovisioning takes effect at the very next call.
    let anna = token(KEY, Some("k1"), json!({"iss": issuer}));
    assert_eq!(get_me(&app, Some(&anna)).await.0, 200);
    let pool = omsorg_server::db::connect(&app.database_url).await.unwrap();
    sqlx::query("UPDATE people SET active = FALSE WHERE user_id = 'anna'")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(get_me(&app, Some(&anna)).await.0, 403);
}

#[tokio::test]
async fn forged_expired_misaddressed_and_malformed_tokens_are_refused() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let now = chrono::Utc::now().timestamp();
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let valid = token(KEY, Some("k1"), json!({"iss": issuer}));
    let payload = valid.split('.').nth(1).unwrap().to_string();
    let cases: Vec<(&str, Option<String>)> = vec![
        ("no header", None),
        ("garbage", Some("not-a-jwt".into())),
        (
            "signed by another key",
            Some(token(OTHER_KEY, Some("k1"), json!({"iss": issuer}))),
        ),
        (
            "unknown kid",
            Some(token(OTHER_KEY, Some("k9"), json!({"iss": issuer}))),
        ),
        (
            "expired",
            Some(token(
                KEY,
                Some("k1"),
                json!({"iss": issuer, "exp": now - 3600}),
            )),
        ),
        (
            "wrong audience",
            Some(token(
                KEY,
                Some("k1"),
                json!({"iss": issuer, "aud": "other-api"}),
            )),
        ),
        (
            "untrusted issuer",
            Some(token(
                KEY,
                Some("k1"),
                json!({"iss": "http://127.0.0.1:9/evil"}),
            )),
        ),
        ("no issuer", Some(token(KEY, Some("k1"), json!({})))),
        (
            "alg none",
            Some(format!(
                "{}.{payload}.",
                b64(&json!({"alg": "none", "typ": "JWT"}))
            )),
        ),
        (
            "HS256 with the public key as secret",
            Some(format!(
                "{}.{payload}.{}",
                b64(&json!({"alg": "HS256", "kid": "k1"})),
                valid.split('.').nth(2).unwrap()
            )),
        ),
        (
            "tampered payload",
            Some({
                let evil =
                    b64(&json!({"iss": issuer, "sub": "bo", "aud": AUDIENCE, "exp": now + 600}));
                let parts: Vec<_> = valid.split('.').collect();
                format!("{}.{evil}.{}", parts[0], parts[2])
            }),
        ),
    ];
    for (case, bearer) in cases {
        let (status, body) = get_me(&app, bearer.as_deref()).await;
        assert_eq!(status, 401, "{case}: {body}");
        assert_eq!(body["code"], "auth.invalid_token", "{case}");
    }
}
