//! One refresh at a time, and a sign-out that nothing written afterwards
//! can undo, against a provider that rotates refresh tokens and ends the
//! grant when one is presented twice (as KOMBIT's broker may).

use std::sync::{Arc, Mutex as StdMutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json};
use serde_json::json;
use tokio::sync::Notify;

use std::collections::HashMap;

use super::*;
use crate::secrets::MemoryStore;
use crate::test_support::anna;

#[derive(Default)]
struct Grant {
    current: String,
    rotations: u32,
    /// A refresh token was presented twice: the whole grant is over.
    ended: bool,
    revoked: Vec<String>,
    /// Token requests wait for this when `hold` is set.
    hold: bool,
}

#[derive(Clone)]
struct Op {
    url: String,
    grant: Arc<StdMutex<Grant>>,
    arrived: Arc<Notify>,
    release: Arc<Notify>,
}

async fn provider() -> Op {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let op = Op {
        url: url.clone(),
        grant: Arc::new(StdMutex::new(Grant {
            current: "rt-0".into(),
            ..Grant::default()
        })),
        arrived: Arc::new(Notify::new()),
        release: Arc::new(Notify::new()),
    };
    async fn discovery(State(op): State<Op>) -> Json<serde_json::Value> {
        let u = &op.url;
        Json(json!({
            "issuer": u, "authorization_endpoint": format!("{u}/authorize"),
            "token_endpoint": format!("{u}/token"), "jwks_uri": format!("{u}/jwks"),
            "revocation_endpoint": format!("{u}/revoke"),
            "response_types_supported": ["code"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }))
    }
    async fn token(State(op): State<Op>, Form(form): Form<HashMap<String, String>>) -> Response {
        let hold = op.grant.lock().unwrap().hold;
        op.arrived.notify_one();
        if hold {
            op.release.notified().await;
        } else {
            // Long enough for a second command to arrive meanwhile.
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let mut g = op.grant.lock().unwrap();
        let presented = form.get("refresh_token").cloned().unwrap_or_default();
        if g.ended || presented != g.current {
            g.ended = true;
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"error": "invalid_grant"})),
            )
                .into_response();
        }
        g.rotations += 1;
        g.current = format!("rt-{}", g.rotations);
        Json(
            json!({"access_token": format!("at-{}", g.rotations), "token_type": "Bearer",
                    "expires_in": 600, "refresh_token": g.current}),
        )
        .into_response()
    }
    async fn revoke(State(op): State<Op>, Form(form): Form<HashMap<String, String>>) -> StatusCode {
        let token = form.get("token").cloned().unwrap_or_default();
        op.grant.lock().unwrap().revoked.push(token);
        StatusCode::OK
    }
    let app = axum::Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/jwks", get(|| async { Json(json!({"keys": []})) }))
        .route("/token", post(token))
        .route("/revoke", post(revoke))
        .with_state(op.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    op
}

async fn expired_session(op: &Op) -> (Arc<Sessions>, Arc<Store>) {
    let sessions = Sessions::new(
        Box::new(MemoryStore::default()),
        "omsorg-app",
        "urn:omsorg:api",
        Duration::from_secs(5),
    );
    sessions
        .begin_expired_for_test(&op.url, "rt-0", anna())
        .await;
    (
        Arc::new(sessions),
        Arc::new(Store::open_in_memory().unwrap()),
    )
}

#[tokio::test]
async fn two_commands_after_expiry_share_one_refresh() {
    let op = provider().await;
    let (sessions, store) = expired_session(&op).await;
    let (a, b) = tokio::join!(sessions.access_token(&store), sessions.access_token(&store));
    let bearer = |auth: Result<Auth, CommandError>| match auth {
        Ok(Auth::Bearer(token)) => token,
        Ok(_) => panic!("not a bearer token"),
        Err(e) => panic!("{e:?}"),
    };
    assert_eq!(
        (bearer(a), bearer(b)),
        ("at-1".into(), "at-1".into()),
        "both use the one new token"
    );
    let grant = op.grant.lock().unwrap();
    assert!(!grant.ended, "a refresh token was presented twice");
    assert_eq!(grant.rotations, 1);
    drop(grant);
    assert_eq!(sessions.stored_refresh_token().as_deref(), Some("rt-1"));
}

#[tokio::test]
async fn a_sign_out_during_a_refresh_leaves_nothing_behind() {
    let op = provider().await;
    let (sessions, store) = expired_session(&op).await;
    op.grant.lock().unwrap().hold = true;
    let command = {
        let (sessions, store) = (Arc::clone(&sessions), Arc::clone(&store));
        tokio::spawn(async move { sessions.access_token(&store).await })
    };
    // The refresh is at the provider when the person signs out.
    op.arrived.notified().await;
    sessions.sign_out(&store).await.unwrap();
    op.release.notify_one();
    let answer = command.await.unwrap().map(|_| ());
    assert_eq!(answer.map_err(|e| e.code), Err(ErrorCode::NoSession));
    assert!(
        !sessions.has_stored_session().unwrap(),
        "the keystore is empty"
    );
    assert!(sessions.person().await.is_err(), "signed out");
    let revoked = op.grant.lock().unwrap().revoked.clone();
    assert!(
        revoked.contains(&"rt-0".to_string()),
        "the stored token revoked: {revoked:?}"
    );
    assert!(
        revoked.contains(&"rt-1".to_string()),
        "the token that came back revoked: {revoked:?}"
    );
}

/// A start with nobody signed in (no person in the store) does not wait for
/// the keystore; a session the keystore kept without its person is deleted
/// after start, and one with its person is kept.
#[tokio::test]
async fn a_start_with_nobody_signed_in_does_not_wait_for_the_keystore() {
    use crate::secrets::SecretStore;
    let secrets = Arc::new(MemoryStore::default());
    let sessions = Sessions::new(
        Box::new(crate::test_support::SharedSecrets(Arc::clone(&secrets))),
        "omsorg-app",
        "urn:omsorg:api",
        Duration::from_secs(5),
    );
    sessions.keep_for_test("http://127.0.0.1:9", "rt-0", "101");
    let store = Store::open_in_memory().unwrap();
    let api = ApiClient::new(&crate::test_support::unreachable_url()).unwrap();
    let reads = secrets.reads();
    assert_eq!(sessions.restore(&api, &store).await.unwrap(), None);
    assert_eq!(secrets.reads(), reads, "the keystore was not asked");
    assert!(sessions.drop_orphaned_session(&store).await.unwrap());
    assert_eq!(secrets.get(SESSION_KEY).unwrap(), None);

    sessions.keep_for_test("http://127.0.0.1:9", "rt-0", "101");
    store.set_person(&anna()).unwrap();
    assert!(!sessions.drop_orphaned_session(&store).await.unwrap());
    assert!(
        secrets.get(SESSION_KEY).unwrap().is_some(),
        "kept with its person"
    );
}

/// A restart refreshes before any session is active: that refresh keeps its
/// rotated token (only a sign-out since it began may throw it away).
#[tokio::test]
async fn a_restart_keeps_the_rotated_refresh_token() {
    let op = provider().await;
    let sessions = Sessions::new(
        Box::new(MemoryStore::default()),
        "omsorg-app",
        "urn:omsorg:api",
        Duration::from_secs(5),
    );
    sessions.keep_for_test(&op.url, "rt-0", "101");
    let store = Store::open_in_memory().unwrap();
    store.set_person(&anna()).unwrap();
    // The backend is down: the restart goes on offline after the refresh.
    let api = ApiClient::new(&crate::test_support::unreachable_url()).unwrap();
    let me = sessions.restore(&api, &store).await.unwrap();
    assert_eq!(me.map(|m| m.user_id).as_deref(), Some("anna"));
    assert_eq!(sessions.stored_refresh_token().as_deref(), Some("rt-1"));
    assert!(
        op.grant.lock().unwrap().revoked.is_empty(),
        "nothing revoked"
    );
}
