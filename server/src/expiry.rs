//! Expiry (SPEC C4): at its end an access closes by itself — the directory
//! account is disabled, the order marked ended, the user ID archived. A job
//! runs at start (catching up on whatever ended while the backend was down)
//! and then every `EVERY`. Everything it needs is in the database, so it
//! survives restarts, and any instance may run it: each access's expiry is
//! claimed first (`jobs`), so it is done once.
//! Orders a crash left half done have their own job (`spawn_recovery`).

use std::time::Duration;

use chrono::Utc;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::AppState;

pub const EVERY: Duration = Duration::from_secs(30);

/// Closes every open access whose end is at or before `now` (seconds),
/// then frees the user IDs whose quarantine has passed; answers how many
/// accesses it closed (`access::close_due`).
pub async fn run_once(state: &AppState, now: i64) -> anyhow::Result<usize> {
    let closed = crate::access::close_due(state, now).await?;
    let freed =
        crate::substitute_ids::release_quarantined(&state.db, now, state.id_quarantine_secs)
            .await?;
    if !freed.is_empty() {
        tracing::info!(
            freed = freed.len(),
            "user IDs free again after their quarantine"
        );
    }
    Ok(closed)
}

/// The job, until `stop`.
pub fn spawn(state: AppState, stop: watch::Receiver<bool>) -> JoinHandle<()> {
    let period = state.jobs.every(EVERY);
    crate::jobs::every(period, stop, move || {
        let state = state.clone();
        async move {
            if let Err(e) = run_once(&state, Utc::now().timestamp()).await {
                tracing::error!(error = %e, "expiry run failed");
            }
        }
    })
}

/// Finishes (or undoes) orders a crash left half done (`access::recover`):
/// at start, then once per order lease, so none waits much longer than its
/// claim outlives the instance that held it. Each order's key is claimed
/// first, so two instances never finish one twice.
pub fn spawn_recovery(state: AppState, stop: watch::Receiver<bool>) -> JoinHandle<()> {
    let every = Duration::from_secs(u64::try_from(state.order_lease_secs).unwrap_or(60).max(1));
    crate::jobs::every(every, stop, move || {
        let state = state.clone();
        async move {
            if let Err(e) = crate::access::recover(&state, Utc::now().timestamp()).await {
                tracing::error!(error = %e, "order recovery failed");
            }
        }
    })
}
