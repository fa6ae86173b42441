//! PIN set/change/verify: the policy, the five-attempt lock, and bad bodies.

use serde_json::{json, Value};

use crate::helpers::*;

struct Person<'a> {
    app: &'a TestApp,
    token: String,
}

impl Person<'_> {
    async fn put_pin(&self, body: Value) -> (u16, Value) {
        let res = self
            .app
            .client
            .put(self.app.url("/api/v1/me/pin"))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn me(&self) -> Value {
        let res = self
            .app
            .client
            .get(self.app.url("/api/v1/me"))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        res.json().await.unwrap()
    }

    async fn verify(&self, pin: &str) -> (u16, Value) {
        let res = self
            .app
            .client
            .post(self.app.url("/api/v1/me/pin/verify"))
            .bearer_auth(&self.token)
            .json(&json!({ "pin": pin }))
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }
}

#[tokio::test]
async fn first_pin_follows_the_policy_then_verifies() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let anna = Person {
        app: &app,
        token: token(KEY, Some("k1"), json!({"iss": issuer})),
    };
    assert_eq!(anna.verify("2580").await.1["code"], "pin.not_set");
    for trivial in ["0000", "1234", "9876", "12", "12a4", "123456789"] {
        let (status, body) = anna.put_pin(json!({ "pin": trivial })).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (422, Some("pin.invalid")),
            "{trivial}"
        );
    }
    assert_eq!(anna.put_pin(json!({ "pin": "4821" })).await.0, 204);
    assert_eq!(anna.verify("4821").await.0, 204);
    assert_eq!(anna.verify("4822").await.1["code"], "pin.wrong");

    // Changing needs the current PIN (this token's login is not fresh).
    assert_eq!(
        anna.put_pin(json!({ "pin": "7315" })).await,
        (
            403,
            json!({"code": "auth.fresh_login_required",
                     "message": "give the current PIN, or log in with KOMBIT again"})
        )
    );
    assert_eq!(
        anna.put_pin(json!({ "pin": "7315", "current_pin": "4822" }))
            .await
            .1["code"],
        "pin.wrong"
    );
    let (status, _) = anna
        .put_pin(json!({ "pin": "7315", "current_pin": "4821" }))
        .await;
    assert_eq!(status, 204);
    assert_eq!(anna.verify("7315").await.0, 204);
}

#[tokio::test]
async fn five_wrong_pins_lock_it_until_it_is_set_again() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let bo = Person {
        app: &app,
        token: token(KEY, Some("k1"), json!({"iss": issuer, "sub": "bo"})),
    };
    assert_eq!(bo.verify("2580").await.0, 204, "the dev seed gives bo 2580");
    for left in [4, 3, 2, 1] {
        let (status, body) = bo.verify("0001").await;
        assert_eq!((status, body["code"].as_str()), (403, Some("pin.wrong")));
        assert!(body["message"]
            .as_str()
            .unwrap()
            .contains(&format!("{left} attempts left")));
    }
    assert_eq!(bo.verify("0001").await.1["code"], "pin.locked");
    assert_eq!(
        bo.verify("2580").await.1["code"],
        "pin.locked",
        "even the right PIN"
    );
    // Neither the old PIN nor a stale login reopens it...
    assert_eq!(
        bo.put_pin(json!({ "pin": "6049", "current_pin": "2580" }))
            .await
            .1["code"],
        "pin.locked"
    );
    let an_hour_ago = chrono::Utc::now().timestamp() - 3600;
    let stale = Person {
        app: &app,
        token: token(
            KEY,
            Some("k1"),
            json!({"iss": issuer, "sub": "bo", "auth_time": an_hour_ago}),
        ),
    };
    assert_eq!(
        stale.put_pin(json!({ "pin": "6049" })).await.1["code"],
        "pin.locked"
    );
    // ...a fresh KOMBIT login does.
    let fresh = Person {
        app: &app,
        token: token(
            KEY,
            Some("k1"),
            json!({"iss": issuer, "sub": "bo",
                                             "auth_time": chrono::Utc::now().timestamp() - 5}),
        ),
    };
    assert_eq!(bo.me().await["pin_locked"], true);
    assert_eq!(fresh.put_pin(json!({ "pin": "6049" })).await.0, 204);
    assert_eq!(bo.me().await["pin_locked"], false);
    assert_eq!(bo.verify("6049").await.0, 204);
    // A right PIN resets the count.
    for _ in 0..4 {
        bo.verify("0001").await;
    }
    assert_eq!(bo.verify("6049").await.0, 204);
    assert_eq!(
        bo.verify("0001").await.1["message"],
        "wrong PIN; 4 attempts left"
    );
}

#[tokio::test]
async fn bad_bodies_get_clear_errors_not_500() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let token = token(KEY, Some("k1"), json!({"iss": issuer}));
    for body in ["", "{", "{\"pin\": 2580}", "[]", "{\"pn\": \"2580\"}"] {
        let res = app
            .client
            .put(app.url("/api/v1/me/pin"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let json: Value = res.json().await.unwrap();
        assert_eq!(
            (status, json["code"].as_str()),
            (400, Some("request.invalid")),
            "{body:?}"
        );
    }
    let res = app
        .client
        .post(app.url("/api/v1/me/pin/verify"))
        .json(&json!({"pin": "2580"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401, "no token, no PIN check");
}

#[tokio::test]
async fn an_administrator_resets_a_pin_in_their_own_municipality_only() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let as_ = |sub: &str| Person {
        app: &app,
        token: token(KEY, Some("k1"), json!({"iss": issuer, "sub": sub})),
    };
    let (bo, anna, carl) = (as_("bo"), as_("anna"), as_("carl"));
    let reset = async |who: &Person<'_>, user_id: &str| {
        let res = app
            .client
            .delete(app.url(&format!("/api/v1/admin/people/{user_id}/pin")))
            .bearer_auth(&who.token)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (
            status,
            res.json::<Value>().await.unwrap_or(Value::Null)["code"].clone(),
        )
    };
    let user_id = async |who: &Person<'_>| who.me().await["user_id"].as_str().unwrap().to_string();
    let (anna_id, bo_id, carl_id) = (
        user_id(&anna).await,
        user_id(&bo).await,
        user_id(&carl).await,
    );

    // Staff may not; an unknown user ID, or one in another municipality
    // (carl is in Aarhus, bo in København), is a clear 404.
    assert_eq!(reset(&anna, &bo_id).await, (403, json!("auth.forbidden")));
    assert_eq!(bo.verify("2580").await.0, 204, "bo's PIN untouched");
    assert_eq!(
        reset(&bo, "nobody").await,
        (404, json!("request.not_found"))
    );
    assert_eq!(
        reset(&bo, &carl_id).await,
        (404, json!("request.not_found"))
    );
    assert_eq!(carl.verify("1397").await.0, 204, "carl's PIN untouched");

    // anna locks her PIN; bo resets it; anna must set a new one.
    assert_eq!(anna.put_pin(json!({ "pin": "4821" })).await.0, 204);
    for _ in 0..5 {
        anna.verify("0001").await;
    }
    assert_eq!(anna.verify("4821").await.1["code"], "pin.locked");
    assert_eq!(reset(&bo, &anna_id).await, (204, Value::Null));
    let me = anna.me().await;
    assert_eq!(
        (me["has_pin"].clone(), me["pin_locked"].clone()),
        (json!(false), json!(false))
    );
    assert_eq!(anna.verify("4821").await.1["code"], "pin.not_set");
    assert_eq!(anna.put_pin(json!({ "pin": "5048" })).await.0, 204);
    assert_eq!(anna.verify("5048").await.0, 204);
}
