//! Several backend instances on one database, as behind a load balancer:
//! real `omsorg-server` processes, requests alternating between them. No
//! order is made twice, no user ID reserved twice, the guessing limit
//! holds across instances, each expiry is done once and each mail sent
//! once. Then an instance is killed with SIGKILL while it holds claimed
//! work (mails it is sending, an expiry it is closing), and another one
//! finishes that work once the claims' lease has run out, not before.
//! Runs on the suite's database (PostgreSQL with OMSORG_TEST_DATABASE=
//! postgres, where the fleet is meant to run; SQLite otherwise).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use sqlx::AnyPool;

use crate::helpers::*;

use crate::smtp;

const PEPPER: &str = "fleet-test-pepper-of-sixteen";
const LEASE_SECS: i64 = 4;

/// One `omsorg-server` process, with the fleet's job timing.
struct Instance {
    server: ServerProcess,
    base: String,
    log: PathBuf,
    client: reqwest::Client,
}

impl Instance {
    async fn start(name: &str, issuer: &str, dir: &Path, db: &str, env: &[(&str, &str)]) -> Self {
        let log = dir.join(format!("{name}.log"));
        let lease = LEASE_SECS.to_string();
        let mut all = vec![
            ("OMSORG_PIN_PEPPER", PEPPER),
            ("OMSORG_LOG_FORMAT", "json"),
            ("OMSORG_JOB_EVERY_SECS", "1"),
            ("OMSORG_JOB_LEASE_SECS", lease.as_str()),
            ("RUST_LOG", "info"),
        ];
        all.extend_from_slice(env);
        let server = ServerProcess::start(issuer, db, &log, &all).await;
        Instance {
            base: server.base.clone(),
            server,
            log,
            client: reqwest::Client::new(),
        }
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        auth: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> (u16, Value) {
        let url = format!("{}{path}", self.base);
        request(&self.client, method, &url, auth, headers, body).await
    }

    async fn reserve(&self, bearer: &str) -> String {
        let path = "/api/v1/substitute-ids/reservations";
        let (status, r) = self.call(Method::POST, path, bearer, &[], None).await;
        assert_eq!(status, 201, "{r}");
        r["user_id"].as_str().unwrap().to_string()
    }

    /// An order with `key`, retried as the app does while the key's first
    /// request is still running (429).
    async fn order(&self, bearer: &str, key: &str, body: &Value) -> Value {
        let path = "/api/v1/substitute-accesses";
        for _ in 0..240 {
            let headers = [("idempotency-key", key)];
            match self
                .call(Method::POST, path, bearer, &headers, Some(body))
                .await
            {
                (201, receipt) => return receipt,
                (429, _) => tokio::time::sleep(Duration::from_millis(250)).await,
                (status, answer) => panic!("{key}: {status} {answer}"),
            }
        }
        panic!("{key}: never answered");
    }

    /// The sum of a counter's samples whose line starts with `series`.
    async fn metric(&self, series: &str) -> f64 {
        let text = self
            .client
            .get(format!("{}/metrics", self.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        text.lines()
            .filter(|l| l.starts_with(series))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
    }

    fn log_lines(&self, message: &str) -> usize {
        let text = std::fs::read_to_string(&self.log).unwrap();
        text.lines()
            .filter(|l| l.contains(&format!("\"message\":\"{message}\"")))
            .count()
    }

    /// SIGTERM, as an orchestrator stops an instance: it must stop by itself.
    async fn terminate(mut self) -> String {
        let pid = i32::try_from(self.server.child.id().unwrap()).unwrap();
        // SAFETY: signalling our own child by its pid.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let status = tokio::time::timeout(Duration::from_secs(60), self.server.child.wait())
            .await
            .expect("stops within a minute of SIGTERM")
            .unwrap();
        assert!(status.success(), "{status}");
        std::fs::read_to_string(&self.log).unwrap()
    }

    /// SIGKILL: nothing is finished or given back.
    async fn kill(self) {
        self.server.kill().await;
    }
}

fn bearer(issuer: &str, who: &str) -> String {
    let now = chrono::Utc::now().timestamp();
    let claims = json!({"iss": issuer, "sub": who, "auth_time": now});
    format!("Bearer {}", token(KEY, Some("k1"), claims))
}

async fn count(db: &AnyPool, sql: &str) -> i64 {
    sqlx::query_as::<_, (i64,)>(sql)
        .fetch_one(db)
        .await
        .unwrap()
        .0
}

/// Waits (up to a minute) until `sql`'s count is `n`.
async fn until(db: &AnyPool, sql: &str, n: i64) {
    for _ in 0..600 {
        if count(db, sql).await == n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never {n}: {sql} (is {})", count(db, sql).await);
}

/// Every mail the outbox holds, as (recipient, subject), with how many
/// times the SMTP server received it.
fn received(mails: &[smtp::Received]) -> BTreeMap<(String, String), usize> {
    let mut by = BTreeMap::new();
    for m in mails {
        let subject = m
            .data
            .lines()
            .find_map(|l| l.strip_prefix("Subject: "))
            .unwrap_or_default()
            .to_string();
        for to in &m.to {
            *by.entry((to.clone(), subject.clone())).or_insert(0) += 1;
        }
    }
    by
}

async fn outbox(db: &AnyPool) -> BTreeMap<(String, String), usize> {
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT to_addr, subject FROM mail_outbox")
        .fetch_all(db)
        .await
        .unwrap();
    let mut by = BTreeMap::new();
    for row in rows {
        *by.entry(row).or_insert(0) += 1;
    }
    by
}

/// The subject lines as the mail server decoded them may be encoded words;
/// compare what both sides agree on: the recipient and the order's user ID.
fn keys(
    by: &BTreeMap<(String, String), usize>,
    user_ids: &[String],
) -> BTreeMap<(String, String), usize> {
    let mut out = BTreeMap::new();
    for ((to, subject), n) in by {
        let id = user_ids
            .iter()
            .find(|u| subject.contains(u.as_str()))
            .cloned()
            .unwrap_or_else(|| subject.clone());
        *out.entry((to.clone(), id)).or_insert(0) += n;
    }
    out
}

#[tokio::test]
async fn two_instances_on_one_database_do_each_thing_once_and_take_over_a_killed_ones_work() {
    let issuer = spawn_issuer().await;
    let dir = tempfile::tempdir().unwrap();
    let url = crate::databases::fresh(dir.path(), "fleet").await;
    let (smtp_url, mails) = smtp::smtp_server();
    let mail_env = [("OMSORG_SMTP_URL", smtp_url.as_str())];
    // Both start at once: migrations and the dev seed run twice, together.
    let (a, b) = tokio::join!(
        Instance::start("a", &issuer, dir.path(), &url, &mail_env),
        Instance::start("b", &issuer, dir.path(), &url, &mail_env),
    );
    let db = AnyPool::connect(&url).await.unwrap();
    let (anna, frida, bo) = (
        bearer(&issuer, "anna"),
        bearer(&issuer, "frida"),
        bearer(&issuer, "bo"),
    );
    for who in [&anna, &frida, &bo] {
        assert_eq!(
            a.call(Method::GET, "/api/v1/me", who, &[], None).await.0,
            200
        );
    }

    // Reservations: anna's two at once (one on each) hold one ID; frida's another.
    let (r1, r2) = tokio::join!(a.reserve(&anna), b.reserve(&anna));
    assert_eq!(r1, r2, "one orderer, one reservation");
    let frida_id = b.reserve(&frida).await;
    assert_ne!(frida_id, r1);

    // Orders: one key sent to both at once is one order; other keys are others.
    // Three substitutes (one person has one live access at a time).
    let first = test_order_body(1, &r1);
    let (o1, o2) = tokio::join!(
        a.order(&anna, "anna-1", &first),
        b.order(&anna, "anna-1", &first),
    );
    assert_eq!(
        o1["id"], o2["id"],
        "the same key on two instances: one order"
    );
    let o3 = a
        .order(&frida, "frida-1", &test_order_body(2, &frida_id))
        .await;
    let r4 = b.reserve(&anna).await;
    let o4 = a.order(&anna, "anna-2", &test_order_body(3, &r4)).await;
    let ids = [&o1, &o3, &o4].map(|o| o["id"].as_str().unwrap().to_string());
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM substitute_accesses").await,
        3
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(DISTINCT user_id) FROM substitute_accesses"
        )
        .await,
        3
    );

    // Guesses at bo's PIN on two tablets, alternating instances, all at once.
    let pin_path = "/api/v1/me/pin";
    let (status, _) = b
        .call(
            Method::PUT,
            pin_path,
            &bo,
            &[],
            Some(&json!({"pin": "1350"})),
        )
        .await;
    assert_eq!(status, 204);
    let mut tablets = Vec::new();
    // Two to guess on, a third for the right PIN afterwards.
    for _ in 0..3 {
        let unit = json!({"unit_id": "kbh-hjemmepleje-nord", "mode": "apartment_tablet",
                          "apartment": "Lejl. 3"});
        let (status, code) = a
            .call(
                Method::POST,
                "/api/v1/admin/enrollment-codes",
                &bo,
                &[],
                Some(&unit),
            )
            .await;
        assert_eq!(status, 201, "{code}");
        let enroll = json!({"code": code["code"]});
        let (status, enrolled) = b
            .call(
                Method::POST,
                "/api/v1/devices/enroll",
                "",
                &[],
                Some(&enroll),
            )
            .await;
        assert_eq!(status, 201, "{enrolled}");
        tablets.push(format!(
            "Device {}",
            enrolled["credential"].as_str().unwrap()
        ));
    }
    let mut guesses = tokio::task::JoinSet::new();
    for pin in 1200..1240u32 {
        let base = if pin % 2 == 0 { &a.base } else { &b.base };
        let device = &tablets[(pin as usize / 2) % 2];
        let request = reqwest::Client::new()
            .post(format!("{base}/api/v1/shared/sessions"))
            .header("authorization", device)
            .json(&json!({"user_id": "bo", "pin": format!("{pin:04}")}));
        guesses.spawn(async move {
            let res = request.send().await.unwrap();
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.unwrap_or(Value::Null))
        });
    }
    let answers = guesses.join_all().await;
    assert!(answers.iter().all(|(s, _)| *s != 201), "{answers:?}");
    let failures = r#"omsorg_login_failures_total{kind="shared_login"}"#;
    let evaluated = a.metric(failures).await + b.metric(failures).await;
    assert!(
        (1.0..=5.0).contains(&evaluated),
        "{evaluated} wrong PINs evaluated across both instances"
    );
    let right = json!({"user_id": "bo", "pin": "1350"});
    let (status, answer) = b
        .call(
            Method::POST,
            "/api/v1/shared/sessions",
            &tablets[2],
            &[],
            Some(&right),
        )
        .await;
    assert_eq!((status, answer["code"].as_str()), (403, Some("pin.locked")));

    // Expiry: all three end now; both instances' jobs run every second.
    let now = chrono::Utc::now().timestamp();
    sqlx::query("UPDATE substitute_accesses SET ends_at = $1")
        .bind(now - 5)
        .execute(&db)
        .await
        .unwrap();
    until(
        &db,
        "SELECT COUNT(*) FROM substitute_accesses WHERE ended_at IS NOT NULL",
        3,
    )
    .await;
    for id in &ids {
        let expired: i64 = sqlx::query_as::<_, (i64,)>(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'substitute_access.expired' AND subject = $1",
        )
        .bind(id)
        .fetch_one(&db)
        .await
        .unwrap()
        .0;
        assert_eq!(expired, 1, "{id}");
    }
    let message = "substitute access expired";
    assert_eq!(a.log_lines(message) + b.log_lines(message), 3);

    // Mail: everything queued is sent, each mail once.
    until(
        &db,
        "SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL",
        0,
    )
    .await;
    let user_ids: Vec<String> = [&o1, &o3, &o4]
        .iter()
        .map(|o| o["user_id"].as_str().unwrap().to_string())
        .collect();
    let queued = keys(&outbox(&db).await, &user_ids);
    assert!(queued.len() >= 6, "{queued:?}");
    assert!(queued.values().all(|n| *n == 1), "{queued:?}");
    assert_eq!(keys(&received(&mails.lock().unwrap()), &user_ids), queued);

    // Both stop on SIGTERM, each after finishing what it was doing.
    let (log_a, log_b) = tokio::join!(a.terminate(), b.terminate());
    for log in [log_a, log_b] {
        assert!(log.contains("\"message\":\"stopped\""), "{log}");
    }

    // An instance whose mail server never answers and whose directory is
    // slow takes an order's mail and its expiry, and is killed holding both.
    let hole = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hole_url = format!("smtp://{}", hole.local_addr().unwrap());
    let c = Instance::start(
        "c",
        &issuer,
        dir.path(),
        &url,
        &[
            ("OMSORG_SMTP_URL", hole_url.as_str()),
            ("OMSORG_DEV_DIRECTORY_LATENCY_MS", "3000"),
        ],
    )
    .await;
    let r5 = c.reserve(&anna).await;
    let o5 = c.order(&anna, "anna-3", &test_order_body(4, &r5)).await;
    let id5 = o5["id"].as_str().unwrap().to_string();
    sqlx::query("UPDATE substitute_accesses SET ends_at = $1 WHERE id = $2")
        .bind(chrono::Utc::now().timestamp() - 5)
        .bind(&id5)
        .execute(&db)
        .await
        .unwrap();
    until(
        &db,
        "SELECT COUNT(*) FROM substitute_accesses WHERE expiry_holder IS NOT NULL AND ended_at IS NULL",
        1,
    )
    .await;
    until(
        &db,
        "SELECT COUNT(*) FROM mail_outbox WHERE claimed_by IS NOT NULL AND sent_at IS NULL",
        1,
    )
    .await;
    let (expiry_until,): (i64,) =
        sqlx::query_as("SELECT expiry_until FROM substitute_accesses WHERE id = $1")
            .bind(&id5)
            .fetch_one(&db)
            .await
            .unwrap();
    // (A lease of 4 s claims one mail at a time: a send gets half a lease.)
    let (mail, mail_until): (i64, i64) = sqlx::query_as(
        "SELECT id, next_attempt_at FROM mail_outbox WHERE claimed_by IS NOT NULL AND sent_at IS NULL",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    c.kill().await;
    drop(hole);

    // Another instance finishes both, after the lease and not before.
    let d = Instance::start("d", &issuer, dir.path(), &url, &mail_env).await;
    until(
        &db,
        "SELECT COUNT(*) FROM substitute_accesses WHERE ended_at IS NULL",
        0,
    )
    .await;
    until(
        &db,
        "SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL",
        0,
    )
    .await;
    let (expired_at,): (i64,) = sqlx::query_as(
        "SELECT at FROM audit_log WHERE action = 'substitute_access.expired' AND subject = $1",
    )
    .bind(&id5)
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(
        expired_at >= expiry_until,
        "closed at {expired_at}, claim held until {expiry_until}"
    );
    let (sent_at,): (i64,) = sqlx::query_as("SELECT sent_at FROM mail_outbox WHERE id = $1")
        .bind(mail)
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(
        sent_at >= mail_until,
        "sent at {sent_at}, claimed until {mail_until}"
    );
    assert_eq!(d.log_lines(message), 1);
    let mut user_ids = user_ids;
    user_ids.push(r5.clone());
    let queued = keys(&outbox(&db).await, &user_ids);
    assert!(queued.values().all(|n| *n == 1), "{queued:?}");
    assert_eq!(keys(&received(&mails.lock().unwrap()), &user_ids), queued);
    d.terminate().await;
}
