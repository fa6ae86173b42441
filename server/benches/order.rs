//! Creating substitute access orders (issue: "Substitute access", goal p95
//! <= 300 ms). Not a test: it prints figures.
//!
//! One orderer places N orders one after another on loopback, each after its
//! own reservation (not timed). Timed: `POST /api/v1/substitute-accesses`
//! with everything it does today — CPR checks and lookup, sealing, the
//! declaration PDF/A with a drawn 900 × 300 signature and its SHA-256, the
//! directory account (an Argon2id hash of the one-time password), two mails
//! queued, the audit record, the sealed receipt.
//!
//! `cargo bench -p omsorg-server --bench order`; `OMSORG_BENCH_ORDERS` sets N
//! (default 200).

#[allow(dead_code)]
#[path = "../tests/api/helpers.rs"]
mod helpers;

#[allow(dead_code)]
#[path = "../tests/api/databases.rs"]
mod databases;

#[allow(dead_code)]
mod common;

use std::time::Instant;

use common::{drawn_signature_png, ms, percentile};
use helpers::*;
use serde_json::json;

fn main() {
    let n: usize = std::env::var("OMSORG_BENCH_ORDERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
        .min(500);
    let cores = std::thread::available_parallelism().map_or(2, |c| c.get());
    println!("order benchmark: {cores} cores, {n} orders one after another");
    let rt = common::runtime();
    rt.block_on(async {
        let issuer = spawn_issuer().await;
        let app = spawn_app_trusting(&issuer).await;
        let anna = token(KEY, Some("k1"), json!({"iss": issuer, "sub": "anna"}));
        let bo = token(KEY, Some("k1"), json!({"iss": issuer, "sub": "bo"}));
        let range = json!({"prefix": "bench", "from": 1, "to": n});
        let (status, _) = app
            .call(
                reqwest::Method::POST,
                "/api/v1/admin/substitute-ids",
                &format!("Bearer {bo}"),
                &[],
                Some(&range),
            )
            .await;
        assert_eq!(status, 201);
        use base64::Engine;
        let signature = base64::engine::general_purpose::STANDARD.encode(drawn_signature_png());
        let mut times = Vec::with_capacity(n);
        for i in 0..n {
            let user_id = app.reserve(&anna).await;
            let mut body = test_order_body(i as u16, &user_id);
            body["signature_png"] = json!(signature);
            let key = format!("bench-{i}");
            let t = Instant::now();
            let (status, _) = app.order(&anna, Some(&key), &body).await;
            times.push(t.elapsed());
            assert_eq!(status, 201, "order {i}");
        }
        times.sort();
        println!(
            "create order (with PDF/A):  p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms (goal p95 <= 300 ms)",
            ms(percentile(&times, 0.50)),
            ms(percentile(&times, 0.95)),
            ms(*times.last().unwrap()),
        );
    });
}
