//! Expiry (SPEC C4): at its end an access closes by itself — the directory
//! account is disabled, the order marked ended, the user ID archived. A job
//! runs at start (catching up on whatever ended while the backend was down)
//! and then every `EVERY`. Everything it needs is in the database, so it
//! survives restarts and any instance may run it (closing is idempotent).

use std::time::Duration;

use chrono::Utc;

use crate::routes::accesses::close;
use crate::AppState;

pub const EVERY: Duration = Duration::from_secs(30);

/// Closes every open access whose end is at or before `now` (seconds).
/// Answers how many it closed; one that fails (the directory down) stays
/// open and is tried again next time.
pub async fn run_once(state: &AppState, now: i64) -> anyhow::Result<usize> {
    let due: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT id, user_id, ends_at FROM substitute_accesses
         WHERE ended_at IS NULL AND ends_at <= ?1 ORDER BY ends_at",
    )
    .bind(now)
    .fetch_all(&state.db)
    .await?;
    let mut closed = 0;
    for (id, user_id, ends_at) in due {
        match close(
            state,
            &id,
            &user_id,
            ends_at,
            None,
            "substitute_access.expired",
        )
        .await
        {
            Ok(()) => {
                closed += 1;
                tracing::info!(access = %id, lag_secs = now - ends_at, "substitute access expired");
            }
            Err(e) => {
                tracing::error!(access = %id, error = %e, "could not close an expired access")
            }
        }
    }
    Ok(closed)
}

/// The job, for the life of the process.
pub fn spawn(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        loop {
            tick.tick().await;
            if let Err(e) = run_once(&state, Utc::now().timestamp()).await {
                tracing::error!(error = %e, "expiry run failed");
            }
        }
    });
}
