//! An identity provider that cannot be reached is an outage, not a bad
//! token: cached keys keep serving past their TTL, the keys are fetched
//! once for a burst of requests, and with no usable key the answer is 503
//! (which the app retries), never 401 (which signs the person out).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Json;
use reqwest::Method;
use serde_json::json;

use crate::helpers::*;

#[derive(Clone, Default)]
struct Issuer {
    url: Arc<std::sync::OnceLock<String>>,
    down: Arc<AtomicBool>,
    fetches: Arc<AtomicUsize>,
}

/// An issuer whose discovery and keys can be taken down, counting key fetches.
async fn issuer() -> Issuer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let op = Issuer::default();
    op.url
        .set(format!("http://{}", listener.local_addr().unwrap()))
        .unwrap();
    async fn discovery(State(op): State<Issuer>) -> Response {
        if op.down.load(Ordering::SeqCst) {
            return StatusCode::BAD_GATEWAY.into_response();
        }
        let url = op.url.get().unwrap();
        Json(json!({"issuer": url, "jwks_uri": format!("{url}/jwks")})).into_response()
    }
    async fn jwks(State(op): State<Issuer>) -> Response {
        op.fetches.fetch_add(1, Ordering::SeqCst);
        // Slow enough that a burst of requests overlaps the fetch.
        tokio::time::sleep(Duration::from_millis(200)).await;
        if op.down.load(Ordering::SeqCst) {
            return StatusCode::BAD_GATEWAY.into_response();
        }
        Json(json!({"keys": [jwk(KEY, "k1")]})).into_response()
    }
    let app = axum::Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/jwks", get(jwks))
        .with_state(op.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    op
}

fn bearer(op: &Issuer, kid: &str) -> String {
    let claims = json!({"iss": op.url.get().unwrap(), "sub": "anna"});
    format!("Bearer {}", token(KEY, Some(kid), claims))
}

#[tokio::test]
async fn an_unreachable_provider_is_an_outage_not_a_bad_token() {
    let op = issuer().await;
    let app = spawn_app_trusting(op.url.get().unwrap()).await;
    let me = |auth: String| {
        let app = &app;
        async move { app.call(Method::GET, "/api/v1/me", &auth, &[], None).await }
    };

    // Down from the start: nothing cached, no key can be had.
    op.down.store(true, Ordering::SeqCst);
    let (status, body) = me(bearer(&op, "k1")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (503, Some("auth.provider_unavailable")),
        "{body}"
    );
    // Every operation that takes a bearer token says so, and its document
    // lists the answer.
    let doc: serde_json::Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete = path
            .split('/')
            .map(|seg| if seg.starts_with('{') { "nope" } else { seg })
            .collect::<Vec<_>>()
            .join("/");
        for (method, operation) in item.as_object().unwrap() {
            let bearer_op = operation["security"]
                .as_array()
                .is_some_and(|r| r.iter().any(|r| r.get("bearer").is_some()));
            if !bearer_op {
                continue;
            }
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let (status, body) = app
                .call(
                    m,
                    &concrete,
                    &bearer(&op, "k1"),
                    &[],
                    Some(&serde_json::json!({})),
                )
                .await;
            assert_eq!(
                (status, body["code"].as_str()),
                (503, Some("auth.provider_unavailable")),
                "{method} {path}"
            );
            assert!(
                operation["responses"].get("503").is_some(),
                "{method} {path} does not list 503"
            );
            checked += 1;
        }
    }
    assert!(checked >= 15, "{checked} bearer operations");

    // Up (after the back-off): the keys are fetched once for a burst.
    op.down.store(false, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_secs(11)).await;
    let before = op.fetches.load(Ordering::SeqCst);
    let burst: Vec<_> = (0..30).map(|_| me(bearer(&op, "k1"))).collect();
    for (status, body) in futures_join_all(burst).await {
        assert_eq!(status, 200, "{body}");
    }
    assert_eq!(
        op.fetches.load(Ordering::SeqCst) - before,
        1,
        "one fetch for the burst"
    );

    // Down again, the keys past their TTL: the cached ones keep serving.
    op.down.store(true, Ordering::SeqCst);
    app.state
        .tokens
        .age_keys(Duration::from_secs(2 * 3600))
        .await;
    assert_eq!(
        me(bearer(&op, "k1")).await.0,
        200,
        "served from the stale cache"
    );
    // A key nobody has seen (a rotation?) cannot be checked: 503, not 401.
    let (status, body) = me(bearer(&op, "k9")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (503, Some("auth.provider_unavailable")),
        "{body}"
    );
    // A forged token is still refused outright.
    let forged = token(
        OTHER_KEY,
        Some("k1"),
        json!({"iss": op.url.get().unwrap(), "sub": "anna"}),
    );
    assert_eq!(me(format!("Bearer {forged}")).await.0, 401);
}

/// Waits for all of `futures`, in order.
async fn futures_join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut set = Vec::new();
    let mut pinned: Vec<_> = futures.into_iter().map(Box::pin).collect();
    // Poll them together: each one started before any is awaited.
    let mut done: Vec<Option<F::Output>> = (0..pinned.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in pinned.iter_mut().enumerate() {
            if done[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => done[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    set.extend(done.into_iter().map(Option::unwrap));
    set
}
