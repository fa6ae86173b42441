//! Guessing limits that hold when requests arrive at once: every attempt
//! is counted before its PIN is checked, so however many guesses race, at
//! most five PINs of one user ID or person are ever evaluated (measured by
//! the backend's own count of Argon2 verifications).

use std::sync::Arc;

use reqwest::Method;
use serde_json::{json, Value};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::helpers::*;

/// Guesses fired at once, as a script on a few machines would.
const IN_FLIGHT: usize = 64;

fn bearer(issuer: &str, sub: &str) -> String {
    format!(
        "Bearer {}",
        token(KEY, Some("k1"), json!({"iss": issuer, "sub": sub}))
    )
}

/// A fresh KOMBIT login (it may set a PIN without the current one).
fn fresh(issuer: &str, sub: &str) -> String {
    let now = chrono::Utc::now().timestamp();
    format!(
        "Bearer {}",
        token(
            KEY,
            Some("k1"),
            json!({"iss": issuer, "sub": sub, "auth_time": now})
        )
    )
}

/// An apartment tablet in bo's municipality; its device credential.
async fn tablet(app: &TestApp, issuer: &str) -> String {
    tablet_in(app, issuer, "bo", "kbh-hjemmepleje-nord").await
}

/// An apartment tablet in `unit`, enrolled with a code from `admin`.
async fn tablet_in(app: &TestApp, issuer: &str, admin: &str, unit: &str) -> String {
    app.tablet(&bearer(issuer, admin), unit).await
}

/// A user ID + PIN login on `device`: its status and body.
async fn shared_login(app: &TestApp, device: &str, user_id: &str, pin: &str) -> (u16, Value) {
    let body = json!({"user_id": user_id, "pin": pin});
    app.call(
        Method::POST,
        "/api/v1/shared/sessions",
        &format!("Device {device}"),
        &[],
        Some(&body),
    )
    .await
}

/// Fires one request per PIN, `IN_FLIGHT` at a time, in the PINs' order;
/// the answers' statuses and codes.
async fn race(
    app: &Arc<TestApp>,
    pins: std::ops::Range<u32>,
    request: impl Fn(u32) -> (Method, String, String, Value),
) -> Vec<(u16, String)> {
    let gate = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut tasks = JoinSet::new();
    for pin in pins {
        let permit = gate.clone().acquire_owned().await.unwrap();
        let (method, path, auth, body) = request(pin);
        let app = app.clone();
        tasks.spawn(async move {
            let (status, answer) = app.call(method, &path, &auth, &[], Some(&body)).await;
            drop(permit);
            (
                status,
                answer["code"].as_str().unwrap_or_default().to_string(),
            )
        });
    }
    let mut answers = Vec::new();
    while let Some(answer) = tasks.join_next().await {
        answers.push(answer.unwrap());
    }
    answers
}

async fn shared_guesses_at_once(devices: usize) {
    let issuer = spawn_issuer().await;
    let app = Arc::new(spawn_app_trusting(&issuer).await);
    let mut credentials = Vec::new();
    for _ in 0..devices {
        credentials.push(tablet(&app, &issuer).await);
    }
    // bo's PIN is one of the guesses.
    let (status, _) = app
        .call(
            Method::PUT,
            "/api/v1/me/pin",
            &fresh(&issuer, "bo"),
            &[],
            Some(&json!({"pin": "1350"})),
        )
        .await;
    assert_eq!(status, 204);

    let before = app.state.pins.verifications();
    let answers = race(&app, 1200..1500, |pin| {
        let device = &credentials[pin as usize % devices];
        let body = json!({"user_id": "bo", "pin": format!("{pin:04}")});
        (
            Method::POST,
            "/api/v1/shared/sessions".into(),
            format!("Device {device}"),
            body,
        )
    })
    .await;
    let evaluated = app.state.pins.verifications() - before;

    assert_eq!(answers.len(), 300);
    assert!(
        answers.iter().all(|(status, _)| *status != 201),
        "a guess opened a session: {answers:?}"
    );
    assert!(evaluated <= 5, "{evaluated} PINs evaluated for one user ID");
    assert!(answers.iter().any(|(_, code)| code == "pin.locked"));
    // The user ID is blocked, on a new device too, even with the right PIN.
    let other = tablet(&app, &issuer).await;
    let (status, answer) = shared_login(&app, &other, "bo", "1350").await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (403, Some("pin.locked")),
        "{answer}"
    );
}

#[tokio::test]
async fn three_hundred_guesses_at_once_on_one_device_evaluate_at_most_five_pins() {
    shared_guesses_at_once(1).await;
}

#[tokio::test]
async fn three_hundred_guesses_at_once_across_three_devices_evaluate_at_most_five_pins() {
    shared_guesses_at_once(3).await;
}

#[tokio::test]
async fn three_hundred_lock_screen_guesses_at_once_evaluate_at_most_five_pins() {
    let issuer = spawn_issuer().await;
    let app = Arc::new(spawn_app_trusting(&issuer).await);
    let bo = bearer(&issuer, "bo");

    let before = app.state.pins.verifications();
    // The dev seed gives bo 2580: among the guesses.
    let answers = race(&app, 2400..2700, |pin| {
        let body = json!({"pin": format!("{pin:04}")});
        (
            Method::POST,
            "/api/v1/me/pin/verify".into(),
            bo.clone(),
            body,
        )
    })
    .await;
    let evaluated = app.state.pins.verifications() - before;

    assert!(evaluated <= 5, "{evaluated} PINs evaluated for one person");
    assert!(
        answers.iter().all(|(status, _)| *status != 204),
        "{answers:?}"
    );
    let (status, answer) = app
        .call(
            Method::POST,
            "/api/v1/me/pin/verify",
            &bo,
            &[],
            Some(&json!({"pin": "2580"})),
        )
        .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (403, Some("pin.locked")),
        "the right PIN afterwards"
    );
    let (_, me) = app.call(Method::GET, "/api/v1/me", &bo, &[], None).await;
    assert_eq!(me["pin_locked"], true);
}

#[tokio::test]
async fn a_shared_login_does_not_refill_the_lock_screens_attempts() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let bo = bearer(&issuer, "bo");
    let verify = |pin: &'static str| {
        let body = json!({ "pin": pin });
        let app = &app;
        let bo = bo.clone();
        async move {
            app.call(Method::POST, "/api/v1/me/pin/verify", &bo, &[], Some(&body))
                .await
        }
    };
    for _ in 0..4 {
        assert_eq!(verify("0001").await.1["code"], "pin.wrong");
    }
    // bo logs in on a tablet with the same PIN: that is not the lock screen.
    let device = tablet(&app, &issuer).await;
    let (status, answer) = shared_login(&app, &device, "bo", "2580").await;
    assert_eq!(status, 201, "{answer}");
    // The lock screen's fifth wrong PIN still locks it.
    assert_eq!(verify("0001").await.1["code"], "pin.locked");
    assert_eq!(verify("2580").await.1["code"], "pin.locked");
}

/// A shared session opened with a PIN ends when that PIN is changed, reset
/// by an administrator, locked at the lock screen, or blocked by wrong
/// guesses on another device.
#[tokio::test]
async fn shared_sessions_end_when_the_pin_changes_is_reset_or_blocked() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let (tablet, other) = (
        tablet_in(&app, &issuer, "eva", "aar-solhaven").await,
        tablet_in(&app, &issuer, "eva", "aar-solhaven").await,
    );
    let login = |device: &String, pin: &str| {
        let (app, device, pin) = (&app, device.clone(), pin.to_string());
        async move {
            let (status, session) = shared_login(app, &device, "carl", &pin).await;
            assert_eq!(status, 201, "{session}");
            format!("Shared {}", session["token"].as_str().unwrap())
        }
    };
    let alive = |shared: String| {
        let app = &app;
        async move {
            app.call(Method::GET, "/api/v1/me", &shared, &[], None)
                .await
                .0
                == 200
        }
    };
    let set_pin = |pin: &'static str| {
        let app = &app;
        let carl = fresh(&issuer, "carl");
        async move {
            let body = json!({ "pin": pin });
            assert_eq!(
                app.call(Method::PUT, "/api/v1/me/pin", &carl, &[], Some(&body))
                    .await
                    .0,
                204
            );
        }
    };

    // Changed by carl.
    let session = login(&tablet, "1397").await;
    assert!(alive(session.clone()).await);
    set_pin("4826").await;
    assert!(!alive(session).await, "alive after a PIN change");

    // Reset by an administrator of his municipality.
    let session = login(&tablet, "4826").await;
    let reset = app
        .call(
            Method::DELETE,
            "/api/v1/admin/people/carl/pin",
            &bearer(&issuer, "eva"),
            &[],
            None,
        )
        .await;
    assert_eq!(reset.0, 204);
    assert!(!alive(session).await, "alive after a reset");

    // Locked by five wrong PINs at his lock screen.
    set_pin("5937").await;
    let session = login(&tablet, "5937").await;
    let carl = bearer(&issuer, "carl");
    let mut last = Value::Null;
    for _ in 0..5 {
        let body = json!({"pin": "0001"});
        last = app
            .call(
                Method::POST,
                "/api/v1/me/pin/verify",
                &carl,
                &[],
                Some(&body),
            )
            .await
            .1;
    }
    assert_eq!(last["code"], "pin.locked", "{last}");
    assert!(!alive(session).await, "alive after the PIN was locked");

    // Blocked by five wrong guesses for his user ID on another tablet.
    set_pin("6048").await;
    let session = login(&tablet, "6048").await;
    for _ in 0..5 {
        shared_login(&app, &other, "carl", "0001").await;
    }
    assert!(!alive(session).await, "alive after the user ID was blocked");
}

/// A guess is counted with a disk sync before its PIN is checked, so a
/// power cut right after a wrong answer never forgets it; only a right
/// login's bookkeeping commits without one (`db::connect_relaxed`). On
/// SQLite, `synchronous` is each connection's own: every connection of
/// the pool that counts says FULL, also after logins have run on them.
/// (The PostgreSQL cluster of this suite runs with synchronous_commit off
/// throughout, so there is nothing to see there.)
#[tokio::test]
async fn every_guess_is_counted_durably_before_its_pin_is_checked() {
    if crate::databases::backend() != omsorg_server::db::Backend::Sqlite {
        return;
    }
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let device = tablet(&app, &issuer).await;
    for pin in ["1111", "2580", "1111", "2580"] {
        let (status, answer) = shared_login(&app, &device, "bo", pin).await;
        assert_eq!(status, if pin == "2580" { 201 } else { 401 }, "{answer}");
    }
    let pool = &app.state.db;
    let mut held = Vec::new();
    for _ in 0..pool.options().get_max_connections() {
        held.push(pool.acquire().await.unwrap());
    }
    for conn in &mut held {
        let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&mut **conn)
            .await
            .unwrap();
        assert_eq!(
            synchronous, 2,
            "a connection that counts guesses commits without FULL sync"
        );
    }
}
