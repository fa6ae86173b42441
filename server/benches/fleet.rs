//! The backend as a fleet: order creation and shared-device logins per
//! second with p50/p95, on SQLite (one instance), on PostgreSQL with one
//! instance, and on PostgreSQL with two instances, printed side by side.
//! Not a test: it prints figures.
//!
//! The servers are real `omsorg-server` processes (this build's); the load
//! generator is this process, so it shares the machine's cores with them,
//! the same way in every row. Each row: `OMSORG_BENCH_WORKERS` (default 8)
//! closed-loop workers for `OMSORG_BENCH_FLEET_SECS` (default 10) per kind
//! of request, spread round-robin over the instances.
//! - An order: the worker's orderer reserves a user ID, then orders with
//!   it (timed: the order; counted per second: whole cycles).
//! - A login: the worker's tablet logs its staff member in with user ID +
//!   PIN (one Argon2id check each).
//!
//! Goals (issue: several instances): PostgreSQL with one instance within
//! 1.5× of SQLite's p95; two instances on the same cores keep at least
//! 90 % of one instance's throughput.
//!
//! `cargo bench -p omsorg-server --bench fleet`.

#[allow(dead_code)]
#[path = "../tests/api/helpers.rs"]
mod helpers;

#[allow(dead_code)]
#[path = "../tests/api/databases.rs"]
mod databases;

#[allow(dead_code)]
mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{ms, percentile};
use helpers::*;
use omsorg_server::db::Backend;
use serde_json::{json, Value};

const PEPPER: &str = "fleet-bench-pepper-of-sixteen";
const KBH_CVR: &str = "64942212";
const NORD_UUID: &str = "2f1b7a64-0d7e-4c55-9a43-6a1c1f1e2a01";

async fn start(issuer: &str, db: &str, dir: &std::path::Path, name: &str) -> ServerProcess {
    let log = dir.join(format!("{name}.log"));
    let env = [
        ("OMSORG_PIN_PEPPER", PEPPER),
        ("OMSORG_LOG_FORMAT", "json"),
        ("RUST_LOG", "warn"),
    ];
    ServerProcess::start(issuer, db, &log, &env).await
}

/// A KOMBIT token for orderer `i` of København's Hjemmepleje Nord.
fn orderer(issuer: &str, i: usize) -> String {
    let now = chrono::Utc::now().timestamp();
    let mut claims = dev_claims("anna");
    claims["iss"] = json!(issuer);
    claims["sub"] = json!(format!("bench{i}"));
    claims["name"] = json!(format!("Bench Orderer {i}"));
    claims["email"] = json!(format!("bench{i}@kbh.example"));
    claims["auth_time"] = json!(now);
    claims["privileges_intermediate"] = json!(privileges(
        KBH_CVR,
        &["medarbejder", "bestiller"],
        &[NORD_UUID]
    ));
    format!("Bearer {}", token(KEY, Some("k1"), claims))
}

async fn call(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    auth: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> (u16, Value) {
    let url = format!("{base}{path}");
    request(client, reqwest::Method::POST, &url, auth, headers, body).await
}

/// Per worker: its orderer's token and its enrolled tablet's credential.
async fn set_up(base: &str, issuer: &str, workers: usize) -> Vec<(String, String)> {
    let client = reqwest::Client::new();
    let bo = format!(
        "Bearer {}",
        token(KEY, Some("k1"), json!({"iss": issuer, "sub": "bo"}))
    );
    // Enough user IDs for every order of the run (500 per request).
    for from in (1..4000).step_by(500) {
        let range = json!({"prefix": "flt", "from": from, "to": from + 499});
        let path = "/api/v1/admin/substitute-ids";
        let (status, answer) = call(&client, base, path, &bo, &[], Some(&range)).await;
        assert_eq!(status, 201, "{answer}");
    }
    let mut out = Vec::new();
    for i in 0..workers {
        let who = orderer(issuer, i);
        let pin = json!({"pin": "2580"});
        let res = client
            .put(format!("{base}/api/v1/me/pin"))
            .header("authorization", &who)
            .json(&pin)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 204);
        let unit = json!({"unit_id": "kbh-hjemmepleje-nord", "mode": "apartment_tablet",
                          "apartment": format!("Lejl. {i}")});
        let (status, code) = call(
            &client,
            base,
            "/api/v1/admin/enrollment-codes",
            &bo,
            &[],
            Some(&unit),
        )
        .await;
        assert_eq!(status, 201, "{code}");
        let enroll = json!({"code": code["code"]});
        let (status, enrolled) = call(
            &client,
            base,
            "/api/v1/devices/enroll",
            "",
            &[],
            Some(&enroll),
        )
        .await;
        assert_eq!(status, 201, "{enrolled}");
        let device = format!("Device {}", enrolled["credential"].as_str().unwrap());
        out.push((who, device));
    }
    out
}

/// Throughput (per second) and the timed part's p50 and p95.
struct Figures {
    per_sec: f64,
    p50: Duration,
    p95: Duration,
}

/// `workers` closed loops of `op(worker, instance base)` for `secs`.
async fn closed_loop<F, Fut>(bases: &[String], workers: usize, secs: u64, op: F) -> Figures
where
    F: Fn(usize, String, usize) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Duration> + Send,
{
    let stop = Arc::new(AtomicBool::new(false));
    let times = Arc::new(Mutex::new(Vec::new()));
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..workers {
        let (stop, times, next, op, bases) = (
            stop.clone(),
            times.clone(),
            next.clone(),
            op.clone(),
            bases.to_vec(),
        );
        tasks.spawn(async move {
            let mut round = 0;
            while !stop.load(Ordering::Relaxed) {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let took = op(w, bases[n % bases.len()].clone(), round).await;
                times.lock().unwrap().push(took);
                round += 1;
            }
        });
    }
    tokio::time::sleep(Duration::from_secs(secs)).await;
    stop.store(true, Ordering::Relaxed);
    tasks.join_all().await;
    let elapsed = started.elapsed();
    let mut times = Arc::try_unwrap(times).unwrap().into_inner().unwrap();
    times.sort();
    Figures {
        per_sec: times.len() as f64 / elapsed.as_secs_f64(),
        p50: percentile(&times, 0.50),
        p95: percentile(&times, 0.95),
    }
}

async fn measure(
    label: &str,
    issuer: &str,
    db: &str,
    instances: usize,
    workers: usize,
    secs: u64,
) -> (Figures, Figures) {
    let dir = tempfile::tempdir().unwrap();
    let mut fleet = Vec::new();
    for n in 0..instances {
        fleet.push(start(issuer, db, dir.path(), &format!("{label}-{n}")).await);
    }
    let bases: Vec<String> = fleet.iter().map(|i| i.base.clone()).collect();
    let people = Arc::new(set_up(&bases[0], issuer, workers).await);
    let signature = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(common::drawn_signature_png())
    };
    let orders = {
        let (people, signature) = (people.clone(), Arc::new(signature));
        closed_loop(&bases, workers, secs, move |w, base, round| {
            let (people, signature) = (people.clone(), signature.clone());
            async move {
                let client = reqwest::Client::new();
                let who = &people[w].0;
                let (status, reserved) = call(
                    &client,
                    &base,
                    "/api/v1/substitute-ids/reservations",
                    who,
                    &[],
                    None,
                )
                .await;
                assert_eq!(status, 201, "{reserved}");
                let n = u16::try_from(w * 1000 + round).unwrap_or(u16::MAX) % 10_000;
                let mut body = test_order_body(n, reserved["user_id"].as_str().unwrap());
                body["signature_png"] = json!(signature.as_str());
                let key = format!("w{w}-{round}");
                let t = Instant::now();
                let headers = [("idempotency-key", key.as_str())];
                let path = "/api/v1/substitute-accesses";
                let (status, receipt) =
                    call(&client, &base, path, who, &headers, Some(&body)).await;
                assert_eq!(status, 201, "{receipt}");
                t.elapsed()
            }
        })
        .await
    };
    let logins = closed_loop(&bases, workers, secs, move |w, base, _| {
        let people = people.clone();
        async move {
            let client = reqwest::Client::new();
            let body = json!({"user_id": format!("bench{w}"), "pin": "2580"});
            let t = Instant::now();
            let (status, answer) = call(
                &client,
                &base,
                "/api/v1/shared/sessions",
                &people[w].1,
                &[],
                Some(&body),
            )
            .await;
            assert_eq!(status, 201, "{answer}");
            t.elapsed()
        }
    })
    .await;
    for server in fleet {
        server.kill().await;
    }
    (orders, logins)
}

fn main() {
    let env = |k: &str, d: u64| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let secs = env("OMSORG_BENCH_FLEET_SECS", 10);
    let workers = usize::try_from(env("OMSORG_BENCH_WORKERS", 8)).unwrap_or(8);
    let cores = std::thread::available_parallelism().map_or(2, |c| c.get());
    println!(
        "fleet benchmark: {cores} cores shared by the servers and the load, \
         {workers} workers, {secs} s per kind"
    );
    let rt = common::runtime();
    rt.block_on(async {
        let issuer = spawn_issuer().await;
        let scratch = tempfile::tempdir().unwrap();
        let sqlite = format!("sqlite://{}", scratch.path().join("fleet.db").display());
        sqlx::any::install_default_drivers();
        let rows = [
            ("SQLite, 1 instance", Backend::Sqlite, 1),
            ("PostgreSQL, 1 instance", Backend::Postgres, 1),
            ("PostgreSQL, 2 instances", Backend::Postgres, 2),
        ];
        let mut results = Vec::new();
        for (label, backend, instances) in rows {
            let db = match backend {
                Backend::Sqlite => sqlite.clone(),
                Backend::Postgres => databases::cluster().create_database().await,
            };
            let tag = label.replace([',', ' '], "");
            results.push((
                label,
                measure(&tag, &issuer, &db, instances, workers, secs).await,
            ));
        }
        println!(
            "{:<26} {:>9} {:>9} {:>9}   {:>9} {:>9} {:>9}",
            "", "orders/s", "p50 ms", "p95 ms", "logins/s", "p50 ms", "p95 ms"
        );
        for (label, (o, l)) in &results {
            println!(
                "{label:<26} {:>9.1} {:>9.1} {:>9.1}   {:>9.1} {:>9.1} {:>9.1}",
                o.per_sec,
                ms(o.p50),
                ms(o.p95),
                l.per_sec,
                ms(l.p50),
                ms(l.p95)
            );
        }
        let (sq, pg1, pg2) = (&results[0].1, &results[1].1, &results[2].1);
        println!(
            "PostgreSQL (1) p95 / SQLite p95: orders {:.2}, logins {:.2} (goal <= 1.5)",
            ms(pg1.0.p95) / ms(sq.0.p95),
            ms(pg1.1.p95) / ms(sq.1.p95)
        );
        println!(
            "2 instances / 1 instance throughput: orders {:.2}, logins {:.2} (goal >= 0.90)",
            pg2.0.per_sec / pg1.0.per_sec,
            pg2.1.per_sec / pg1.1.per_sec
        );
    });
}
