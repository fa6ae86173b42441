//! Retention: personal data is kept only as long as it has a purpose, then
//! erased by a job (every hour, and at start). Each period is configurable
//! (`OMSORG_RETAIN_*_DAYS`); the defaults are what a municipality would
//! choose, documented in the README:
//!
//! | what | kept after | default |
//! | --- | --- | --- |
//! | an ended access's sealed CPR number, signature image and declaration PDF | the access ended | 1826 days (5 years) |
//! | mail bodies (sent) | sent | 30 days |
//! | shared sessions (ended or expired) | their end | 30 days |
//! | idempotency keys with their sealed receipts | the order | 7 days |
//! | counted PIN attempts of shared devices | the 10-minute window | 1 day |
//!
//! An erased access keeps what the audit needs (who ordered which user ID
//! for whom and when); its CPR number can no longer be found or shown.
//! Every statement is one idempotent `UPDATE`/`DELETE` with its own
//! condition, so a run cut short, or two instances running at once, do no
//! harm and no more than once.

use std::time::Duration;

use sqlx::AnyPool;

const DAY: i64 = 24 * 3600;

pub const EVERY: Duration = Duration::from_secs(3600);

/// Retention periods in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub declarations_days: i64,
    pub mail_days: i64,
    pub sessions_days: i64,
    pub idempotency_days: i64,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            declarations_days: 1826,
            mail_days: 30,
            sessions_days: 30,
            idempotency_days: 7,
        }
    }
}

/// What one run erased, table by table.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Erased {
    pub declarations: u64,
    pub mail: u64,
    pub sessions: u64,
    pub idempotency: u64,
    pub attempts: u64,
}

/// One run as of `now` (seconds).
pub async fn run_once(db: &AnyPool, keep: &Retention, now: i64) -> sqlx::Result<Erased> {
    let before = |days: i64| now - days * DAY;
    let declarations = sqlx::query(
        "UPDATE substitute_accesses
         SET cpr_sealed = $2, cpr_search = '', signature_png = $2, declaration_pdf = NULL
         WHERE ended_at IS NOT NULL AND ended_at < $1 AND length(cpr_sealed) > 0",
    )
    .bind(before(keep.declarations_days))
    .bind(Vec::<u8>::new())
    .execute(db)
    .await?
    .rows_affected();
    let mail = sqlx::query(
        "UPDATE mail_outbox SET body = '', subject = '', to_addr = ''
         WHERE sent_at IS NOT NULL AND sent_at < $1 AND body <> ''",
    )
    .bind(before(keep.mail_days))
    .execute(db)
    .await?
    .rows_affected();
    let sessions =
        sqlx::query("DELETE FROM shared_sessions WHERE COALESCE(ended_at, expires_at) < $1")
            .bind(before(keep.sessions_days))
            .execute(db)
            .await?
            .rows_affected();
    // An order a crash left half done stays until it is finished or undone.
    let idempotency = sqlx::query(
        "DELETE FROM idempotency_keys
         WHERE created_at < $1 AND (receipt_sealed IS NOT NULL OR access_id IS NULL)",
    )
    .bind(before(keep.idempotency_days))
    .execute(db)
    .await?
    .rows_affected();
    let attempts = sqlx::query("DELETE FROM device_login_failures WHERE at < $1")
        .bind(before(1))
        .execute(db)
        .await?
        .rows_affected();
    Ok(Erased {
        declarations,
        mail,
        sessions,
        idempotency,
        attempts,
    })
}

/// The job, until `stop`: one instance's run per `EVERY` (`jobs::claim_run`).
pub fn spawn(
    db: AnyPool,
    keep: Retention,
    holder: std::sync::Arc<str>,
    stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    crate::jobs::every(EVERY, stop, move || {
        let (db, holder) = (db.clone(), holder.clone());
        async move {
            let now = chrono::Utc::now().timestamp();
            let every = i64::try_from(EVERY.as_secs()).unwrap_or(3600);
            match crate::jobs::claim_run(&db, "retention", &holder, now, every).await {
                Ok(true) => match run_once(&db, &keep, now).await {
                    Ok(erased) => tracing::info!(?erased, "retention run"),
                    Err(e) => tracing::error!(error = %e, "retention run failed"),
                },
                Ok(false) => tracing::debug!("retention ran on another instance"),
                Err(e) => tracing::error!(error = %e, "retention run not claimed"),
            }
        }
    })
}
