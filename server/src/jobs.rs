//! Background work that any instance may do, claimed so that it is done
//! once: rows are claimed with a lease before the work (`FOR UPDATE SKIP
//! LOCKED` on PostgreSQL, so two instances take disjoint rows without
//! waiting on each other; one statement under SQLite's single writer), and
//! a periodic job's run is claimed as a whole (`job_leases`). A claim whose
//! instance died runs out after the lease; a graceful stop releases its
//! claims at once (`release`).

use std::time::Duration;

use sqlx::AnyPool;

use crate::db::Backend;

/// The suffix that makes a claim's row selection skip rows another
/// instance is claiming right now (nothing on SQLite, which has one writer).
pub fn skip_locked(db: &AnyPool) -> &'static str {
    match Backend::of_pool(db) {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    }
}

/// How often each job runs, and how long its claims hold.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    /// `OMSORG_JOB_LEASE_SECS` (default 120).
    pub lease: Duration,
    /// `OMSORG_JOB_EVERY_SECS`: every job's interval (otherwise its own).
    pub every: Option<Duration>,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            lease: Duration::from_secs(120),
            every: None,
        }
    }
}

impl Timing {
    pub fn lease_secs(&self) -> i64 {
        i64::try_from(self.lease.as_secs()).unwrap_or(120).max(1)
    }

    /// The interval of a job whose own is `default`.
    pub fn every(&self, default: Duration) -> Duration {
        self.every.unwrap_or(default)
    }
}

/// Claims the run of job `name` due every `every_secs` for `holder`: true
/// when this instance runs it now (no other instance has in the last
/// `every_secs`, or the one that did is gone and its lease ran out).
pub async fn claim_run(
    db: &AnyPool,
    name: &str,
    holder: &str,
    now: i64,
    every_secs: i64,
) -> sqlx::Result<bool> {
    let claimed: Option<(String,)> = sqlx::query_as(
        "INSERT INTO job_leases (name, holder, lease_until) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET holder = $2, lease_until = $3
             WHERE job_leases.lease_until <= $4
         RETURNING holder",
    )
    .bind(name)
    .bind(holder)
    .bind(now + every_secs)
    .bind(now)
    .fetch_optional(db)
    .await?;
    Ok(claimed.is_some())
}

/// Gives back every claim `holder` still has (a graceful stop), so another
/// instance need not wait out the lease: expiries and mail become due again.
pub async fn release(db: &AnyPool, holder: &str) -> sqlx::Result<u64> {
    let expiries = sqlx::query(
        "UPDATE substitute_accesses SET expiry_holder = NULL, expiry_until = NULL
         WHERE expiry_holder = $1 AND ended_at IS NULL",
    )
    .bind(holder)
    .execute(db)
    .await?
    .rows_affected();
    let mail = sqlx::query(
        "UPDATE mail_outbox SET claimed_by = NULL, next_attempt_at = $2
         WHERE claimed_by = $1 AND sent_at IS NULL",
    )
    .bind(holder)
    .bind(chrono::Utc::now().timestamp())
    .execute(db)
    .await?
    .rows_affected();
    Ok(expiries + mail)
}

/// Runs `run` every `period` (the first at once) until `stop` changes (or
/// its sender is gone); a run in progress is finished first.
pub fn every<F, Fut>(
    period: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
    mut run: F,
) -> tokio::task::JoinHandle<()>
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                biased;
                _ = stop.changed() => return,
                _ = tick.tick() => run().await,
            }
        }
    })
}
