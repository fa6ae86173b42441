//! Creating substitute access orders (issue: "Substitute access", benchmark,
//! partly: the PDF is not made yet). Not a test: it prints figures.
//!
//! One orderer places N orders one after another on loopback, each after its
//! own reservation (not timed). Timed: `POST /api/v1/substitute-accesses`
//! with everything it does today — CPR checks and lookup, sealing, the
//! directory account (an Argon2id hash of the one-time password), two mails
//! queued, the audit record, the sealed receipt.
//!
//! `cargo bench -p omsorg-server --bench order`; `OMSORG_BENCH_ORDERS` sets N
//! (default 200).

#[allow(dead_code)]
#[path = "../tests/api/helpers.rs"]
mod helpers;

#[allow(dead_code)]
mod common;

use std::time::Instant;

use common::{ms, percentile};
use helpers::*;
use serde_json::{json, Value};

const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

fn main() {
    let n: usize = std::env::var("OMSORG_BENCH_ORDERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
        .min(500);
    let cores = std::thread::available_parallelism().map_or(2, |c| c.get());
    println!("order benchmark: {cores} cores, {n} orders one after another");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let issuer = spawn_issuer().await;
        let app = spawn_app_trusting(&issuer).await;
        let anna = token(KEY, Some("k1"), json!({"iss": issuer, "sub": "anna"}));
        let bo = token(KEY, Some("k1"), json!({"iss": issuer, "sub": "bo"}));
        let added = app
            .client
            .post(app.url("/api/v1/admin/substitute-ids"))
            .bearer_auth(&bo)
            .json(&json!({"prefix": "bench", "from": 1, "to": n}))
            .send()
            .await
            .unwrap();
        assert_eq!(added.status().as_u16(), 201);
        let mut times = Vec::with_capacity(n);
        for i in 0..n {
            let r: Value = app
                .client
                .post(app.url("/api/v1/substitute-ids/reservations"))
                .bearer_auth(&anna)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let t = Instant::now();
            let res = app
                .client
                .post(app.url("/api/v1/substitute-accesses"))
                .bearer_auth(&anna)
                .header("idempotency-key", format!("bench-{i}"))
                .json(&json!({"cpr": "010190-1234", "confirmed_name": "Sofie Vikar Jensen",
                    "id_document": "pas", "user_id": r["user_id"],
                    "declaration_version": omsorg_core::declaration::current().0,
                    "signature_png": PNG}))
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            let _ = res.bytes().await;
            times.push(t.elapsed());
            assert_eq!(status, 201, "order {i}");
        }
        times.sort();
        println!(
            "create order (no PDF yet):  p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms (goal p95 <= 300 ms)",
            ms(percentile(&times, 0.50)),
            ms(percentile(&times, 0.95)),
            ms(*times.last().unwrap()),
        );
    });
}
