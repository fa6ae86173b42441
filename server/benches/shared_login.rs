//! Shift change on shared devices (issue: "Shared apartment tablets and wall
//! screens", benchmark). Not a test: it prints figures.
//!
//! 1. N enrolled devices log in with user ID + PIN at the same moment on
//!    loopback: logins per second and p99, against the raw Argon2id limit.
//! 2. 300 logins a minute, open loop (a shift change as it arrives): p50,
//!    p95, p99 (`OMSORG_BENCH_STEADY_SECS`, default 20).
//! 3. An unknown user ID against a wrong PIN for a real one: their latencies
//!    should not tell them apart.
//!
//! `cargo bench -p omsorg-server --bench shared_login`; `OMSORG_BENCH_DEVICES`
//! sets N (default 40), `OMSORG_BENCH_PEOPLE` the municipality's other staff
//! (default 20,000).

#[allow(dead_code)]
#[path = "../tests/api/helpers.rs"]
mod helpers;

#[allow(dead_code)]
#[path = "../tests/api/databases.rs"]
mod databases;

#[allow(dead_code)]
mod common;

use std::time::{Duration, Instant};

use common::{ms, percentile, raw_limit};
use helpers::*;
use serde_json::{json, Value};

async fn enroll(app: &TestApp, admin: &str) -> String {
    let code: Value = app
        .client
        .post(app.url("/api/v1/admin/enrollment-codes"))
        .bearer_auth(admin)
        .json(&json!({"unit_id": "kbh-hjemmepleje-nord", "mode": "wall_screen"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let enrolled: Value = app
        .client
        .post(app.url("/api/v1/devices/enroll"))
        .json(&json!({"code": code["code"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    enrolled["credential"].as_str().unwrap().to_string()
}

async fn login(app: &TestApp, device: &str, user_id: &str, pin: &str) -> (u16, Duration) {
    let t = Instant::now();
    let res = app
        .client
        .post(app.url("/api/v1/shared/sessions"))
        .header("authorization", format!("Device {device}"))
        .json(&json!({"user_id": user_id, "pin": pin}))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let _ = res.bytes().await;
    (status, t.elapsed())
}

/// staff`i` logs in with the right PIN on `device`, from that device's
/// own client (made when the device started, as an app's is; a client
/// that has not been used yet opens its connection in the login): how
/// long the answer took.
async fn staff_login(
    client: reqwest::Client,
    app_url: String,
    device: String,
    i: usize,
) -> Duration {
    let t = Instant::now();
    let res = client
        .post(format!("{app_url}/api/v1/shared/sessions"))
        .header("authorization", format!("Device {device}"))
        .json(&json!({"user_id": format!("staff{i}"), "pin": "2580"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    t.elapsed()
}

/// One burst: every device's staff member logs in at the same moment.
struct Burst {
    rate: f64,
    p50: Duration,
    p99: Duration,
    wall: Duration,
    /// CPU time a login spent outside the Argon2 threads (the backend's
    /// and the load generator's: they share the cores).
    others_ms: f64,
    /// The burst's CPU by thread, in % of the cores' time.
    cpu: String,
    /// The devices' clients, connected now.
    clients: Vec<reqwest::Client>,
}

async fn burst(base: &str, devices: &[String]) -> Burst {
    let n = devices.len();
    let cores = std::thread::available_parallelism().map_or(2, |c| c.get());
    let clients: Vec<reqwest::Client> = devices.iter().map(|_| reqwest::Client::new()).collect();
    let cpu_before = common::cpu_by_thread();
    let started = Instant::now();
    let tasks: Vec<_> = devices
        .iter()
        .enumerate()
        .map(|(i, d)| {
            tokio::spawn(staff_login(
                clients[i].clone(),
                base.to_string(),
                d.clone(),
                i,
            ))
        })
        .collect();
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.push(t.await.unwrap());
    }
    let wall = started.elapsed();
    let cpu = common::cpu_by_thread();
    let mut spent: Vec<(String, f64)> = cpu
        .iter()
        .map(|(name, s)| (name.clone(), s - cpu_before.get(name).unwrap_or(&0.0)))
        .filter(|(_, s)| *s > 0.0005)
        .collect();
    spent.sort_by(|a, b| b.1.total_cmp(&a.1));
    let capacity = cores as f64 * wall.as_secs_f64();
    let others: f64 = spent
        .iter()
        .filter(|(name, _)| !name.starts_with("pin-hash"))
        .map(|(_, s)| s)
        .sum();
    latencies.sort();
    Burst {
        rate: n as f64 / wall.as_secs_f64(),
        p50: percentile(&latencies, 0.5),
        p99: percentile(&latencies, 0.99),
        wall,
        others_ms: 1e3 * others / n as f64,
        cpu: spent
            .iter()
            .map(|(name, s)| format!("{name} {:.1} %", 100.0 * s / capacity))
            .collect::<Vec<_>>()
            .join(", "),
        clients,
    }
}

fn main() {
    let n: usize = std::env::var("OMSORG_BENCH_DEVICES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let cores = std::thread::available_parallelism().map_or(2, |c| c.get());
    println!("shared-device login benchmark: {cores} cores, {n} devices");
    let limit = raw_limit(cores, 5);
    println!("raw Argon2id limit:        {limit:8.1} verifications/s");

    let rt = common::runtime();
    rt.block_on(async {
        let issuer = spawn_issuer().await;
        let app = spawn_app_trusting(&issuer).await;
        let bo = token(KEY, Some("k1"), json!({"iss": issuer, "sub": "bo",
                                               "exp": chrono::Utc::now().timestamp() + 3600}));
        let mut devices = Vec::new();
        for _ in 0..n {
            devices.push(enroll(&app, &bo).await);
        }
        // A shift change is many people, one device each: staff1…staffN with
        // PIN 2580 (one user ID's parallel logins are held to its guessing
        // limit, counted before they are checked).
        let db = sqlx::AnyPool::connect(&app.database_url).await.unwrap();
        let hash = app.state.pins.hash("2580").await.unwrap();
        for i in 0..n {
            sqlx::query(
                "INSERT INTO people (issuer, subject, user_id, name, municipality_code, unit_id, is_admin, pin_hash)
                 VALUES ($1, $2, $2, $2, '101', 'kbh-hjemmepleje-nord', FALSE, $3)",
            )
            .bind(&issuer)
            .bind(format!("staff{i}"))
            .bind(&hash)
            .execute(&db)
            .await
            .unwrap();
            // Their privileges cover the devices' unit (as provisioning writes it).
            sqlx::query(
                "INSERT INTO person_units (person_id, unit_id)
                 SELECT id, 'kbh-hjemmepleje-nord' FROM people WHERE user_id = $1",
            )
            .bind(format!("staff{i}"))
            .execute(&db)
            .await
            .unwrap();
        }

        // The rest of a large municipality's staff, who are not at this
        // shift change but whom every login's lookup could have to read
        // past (`OMSORG_BENCH_PEOPLE`, default 20,000; Copenhagen employs
        // some 45,000).
        let others: usize = std::env::var("OMSORG_BENCH_PEOPLE")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(20_000);
        let mut tx = db.begin().await.unwrap();
        for i in 0..others {
            sqlx::query(
                "INSERT INTO people (issuer, subject, user_id, name, municipality_code, is_admin)
                 VALUES ($1, $2, $2, $2, '101', FALSE)",
            )
            .bind(&issuer)
            .bind(format!("colleague{i}"))
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        println!("people in the municipality: {}", n + others);

        // Everyone at once, `OMSORG_BENCH_ROUNDS` times (default 7), each
        // round against the raw limit measured around it (this machine's
        // speed drifts with what else runs on it): the median round's
        // share of the limit.
        let rounds: usize = std::env::var("OMSORG_BENCH_ROUNDS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(7);
        let mut shares = Vec::new();
        for round in 1..=rounds {
            // The limit just before and just after the burst: this
            // machine's speed drifts by tens of percent within a minute.
            let before = raw_limit(cores, 1);
            let burst = burst(&app.base, &devices).await;
            let after = raw_limit(cores, 1);
            let limit = (before + after) / 2.0;
            let share = 100.0 * burst.rate / limit;
            println!(
                "round {round}: limit {limit:.1}/s ({before:.1} before, {after:.1} after), burst {:.1} logins/s = {share:.1} %, p99 {:.0} ms, besides Argon2 {:.2} ms a login ({})",
                burst.rate, ms(burst.p99), burst.others_ms, burst.cpu
            );
            shares.push((share, burst));
        }
        shares.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (share, burst) = &shares[shares.len() / 2];
        println!(
            "burst of {n} logins:        {:8.1} logins/s = {share:.1} % of the limit (median of {rounds} rounds); p50 {:.0} ms, p99 {:.0} ms, all done in {:.0} ms",
            burst.rate,
            ms(burst.p50),
            ms(burst.p99),
            ms(burst.wall)
        );
        // Every device's client as it stands after the burst (connected).
        let clients = &burst.clients;

        // A shift change as it arrives: 300 logins a minute (one every
        // 200 ms, open loop: each starts on time whether or not the last
        // has answered), each person on their own device, for
        // `OMSORG_BENCH_STEADY_SECS` (default 20).
        let secs: u64 = std::env::var("OMSORG_BENCH_STEADY_SECS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(20);
        let count = (secs * 5) as usize;
        let mut tick = tokio::time::interval(Duration::from_millis(200));
        let mut tasks = Vec::new();
        for k in 0..count {
            tick.tick().await;
            let i = k % n;
            tasks.push(tokio::spawn(staff_login(
                clients[i].clone(),
                app.base.clone(),
                devices[i].clone(),
                i,
            )));
        }
        let mut steady = Vec::new();
        for t in tasks {
            steady.push(t.await.unwrap());
        }
        steady.sort();
        println!(
            "300 logins/min for {secs} s:  p50 {:.0} ms, p95 {:.0} ms, p99 {:.0} ms ({count} logins)",
            ms(percentile(&steady, 0.5)),
            ms(percentile(&steady, 0.95)),
            ms(percentile(&steady, 0.99))
        );

        // Unknown user ID vs wrong PIN, one at a time, alternating (a right
        // login in between, so neither reaches its guessing limit).
        let (mut unknown, mut wrong) = (Vec::new(), Vec::new());
        for (i, d) in devices.iter().enumerate() {
            let (s, t) = login(&app, d, &format!("ghost{i}"), "2580").await;
            assert_eq!(s, 401);
            unknown.push(t);
            let (s, t) = login(&app, d, "bo", "1111").await;
            assert_eq!(s, 401);
            wrong.push(t);
            // The right PIN clears bo's count, so he never blocks here.
            assert_eq!(login(&app, d, "bo", "2580").await.0, 201);
        }
        unknown.sort();
        wrong.sort();
        println!(
            "unknown user ID:           p50 {:.1} ms, p90 {:.1} ms",
            ms(percentile(&unknown, 0.5)),
            ms(percentile(&unknown, 0.9))
        );
        println!(
            "wrong PIN, real user ID:   p50 {:.1} ms, p90 {:.1} ms",
            ms(percentile(&wrong, 0.5)),
            ms(percentile(&wrong, 0.9))
        );
    });
}
