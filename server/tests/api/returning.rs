//! A substitute who comes back: the lookup says so, their earlier user ID
//! is theirs again (even in its quarantine, never someone else's), and
//! nobody gets a second live access in the municipality, not even from
//! two orderers at once.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

const SOFIE: (&str, &str) = ("010190-1234", "Sofie Vikar Jensen");
const MIKKEL: (&str, &str) = ("150605-4321", "Mikkel Vikar Nielsen");

fn bearer(issuer: &str, who: &str) -> String {
    token(KEY, Some("k1"), json!({"iss": issuer, "sub": who}))
}

async fn lookup(app: &TestApp, who: &str, cpr: &str) -> Value {
    let body = json!({ "cpr": cpr });
    let auth = format!("Bearer {who}");
    let (status, found) = app
        .call(Method::POST, "/api/v1/cpr/lookup", &auth, &[], Some(&body))
        .await;
    assert_eq!(status, 200, "{found}");
    found
}

async fn reserve_for(app: &TestApp, who: &str, cpr: &str) -> Value {
    let body = json!({ "cpr": cpr });
    let auth = format!("Bearer {who}");
    let path = "/api/v1/substitute-ids/reservations";
    let (status, r) = app.call(Method::POST, path, &auth, &[], Some(&body)).await;
    assert_eq!(status, 201, "{r}");
    r
}

async fn end(app: &TestApp, who: &str, id: &str) {
    let path = format!("/api/v1/substitute-accesses/{id}/end");
    let auth = format!("Bearer {who}");
    assert_eq!(app.call(Method::POST, &path, &auth, &[], None).await.0, 200);
}

#[tokio::test]
async fn a_returning_substitute_gets_her_old_user_id_and_never_two_live_accesses() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let (anna, bo) = (bearer(&issuer, "anna"), bearer(&issuer, "bo"));

    // New: nothing known.
    assert_eq!(lookup(&app, &anna, SOFIE.0).await["returning"], Value::Null);
    let first = app.reserve(&anna).await;
    let (status, receipt) = app
        .order(&anna, Some("r-1"), &order_body(SOFIE.0, SOFIE.1, &first))
        .await;
    assert_eq!(status, 201, "{receipt}");
    let access = receipt["id"].as_str().unwrap().to_string();

    // Live: the lookup says until when, and a second order is refused.
    let again = lookup(&app, &anna, SOFIE.0).await;
    assert_eq!(again["returning"]["user_id"], first.as_str());
    assert_eq!(again["returning"]["user_id_available"], false);
    assert_eq!(again["returning"]["active_until"], receipt["ends_at"]);
    let other = app.reserve(&anna).await;
    let (status, refused) = app
        .order(&anna, Some("r-2"), &order_body(SOFIE.0, SOFIE.1, &other))
        .await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (409, Some("substitute.already_active"))
    );

    // Ended: her ID is archived (in quarantine), and hers again.
    end(&app, &anna, &access).await;
    let back = lookup(&app, &anna, SOFIE.0).await;
    assert_eq!(back["returning"]["user_id"], first.as_str());
    assert_eq!(back["returning"]["user_id_available"], true);
    assert_eq!(back["returning"]["active_until"], Value::Null);
    let reserved = reserve_for(&app, &anna, SOFIE.0).await;
    assert_eq!(reserved["user_id"], first.as_str());
    assert_eq!(reserved["same_as_before"], true);
    // Asked again (the step opened again): the same, still hers.
    let again = reserve_for(&app, &anna, SOFIE.0).await;
    assert_eq!(
        (&again["user_id"], &again["same_as_before"]),
        (&json!(first), &json!(true))
    );
    // The other ID anna held went back: she holds one reservation.
    let (_, inventory) = app
        .call(
            Method::GET,
            "/api/v1/admin/substitute-ids",
            &format!("Bearer {bo}"),
            &[],
            None,
        )
        .await;
    let state_of = |id: &str| {
        inventory["ids"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["user_id"] == id)
            .map(|i| i["state"].as_str().unwrap().to_string())
    };
    assert_eq!(state_of(&other).as_deref(), Some("free"), "{inventory}");
    let (status, receipt) = app
        .order(&anna, Some("r-3"), &order_body(SOFIE.0, SOFIE.1, &first))
        .await;
    assert_eq!(
        (status, receipt["user_id"].as_str()),
        (201, Some(first.as_str())),
        "{receipt}"
    );
    end(&app, &anna, receipt["id"].as_str().unwrap()).await;

    // Someone else asking with their CPR number never gets Sofie's
    // quarantined ID: the next free one.
    let mikkel = reserve_for(&app, &bo, MIKKEL.0).await;
    assert_ne!(mikkel["user_id"], first.as_str());
    assert_eq!(mikkel["same_as_before"], false);
    let path = "/api/v1/substitute-ids/reservations";
    let (status, refused) = app
        .call(
            Method::POST,
            path,
            &format!("Bearer {bo}"),
            &[],
            Some(&json!({"cpr": "31129"})),
        )
        .await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (400, Some("cpr.invalid"))
    );
    let (status, refused) = app
        .call(
            Method::POST,
            path,
            &format!("Bearer {bo}"),
            &[],
            Some(&json!({"who": 1})),
        )
        .await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (400, Some("request.invalid"))
    );

    // Two orderers ordering Sofie at once: one access.
    let anna_id = reserve_for(&app, &anna, SOFIE.0).await["user_id"]
        .as_str()
        .unwrap()
        .to_string();
    let by_anna = order_body(SOFIE.0, SOFIE.1, &anna_id);
    let by_bo = order_body(SOFIE.0, SOFIE.1, mikkel["user_id"].as_str().unwrap());
    let (a, b) = tokio::join!(
        app.order(&anna, Some("r-4"), &by_anna),
        app.order(&bo, Some("r-5"), &by_bo),
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [201, 409], "{a:?} {b:?}");
}
