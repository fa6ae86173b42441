//! What an operator of several instances relies on: readiness that follows
//! the database, figures in Prometheus' text format under route templates
//! (never an ID), and a request ID that is kept from the caller or made.

use reqwest::Method;
use serde_json::json;

use crate::helpers::*;

async fn get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = app.client.get(app.url(path));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

/// The value of the sample whose line is `series` exactly (0 when absent).
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn readiness_follows_the_database_and_metrics_count_by_route_template() {
    let issuer = spawn_issuer().await;
    let app = spawn_app_trusting(&issuer).await;
    let res = get(&app, "/readyz", &[]).await;
    assert_eq!(res.status(), 200);

    // A request ID from the load balancer is kept; none given, one is made.
    let res = get(&app, "/healthz", &[("x-request-id", "lb-4711")]).await;
    assert_eq!(res.headers()["x-request-id"], "lb-4711");
    let made = get(&app, "/healthz", &[]).await;
    let made = made.headers()["x-request-id"].to_str().unwrap().to_string();
    assert!(made.len() >= 12, "{made}");
    let odd = get(&app, "/healthz", &[("x-request-id", "two words")]).await;
    assert_ne!(odd.headers()["x-request-id"], "two words");

    // A forged token, two wrong PINs and an access ended by its ID.
    let bo = token(KEY, Some("k1"), json!({"iss": issuer, "sub": "bo"}));
    let forged = token(OTHER_KEY, Some("k1"), json!({"iss": issuer, "sub": "bo"}));
    let (status, _) = app
        .call(
            Method::GET,
            "/api/v1/me",
            &format!("Bearer {forged}"),
            &[],
            None,
        )
        .await;
    assert_eq!(status, 401);
    for pin in ["1111", "2222"] {
        let (status, _) = app
            .call(
                Method::POST,
                "/api/v1/me/pin/verify",
                &format!("Bearer {bo}"),
                &[],
                Some(&json!({"pin": pin})),
            )
            .await;
        assert_eq!(status, 403);
    }
    let secret_id = "a7c0e2b4-no-such-access";
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/substitute-accesses/{secret_id}/end"),
            &format!("Bearer {bo}"),
            &[],
            None,
        )
        .await;
    assert_eq!(status, 404);

    let res = get(&app, "/metrics", &[]).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = res.text().await.unwrap();
    assert!(text.ends_with("# EOF\n"), "{text}");
    let ready = r#"omsorg_http_requests_total{method="GET",route="/readyz",status="200"}"#;
    assert_eq!(sample(&text, ready), 1.0, "{text}");
    let healthz = r#"omsorg_http_requests_total{method="GET",route="/healthz",status="200"}"#;
    assert_eq!(sample(&text, healthz), 3.0);
    let by_id = r#"omsorg_http_requests_total{method="POST",route="/api/v1/substitute-accesses/{id}/end",status="404"}"#;
    assert_eq!(sample(&text, by_id), 1.0, "{text}");
    assert!(!text.contains(secret_id), "an ID in the metrics");
    assert_eq!(
        sample(&text, r#"omsorg_login_failures_total{kind="pin"}"#),
        2.0
    );
    assert_eq!(
        sample(&text, r#"omsorg_login_failures_total{kind="token"}"#),
        1.0
    );
    assert!(text.contains("omsorg_http_request_duration_seconds_bucket{le="));
    assert!(text.contains("# TYPE omsorg_mail_queue gauge"));

    // The database gone: not ready (and the figures that need it say so).
    app.state.db.close().await;
    assert_eq!(get(&app, "/readyz", &[]).await.status(), 503);
    assert_eq!(get(&app, "/metrics", &[]).await.status(), 503);
    assert_eq!(
        get(&app, "/healthz", &[]).await.status(),
        200,
        "still alive"
    );
}
