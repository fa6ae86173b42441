//! Notifications by mail (SPEC C4): written to an outbox in the same
//! transaction as what they tell of, then sent over SMTP by a job with
//! retries (5 s, 10 s, 20 s, … at most an hour apart). A mail server that is
//! down never fails an order; the queue's length is logged while mail waits.

use std::time::Duration;

use chrono::Utc;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::AppState;

pub const EVERY: Duration = Duration::from_secs(5);

/// Queues one mail within the caller's transaction.
pub async fn enqueue(
    tx: &mut sqlx::AnyConnection,
    to: &str,
    subject: &str,
    body: &str,
) -> sqlx::Result<()> {
    let now = Utc::now().timestamp();
    sqlx::query(
        "INSERT INTO mail_outbox (to_addr, subject, body, next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(to)
    .bind(subject)
    .bind(body)
    .bind(now)
    .execute(tx)
    .await?;
    Ok(())
}

/// What one run did: sent, and still waiting afterwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    pub sent: usize,
    pub waiting: i64,
}

fn backoff(attempts: i64) -> i64 {
    (5_i64 << attempts.clamp(0, 10)).min(3600)
}

/// How long one mail may take to send (at most half a job lease).
const SMTP_TIMEOUT: Duration = Duration::from_secs(10);

/// Claims for `holder` up to `limit` mails that are due: each one's next
/// attempt moves to the end of the lease, so no other run or instance
/// takes it while this one sends it, and a crashed instance's mail is due
/// again when the lease runs out (`jobs`).
async fn claim_due(
    state: &AppState,
    now: i64,
    limit: i64,
) -> sqlx::Result<Vec<(i64, String, String, String, i64)>> {
    sqlx::query_as(&format!(
        "UPDATE mail_outbox SET next_attempt_at = $1, claimed_by = $2
         WHERE id IN (SELECT id FROM mail_outbox
                      WHERE sent_at IS NULL AND next_attempt_at <= $3
                      ORDER BY id LIMIT $4{})
         RETURNING id, to_addr, subject, body, attempts",
        crate::jobs::skip_locked(&state.db)
    ))
    .bind(now + state.jobs.lease_secs())
    .bind(state.instance.as_ref())
    .bind(now)
    .bind(limit)
    .fetch_all(&state.db)
    .await
}

/// Sends what is due. Without `OMSORG_SMTP_URL` nothing is sent and the
/// queue only grows (and says so).
pub async fn run_once(state: &AppState) -> anyhow::Result<Run> {
    let now = Utc::now().timestamp();
    let mut sent = 0;
    if let Some(url) = &state.smtp_url {
        // Each send ends (or gives up) well within the claim's lease, and a
        // batch is no more than surely goes out within it, one at a time.
        let timeout = SMTP_TIMEOUT.min(state.jobs.lease / 2);
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?
            .timeout(Some(timeout))
            .build();
        let fit = state.jobs.lease.as_millis() / timeout.as_millis().max(1);
        let batch = i64::try_from(fit)
            .unwrap_or(50)
            .saturating_sub(1)
            .clamp(1, 50);
        let mut due = claim_due(state, now, batch).await?;
        due.sort_by_key(|m| m.0);
        for (id, to, subject, body, attempts) in due {
            let result = async {
                let message = Message::builder()
                    .from(state.mail_from.parse()?)
                    .to(to.parse()?)
                    .subject(subject)
                    .header(ContentType::TEXT_PLAIN)
                    .body(body)?;
                transport.send(message).await?;
                Ok::<_, anyhow::Error>(())
            }
            .await;
            match result {
                Ok(()) => {
                    sqlx::query(
                        "UPDATE mail_outbox SET sent_at = $2, attempts = attempts + 1, claimed_by = NULL
                         WHERE id = $1",
                    )
                        .bind(id)
                        .bind(now)
                        .execute(&state.db)
                        .await?;
                    sent += 1;
                }
                Err(e) => {
                    tracing::warn!(mail = id, attempts = attempts + 1, error = %e, "mail not sent; will retry");
                    sqlx::query(
                        "UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = $2,
                             last_error = $3, claimed_by = NULL
                         WHERE id = $1",
                    )
                    .bind(id)
                    .bind(now + backoff(attempts))
                    .bind(e.to_string())
                    .execute(&state.db)
                    .await?;
                }
            }
        }
    }
    let (waiting,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL")
            .fetch_one(&state.db)
            .await?;
    if waiting > 0 {
        tracing::info!(waiting, sent, "mail queue");
    }
    Ok(Run { sent, waiting })
}

/// The job, until `stop`.
pub fn spawn(
    state: AppState,
    stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let period = state.jobs.every(EVERY);
    crate::jobs::every(period, stop, move || {
        let state = state.clone();
        async move {
            if let Err(e) = run_once(&state).await {
                tracing::error!(error = %e, "mail run failed");
            }
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn retries_back_off_to_an_hour() {
        let waits: Vec<i64> = (0..12).map(super::backoff).collect();
        assert_eq!(&waits[..4], &[5, 10, 20, 40]);
        assert_eq!(*waits.last().unwrap(), 3600);
        assert!(waits.windows(2).all(|w| w[0] <= w[1]));
    }
}
