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

    // Changing needs the current PIN.
    assert_eq!(
        anna.put_pin(json!({ "pin": "7315" })).await.1["code"],
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
    // A new PIN (after KOMBIT login) reopens it.
    assert_eq!(bo.put_pin(json!({ "pin": "6049" })).await.0, 204);
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
