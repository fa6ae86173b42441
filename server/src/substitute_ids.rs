//! The substitute user-ID inventory as a repository: every change of an
//! ID's state is one method here, and only the transitions of the state
//! machine exist:
//!
//! ```text
//! free ──reserve──► reserved ──take_for_order──► in_use ──archive──► archived
//!   ▲                  │  ▲                           │
//!   └──(reservation lapses: counts as free)           └──give_back (the order's
//!                         └───────────────────────────    compensation)
//! ```
//!
//! Each transition is one statement that re-checks the state it leaves, so
//! two requests racing for the same ID cannot both move it.

use omsorg_core::api::SubstituteIdState;
use sqlx::{AnyConnection, AnyPool};

/// `user_id` ($1) of municipality $2, reserved by $3 and still live at $4.
const HELD: &str = "user_id = $1 AND municipality_code = $2 AND state = 'reserved'
                    AND reserved_by = $3 AND reserved_until > $4";

/// How long a reservation holds an ID for its orderer.
pub const RESERVATION_SECS: i64 = 30 * 60;

/// A state as stored; a lapsed reservation reads as free.
pub fn state_of(stored: &str, reserved_until: Option<i64>, now: i64) -> SubstituteIdState {
    match stored {
        "reserved" if reserved_until.is_some_and(|u| u > now) => SubstituteIdState::Reserved,
        "in_use" => SubstituteIdState::InUse,
        "archived" => SubstituteIdState::Archived,
        _ => SubstituteIdState::Free,
    }
}

/// The orderer's live reservation, if they hold one: (user ID, until).
pub async fn held_by(db: &AnyPool, orderer: i64, now: i64) -> sqlx::Result<Option<(String, i64)>> {
    sqlx::query_as(
        "SELECT user_id, reserved_until FROM substitute_ids
         WHERE reserved_by = $1 AND state = 'reserved' AND reserved_until > $2
         ORDER BY user_id LIMIT 1",
    )
    .bind(orderer)
    .bind(now)
    .fetch_optional(db)
    .await
}

/// free (or a lapsed reservation) → reserved: the first such ID of the
/// municipality, for `orderer` until `until`, unless they already hold a
/// live reservation; `None` when none is left or they hold one. One
/// statement under the municipality's lock (`db::lock`), so parallel
/// calls of one orderer cannot each take an ID, and two orderers never
/// reach for the same one.
pub async fn reserve(
    db: &AnyPool,
    municipality: &str,
    orderer: i64,
    now: i64,
    until: i64,
) -> sqlx::Result<Option<String>> {
    let mut tx = db.begin().await?;
    crate::db::lock(&mut tx, &format!("substitute ids {municipality}")).await?;
    let claimed: Option<(String,)> = sqlx::query_as(
        "UPDATE substitute_ids SET state = 'reserved', reserved_by = $1, reserved_until = $2
         WHERE municipality_code = $3 AND user_id = (
             SELECT user_id FROM substitute_ids
             WHERE municipality_code = $3
               AND (state = 'free' OR (state = 'reserved' AND reserved_until <= $4))
             ORDER BY user_id LIMIT 1)
           AND (state = 'free' OR (state = 'reserved' AND reserved_until <= $4))
           AND NOT EXISTS (SELECT 1 FROM substitute_ids
                           WHERE reserved_by = $1 AND state = 'reserved' AND reserved_until > $4)
         RETURNING user_id",
    )
    .bind(orderer)
    .bind(until)
    .bind(municipality)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(claimed.map(|(id,)| id))
}

/// Whether `user_id` is reserved by `orderer` and the reservation still
/// lives (a read-only check before the order's work; the order's
/// transaction takes it with `take_for_order`).
pub async fn is_held(
    db: &AnyPool,
    user_id: &str,
    municipality: &str,
    orderer: i64,
    now: i64,
) -> sqlx::Result<bool> {
    let held: Option<i64> =
        sqlx::query_scalar(&format!("SELECT 1 FROM substitute_ids WHERE {HELD}"))
            .bind(user_id)
            .bind(municipality)
            .bind(orderer)
            .bind(now)
            .fetch_optional(db)
            .await?;
    Ok(held.is_some())
}

/// reserved (by `orderer`, still live) → in_use, inside the order's
/// transaction; `false` when the ID is not reserved by them (any more).
pub async fn take_for_order(
    tx: &mut AnyConnection,
    user_id: &str,
    municipality: &str,
    orderer: i64,
    now: i64,
) -> sqlx::Result<bool> {
    let taken = sqlx::query(&format!(
        "UPDATE substitute_ids SET state = 'in_use', reserved_by = NULL, reserved_until = NULL
         WHERE {HELD}"
    ))
    .bind(user_id)
    .bind(municipality)
    .bind(orderer)
    .bind(now)
    .execute(tx)
    .await?;
    Ok(taken.rows_affected() == 1)
}

/// in_use → reserved again for the orderer: the compensation when the
/// directory refused the account, so the same order can be retried.
pub async fn give_back(
    tx: &mut AnyConnection,
    user_id: &str,
    municipality: &str,
    orderer: i64,
    until: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE substitute_ids SET state = 'reserved', reserved_by = $2, reserved_until = $3
         WHERE user_id = $1 AND municipality_code = $4 AND state = 'in_use'",
    )
    .bind(user_id)
    .bind(orderer)
    .bind(until)
    .bind(municipality)
    .execute(tx)
    .await?;
    Ok(())
}

/// in_use → archived, when its access has ended.
pub async fn archive(
    tx: &mut AnyConnection,
    user_id: &str,
    municipality: &str,
    at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE substitute_ids SET state = 'archived', archived_at = $3
         WHERE user_id = $1 AND municipality_code = $2 AND state = 'in_use'",
    )
    .bind(user_id)
    .bind(municipality)
    .bind(at)
    .execute(tx)
    .await?;
    Ok(())
}

/// archived → free for every ID archived at least `quarantine_secs` before
/// `now`, each audited: the (municipality, user ID)s freed. One statement,
/// so an ID is freed (and audited) once whichever instance runs it.
pub async fn release_quarantined(
    db: &AnyPool,
    now: i64,
    quarantine_secs: i64,
) -> sqlx::Result<Vec<(String, String)>> {
    let freed: Vec<(String, String)> = sqlx::query_as(
        "UPDATE substitute_ids SET state = 'free', archived_at = NULL
         WHERE state = 'archived' AND archived_at <= $1
         RETURNING municipality_code, user_id",
    )
    .bind(now - quarantine_secs)
    .fetch_all(db)
    .await?;
    for (municipality, user_id) in &freed {
        let subject = format!("{municipality}/{user_id}");
        crate::db::audit_in(db, municipality, "substitute_id.free_again", &subject).await?;
    }
    Ok(freed)
}

/// Every ID of a municipality: (user ID, stored state, reserved until,
/// archived at).
pub async fn all_of(
    db: &AnyPool,
    municipality: &str,
) -> sqlx::Result<Vec<(String, String, Option<i64>, Option<i64>)>> {
    sqlx::query_as(
        "SELECT user_id, state, reserved_until, archived_at FROM substitute_ids
         WHERE municipality_code = $1 ORDER BY user_id",
    )
    .bind(municipality)
    .fetch_all(db)
    .await
}

/// New IDs, free; those that exist already are left as they are. Answers
/// how many were new.
pub async fn add(
    db: &AnyPool,
    municipality: &str,
    user_ids: &[String],
    now: i64,
) -> sqlx::Result<u32> {
    let mut tx = db.begin().await?;
    let added = insert_free(&mut tx, municipality, user_ids, now).await?;
    tx.commit().await?;
    Ok(added)
}

/// `user_ids` as free IDs of `municipality` in `tx`, those that exist
/// already left as they are: how many were new.
async fn insert_free(
    tx: &mut AnyConnection,
    municipality: &str,
    user_ids: &[String],
    now: i64,
) -> sqlx::Result<u32> {
    let mut added = 0;
    for user_id in user_ids {
        let done = sqlx::query(
            "INSERT INTO substitute_ids (user_id, municipality_code, added_at)
             VALUES ($1, $2, $3) ON CONFLICT (municipality_code, user_id) DO NOTHING",
        )
        .bind(user_id)
        .bind(municipality)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        added += u32::try_from(done.rows_affected()).unwrap_or(0);
    }
    Ok(added)
}

/// reserved → free, by an administrator ("Frigiv"): the orderer's wizard
/// reserves anew when it needs one. `false` when the ID held no live
/// reservation in the municipality.
pub async fn release(
    db: &AnyPool,
    municipality: &str,
    user_id: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE substitute_ids SET state = 'free', reserved_by = NULL, reserved_until = NULL
         WHERE municipality_code = $1 AND user_id = $2 AND state = 'reserved'
           AND reserved_until > $3",
    )
    .bind(municipality)
    .bind(user_id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The municipality's generator: (prefix, the least number of free IDs).
pub async fn generator(db: &AnyPool, municipality: &str) -> sqlx::Result<Option<(String, i64)>> {
    sqlx::query_as(
        "SELECT prefix, min_free FROM substitute_id_generators WHERE municipality_code = $1",
    )
    .bind(municipality)
    .fetch_optional(db)
    .await
}

/// Sets (or with `min_free` 0, ends) the municipality's generator.
pub async fn set_generator(
    db: &AnyPool,
    municipality: &str,
    prefix: &str,
    min_free: i64,
) -> sqlx::Result<()> {
    if min_free == 0 {
        sqlx::query("DELETE FROM substitute_id_generators WHERE municipality_code = $1")
            .bind(municipality)
            .execute(db)
            .await?;
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO substitute_id_generators (municipality_code, prefix, min_free)
         VALUES ($1, $2, $3)
         ON CONFLICT (municipality_code) DO UPDATE SET prefix = $2, min_free = $3",
    )
    .bind(municipality)
    .bind(prefix)
    .bind(min_free)
    .execute(db)
    .await?;
    Ok(())
}

/// The numbers after `prefix` of `user_ids` that are the prefix and digits.
fn numbers_after<'a>(prefix: &'a str, user_ids: &'a [String]) -> impl Iterator<Item = u32> + 'a {
    user_ids.iter().filter_map(move |id| {
        let digits = id.strip_prefix(prefix)?;
        (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| digits.parse().ok())
            .flatten()
    })
}

/// With a generator, adds `prefix` + the next numbers until at least
/// `min_free` IDs are free (a lapsed reservation counts as free), as
/// OS2vikar keeps its pool; under the municipality's ID lock, so two
/// instances add once. Answers how many were added.
pub async fn top_up(db: &AnyPool, municipality: &str, now: i64) -> sqlx::Result<u32> {
    let Some((prefix, min_free)) = generator(db, municipality).await? else {
        return Ok(0);
    };
    let mut tx = crate::db::begin_writing(db).await?;
    crate::db::lock(&mut tx, &format!("substitute ids {municipality}")).await?;
    let free: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM substitute_ids
         WHERE municipality_code = $1
           AND (state = 'free' OR (state = 'reserved' AND reserved_until <= $2))",
    )
    .bind(municipality)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let missing = u32::try_from(min_free - free).unwrap_or(0);
    if missing == 0 {
        return Ok(0);
    }
    let existing: Vec<String> =
        sqlx::query_scalar("SELECT user_id FROM substitute_ids WHERE municipality_code = $1")
            .bind(municipality)
            .fetch_all(&mut *tx)
            .await?;
    let next = numbers_after(&prefix, &existing).max().map_or(1, |n| n + 1);
    let range = omsorg_core::api::NewSubstituteIds {
        prefix: prefix.clone(),
        from: next,
        to: next + missing.min(omsorg_core::api::MAX_SUBSTITUTE_ID_RANGE) - 1,
    };
    let Ok(user_ids) = range.user_ids() else {
        tracing::warn!(%municipality, "the ID generator's next range is not a valid one");
        return Ok(0);
    };
    let added = insert_free(&mut tx, municipality, &user_ids, now).await?;
    let (first, last) = (&user_ids[0], &user_ids[user_ids.len() - 1]);
    let subject = format!("{first}-{last}: {added} new");
    crate::db::audit_in(&mut *tx, municipality, "substitute_ids.generated", &subject).await?;
    tx.commit().await?;
    tracing::info!(%municipality, added, "substitute user IDs generated");
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_continues_after_the_highest_number_of_its_prefix() {
        let ids: Vec<String> = ["vik001", "vik050", "vik7", "vikx12", "vi049", "vik"]
            .map(String::from)
            .to_vec();
        assert_eq!(numbers_after("vik", &ids).max(), Some(50));
        assert_eq!(numbers_after("abc", &ids).max(), None);
    }

    #[test]
    fn a_lapsed_reservation_reads_as_free() {
        assert_eq!(
            state_of("reserved", Some(11), 10),
            SubstituteIdState::Reserved
        );
        assert_eq!(state_of("reserved", Some(10), 10), SubstituteIdState::Free);
        assert_eq!(state_of("reserved", None, 10), SubstituteIdState::Free);
        assert_eq!(state_of("in_use", None, 10), SubstituteIdState::InUse);
        assert_eq!(state_of("archived", None, 10), SubstituteIdState::Archived);
        assert_eq!(state_of("free", Some(99), 10), SubstituteIdState::Free);
    }
}
