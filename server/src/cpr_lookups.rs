//! Every CPR lookup is audited and limited per orderer: the audit row is
//! written **before** the register is asked, by one statement that refuses
//! when the orderer has asked `max` times in the window, so parallel
//! lookups cannot slip past the limit. The row names the number only by
//! its keyed hash (the same one declaration search uses), never the number.

use sqlx::AnyPool;

/// The audit action of a lookup.
pub const ACTION: &str = "cpr.lookup";

/// An orderer may look up this many numbers…
pub const MAX_LOOKUPS: i64 = 20;
/// …within this many seconds.
pub const WINDOW_SECS: i64 = 10 * 60;

/// What the register answered, as the audit records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Found,
    NotFound,
    /// The register could not be asked.
    Unanswered,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Found => "found",
            Outcome::NotFound => "not_found",
            Outcome::Unanswered => "unanswered",
        }
    }
}

/// Records a lookup of the number with keyed hash `cpr_key` by `orderer`
/// at `now`, unless they have made `MAX_LOOKUPS` in the window: the audit
/// row's ID, or the seconds until the oldest counted lookup leaves the window.
pub async fn admit(
    db: &AnyPool,
    orderer: i64,
    cpr_key: &str,
    now: i64,
) -> sqlx::Result<Result<i64, i64>> {
    let since = now - WINDOW_SECS;
    let mut tx = db.begin().await?;
    crate::db::lock(&mut tx, &format!("cpr-lookups {orderer}")).await?;
    let admitted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO audit_log (at, actor_id, action, subject, municipality_code)
         SELECT $2, $1, $3, $4, (SELECT municipality_code FROM people WHERE id = $1)
         WHERE (SELECT COUNT(*) FROM audit_log
                                    WHERE actor_id = $1 AND action = $3 AND at > $5) < $6
         RETURNING id",
    )
    .bind(orderer)
    .bind(now)
    .bind(ACTION)
    .bind(format!("{cpr_key} asked"))
    .bind(since)
    .bind(MAX_LOOKUPS)
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    if let Some(id) = admitted {
        return Ok(Ok(id));
    }
    let oldest: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(at) FROM audit_log WHERE actor_id = $1 AND action = $2 AND at > $3",
    )
    .bind(orderer)
    .bind(ACTION)
    .bind(since)
    .fetch_one(db)
    .await?;
    Ok(Err(oldest
        .map_or(WINDOW_SECS, |t| t + WINDOW_SECS - now)
        .max(1)))
}

/// Completes the lookup's audit row with the register's answer.
pub async fn record(
    db: &AnyPool,
    audit_id: i64,
    cpr_key: &str,
    outcome: Outcome,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE audit_log SET subject = $2 WHERE id = $1")
        .bind(audit_id)
        .bind(format!("{cpr_key} {}", outcome.as_str()))
        .execute(db)
        .await?;
    Ok(())
}
