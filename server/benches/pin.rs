//! PIN verification throughput and latency (issue: "PIN and the 10-minute
//! lock", benchmark). Not a test: it prints figures.
//!
//! 1. The physical limit: raw Argon2id verifications per second with the
//!    backend's parameters, one thread per core.
//! 2. `POST /api/v1/me/pin/verify` on loopback, closed loop with more clients
//!    than cores: verifications per second, and its share of the limit.
//! 3. A burst of 300 verifications spread over 60 s: p50 / p99 latency.
//!
//! `cargo xtask bench` (or `cargo bench -p omsorg-server --bench pin`);
//! `OMSORG_BENCH_SECS` shortens the throughput phases (default 10 s).

#[allow(dead_code)]
#[path = "../tests/api/helpers.rs"]
mod helpers;

#[allow(dead_code)]
#[path = "../tests/api/databases.rs"]
mod databases;

#[allow(dead_code)]
mod common;

use std::time::{Duration, Instant};

use common::{closed_loop, ms, percentile, raw_limit};
use helpers::*;
use serde_json::json;

async fn verify(client: &reqwest::Client, url: &str, token: &str) -> Duration {
    let t = Instant::now();
    let res = client
        .post(url)
        .bearer_auth(token)
        .json(&json!({"pin": "2580"}))
        .send()
        .await
        .expect("backend answers");
    assert_eq!(res.status(), 204, "the right PIN is accepted");
    t.elapsed()
}

fn main() {
    let secs: u64 = std::env::var("OMSORG_BENCH_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    println!("PIN verification benchmark: {cores} cores, Argon2id m=19456 KiB t=2 p=1");

    let limit = raw_limit(cores, secs);
    println!("raw Argon2id limit:           {limit:8.1} verifications/s");

    let rt = common::runtime();
    rt.block_on(async {
        let issuer = spawn_issuer().await;
        let app = spawn_app_trusting(&issuer).await;
        let token = token(KEY, Some("k1"), json!({"iss": issuer, "sub": "bo", "exp": chrono::Utc::now().timestamp() + 3600}));
        let url = app.url("/api/v1/me/pin/verify");
        let client = reqwest::Client::new();
        // Warm up: JWKS fetched, connections open.
        verify(&client, &url, &token).await;

        // The backend's hasher alone (blocking pool + semaphore), no HTTP or
        // database: where the endpoint's loss against the limit comes from.
        let hasher = omsorg_server::pin::PinHasher::new(b"bench-pepper-of-sixteen", cores);
        let phc = hasher.hash("2580").await.unwrap();
        let rate = closed_loop(cores * 4, secs, move || {
            let (hasher, phc) = (hasher.clone(), phc.clone());
            async move { assert!(hasher.verify("2580", &phc).await.unwrap()) }
        })
        .await;
        println!(
            "hasher alone (blocking pool):  {rate:8.1} verifications/s = {:.1} % of the limit",
            100.0 * rate / limit
        );

        let clients = cores * 4;
        let rate = {
            let (client, url, token) = (client.clone(), url.clone(), token.clone());
            closed_loop(clients, secs, move || {
                let (client, url, token) = (client.clone(), url.clone(), token.clone());
                async move {
                    verify(&client, &url, &token).await;
                }
            })
            .await
        };
        println!(
            "endpoint, {clients} clients:         {rate:8.1} verifications/s = {:.1} % of the limit (goal >= 90 %)",
            100.0 * rate / limit
        );

        // 300 verifications spread evenly over 60 s, each timed on its own.
        let (n, window) = (300u32, Duration::from_secs(60));
        let start = tokio::time::Instant::now();
        let tasks: Vec<_> = (0..n)
            .map(|i| {
                let (client, url, token) = (client.clone(), url.clone(), token.clone());
                let at = start + window * i / n;
                tokio::spawn(async move {
                    tokio::time::sleep_until(at).await;
                    verify(&client, &url, &token).await
                })
            })
            .collect();
        let mut latencies = Vec::new();
        for t in tasks {
            latencies.push(t.await.unwrap());
        }
        latencies.sort();
        println!(
            "burst of {n} in {} s:           p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (goal p99 <= 250 ms)",
            window.as_secs(),
            ms(percentile(&latencies, 0.50)),
            ms(percentile(&latencies, 0.99)),
            ms(*latencies.last().unwrap()),
        );
    });
}
