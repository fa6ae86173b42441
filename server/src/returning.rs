//! Substitutes who come back (as OS2vikar recognises them): found by the
//! CPR number's keyed hashes among the municipality's orders that
//! retention has not erased. Their earlier user ID can be theirs again,
//! and nobody has two live accesses in one municipality.

use omsorg_core::api::Returning;
use sqlx::{Any, AnyConnection, AnyPool, Executor};

/// The condition that the ID `$2` of municipality `$1` can be reserved for
/// the person with the search keys `$4` (a JSON array) at `$3`: free, or a
/// lapsed reservation, or archived with that person as its last holder.
const AVAILABLE_FOR: &str = "(state = 'free'
     OR (state = 'reserved' AND reserved_until <= $3)
     OR (state = 'archived' AND (
         SELECT a.cpr_search FROM substitute_accesses a
         WHERE a.municipality_code = $1 AND a.user_id = $2 AND a.completed_at IS NOT NULL
         ORDER BY a.created_at DESC LIMIT 1) IN (SELECT value FROM json_each($4))))";

fn json(keys: &[String]) -> String {
    serde_json::json!(keys).to_string()
}

/// The person's live access in `municipality` (not ended; also one being
/// made right now, not yet whole), if any: its end.
pub async fn live<'e, E>(db: E, municipality: &str, keys: &[String]) -> sqlx::Result<Option<i64>>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_scalar(
        "SELECT ends_at FROM substitute_accesses
         WHERE municipality_code = $1 AND ended_at IS NULL
           AND cpr_search IN (SELECT value FROM json_each($2))
         ORDER BY ends_at DESC LIMIT 1",
    )
    .bind(municipality)
    .bind(json(keys))
    .fetch_optional(db)
    .await
}

/// What the municipality knows of the person with search `keys` as a
/// substitute, at `now`; `None` for someone new.
pub async fn find(
    db: &AnyPool,
    municipality: &str,
    keys: &[String],
    now: i64,
) -> sqlx::Result<Option<Returning>> {
    let last: Option<String> = sqlx::query_scalar(
        "SELECT user_id FROM substitute_accesses
         WHERE municipality_code = $1 AND completed_at IS NOT NULL
           AND cpr_search IN (SELECT value FROM json_each($2))
         ORDER BY created_at DESC LIMIT 1",
    )
    .bind(municipality)
    .bind(json(keys))
    .fetch_optional(db)
    .await?;
    let Some(user_id) = last else {
        return Ok(None);
    };
    let available: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT 1 FROM substitute_ids
         WHERE municipality_code = $1 AND user_id = $2 AND {AVAILABLE_FOR}"
    ))
    .bind(municipality)
    .bind(&user_id)
    .bind(now)
    .bind(json(keys))
    .fetch_optional(db)
    .await?;
    let active_until = live(db, municipality, keys).await?;
    Ok(Some(Returning {
        user_id,
        user_id_available: available.is_some(),
        active_until: active_until.map(crate::db::time_of),
    }))
}

/// Reserves the person's earlier user ID for `orderer` until `until`, if
/// it is available, giving back any other ID the orderer holds; the ID, or
/// `None` (then the ordinary reservation applies). Under the same lock as
/// every reservation in the municipality.
pub async fn reserve_again(
    db: &AnyPool,
    municipality: &str,
    orderer: i64,
    keys: &[String],
    now: i64,
    until: i64,
) -> sqlx::Result<Option<String>> {
    // Available, or already held by this orderer (the step asked again).
    let Some(previous) = find(db, municipality, keys, now).await? else {
        return Ok(None);
    };
    let mut tx = db.begin().await?;
    crate::db::lock(&mut tx, &format!("substitute ids {municipality}")).await?;
    let taken = claim(
        &mut tx,
        municipality,
        &previous.user_id,
        orderer,
        keys,
        now,
        until,
    )
    .await?;
    tx.commit().await?;
    Ok(taken.then_some(previous.user_id))
}

async fn claim(
    tx: &mut AnyConnection,
    municipality: &str,
    user_id: &str,
    orderer: i64,
    keys: &[String],
    now: i64,
    until: i64,
) -> sqlx::Result<bool> {
    let taken = sqlx::query(&format!(
        "UPDATE substitute_ids
         SET state = 'reserved', reserved_by = $5, reserved_until = $6, archived_at = NULL
         WHERE municipality_code = $1 AND user_id = $2
           AND ({AVAILABLE_FOR} OR (state = 'reserved' AND reserved_by = $5))"
    ))
    .bind(municipality)
    .bind(user_id)
    .bind(now)
    .bind(json(keys))
    .bind(orderer)
    .bind(until)
    .execute(&mut *tx)
    .await?;
    if taken.rows_affected() == 1 {
        // One reservation per orderer: any other they held goes back.
        sqlx::query(
            "UPDATE substitute_ids SET state = 'free', reserved_by = NULL, reserved_until = NULL
             WHERE municipality_code = $1 AND reserved_by = $2 AND state = 'reserved'
               AND user_id <> $3",
        )
        .bind(municipality)
        .bind(orderer)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    }
    Ok(taken.rows_affected() == 1)
}
