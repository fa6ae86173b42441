//! Substitute access (SPEC C4) as a service: ordering (one order per
//! idempotency key: a retry replays the first answer, never a second
//! access), listing, ending early, extending within the cap, and closing
//! (also the expiry job's). The HTTP handlers extract, call one of these and
//! map the answer; the SQL is in `repo` and `crate::substitute_ids`.

mod make;
pub(crate) mod repo;

use chrono::Utc;
use omsorg_core::api::{
    NewSubstituteAccess, OrderState, SubstituteAccessList, SubstituteAccessReceipt,
    SubstituteAccessSummary,
};
use omsorg_core::period::AccessPeriod;
use omsorg_core::ErrorCode;

pub use make::MAX_SIGNATURE_BYTES;

use crate::auth::Person;
use crate::error::{ApiError, ApiResult};
use crate::substitute_ids as ids;
use crate::{db, secret, AppState};

/// How long after an order a replay of its key still carries the
/// one-time password (a lost answer, retried).
pub const PASSWORD_REPLAY_SECS: i64 = 15 * 60;

/// Orders a substitute's access under the orderer's idempotency `key`:
/// the first request with a key makes the order; the same request again
/// gets the same receipt; another request under the key is refused. A
/// retry after a crash (the first claim ran out unanswered) finishes the
/// recorded order, or makes it anew when nothing was recorded.
pub async fn order(
    state: &AppState,
    person: &Person,
    key: &str,
    body: &NewSubstituteAccess,
) -> ApiResult<SubstituteAccessReceipt> {
    person.require_orderer(&state.db).await?;
    let request = secret::sha256_hex(&serde_json::to_string(body).expect("json"));
    let claim = repo::Claim {
        orderer: person.id,
        key: key.to_string(),
        holder: secret::random_token(12),
    };
    let now = Utc::now().timestamp();
    let lease_until = now + state.order_lease_secs;
    match repo::claim_key(&state.db, &claim, &request, now, lease_until).await? {
        None => replay(state, person.id, key, &request).await,
        Some(Some(_recorded)) => {
            tracing::info!("finishing an order a crashed request recorded");
            make::finish(state, &claim).await
        }
        Some(None) => {
            let made = match make::check(state, person, body).await {
                Ok(checked) => make::carry_out(state, person, body, checked, &claim).await,
                Err(e) => Err(e),
            };
            if made.is_err() {
                repo::release_key(&state.db, &claim, false).await?;
            }
            made
        }
    }
}

/// The answer a used key has: its receipt, or a refusal when the key was
/// used for something else or its first request is still running.
async fn replay(
    state: &AppState,
    orderer: i64,
    key: &str,
    request: &str,
) -> ApiResult<SubstituteAccessReceipt> {
    // Gone since the claim failed: its first request failed; try again.
    let (hash, sealed, claimed_at) = repo::key_of(&state.db, orderer, key)
        .await?
        .ok_or(ApiError::Throttled(1))?;
    if hash != request {
        return Err(ApiError::client(
            ErrorCode::IdempotencyMismatch,
            "this Idempotency-Key was used for another order",
        ));
    }
    // No receipt yet: the first request with this key is still running.
    let sealed = sealed.ok_or(ApiError::Throttled(1))?;
    let json = state
        .cpr_vault
        .open_receipt(&sealed)
        .ok_or_else(|| anyhow::anyhow!("a stored receipt does not open"))?;
    let mut receipt: SubstituteAccessReceipt =
        serde_json::from_slice(&json).map_err(|e| anyhow::anyhow!("stored receipt: {e}"))?;
    let window_over = Utc::now().timestamp() - claimed_at > PASSWORD_REPLAY_SECS;
    if window_over && receipt.initial_password.take().is_some() {
        // Shown once (and to a retry soon after): now dropped for good.
        store(state, orderer, key, &receipt).await?;
    }
    tracing::info!(access = %receipt.id, "order replayed for its Idempotency-Key");
    Ok(receipt)
}

/// Orders whose claim outlived its request (the instance crashed, or took
/// longer than the lease): a recorded one is made whole (or undone), an
/// unrecorded one lets its key go. Run at start and with the expiry job;
/// each key is claimed first, so two instances never finish one twice.
/// Answers how many orders it finished.
pub async fn recover(state: &AppState, now: i64) -> anyhow::Result<usize> {
    let mut finished = 0;
    for (orderer, key, request) in repo::stale_claims(&state.db, now).await? {
        let claim = repo::Claim {
            orderer,
            key,
            holder: secret::random_token(12),
        };
        let lease_until = now + state.order_lease_secs;
        match repo::claim_key(&state.db, &claim, &request, now, lease_until).await? {
            Some(Some(access)) => match make::finish(state, &claim).await {
                Ok(_) => {
                    finished += 1;
                    tracing::info!(%access, "finished an order a crashed request recorded");
                }
                Err(e) => tracing::error!(%access, error = %e, "could not finish a recorded order"),
            },
            Some(None) => {
                repo::release_key(&state.db, &claim, false).await?;
            }
            None => {}
        }
    }
    Ok(finished)
}

/// Keeps the receipt sealed for replays of its key.
async fn store(
    state: &AppState,
    orderer: i64,
    key: &str,
    receipt: &SubstituteAccessReceipt,
) -> ApiResult<()> {
    let sealed = state
        .cpr_vault
        .seal_receipt(&serde_json::to_vec(receipt).expect("json"));
    Ok(repo::store_receipt(&state.db, orderer, key, sealed).await?)
}

/// Where the order is in its life: active until it is over; archived once
/// retention erased its CPR number.
pub fn state_of(row: &repo::AccessRow) -> OrderState {
    match (row.ended_at, row.cpr_sealed.is_empty()) {
        (None, _) => OrderState::Active,
        (Some(_), false) => OrderState::Ended,
        (Some(_), true) => OrderState::Archived,
    }
}

pub(crate) fn summary(state: &AppState, row: repo::AccessRow) -> SubstituteAccessSummary {
    SubstituteAccessSummary {
        state: state_of(&row),
        cpr_masked: state.cpr_vault.masked(&row.cpr_sealed),
        unit: row.unit(),
        starts_at: db::time_of(row.starts_at),
        ends_at: db::time_of(row.ends_at),
        ended_at: row.ended_at.map(db::time_of),
        id: row.id,
        user_id: row.user_id,
        substitute_name: row.substitute_name,
        orderer_name: row.orderer_name,
        agency: row.agency,
    }
}

/// The caller's own orders; for an administrator, every order of their
/// municipality. Newest first.
pub async fn list(state: &AppState, person: &Person) -> ApiResult<SubstituteAccessList> {
    let rows = repo::visible_to(&state.db, &person.viewer()).await?;
    Ok(SubstituteAccessList {
        accesses: rows.into_iter().map(|r| summary(state, r)).collect(),
    })
}

/// The access, if the caller may change it: its orderer, or an
/// administrator of its municipality. Others get 404, as for no access.
async fn changeable(state: &AppState, person: &Person, id: &str) -> ApiResult<repo::AccessRow> {
    repo::one_visible_to(&state.db, id, &person.viewer())
        .await?
        .ok_or_else(|| ApiError::client(ErrorCode::NotFound, "no such order"))
}

/// Ends an access: the account is disabled first, then the order is marked
/// ended and its user ID archived. Ending an ended access changes nothing.
pub async fn close(
    state: &AppState,
    id: &str,
    (municipality, user_id): (&str, &str),
    at_ts: i64,
    actor: Option<i64>,
    action: &str,
) -> ApiResult<()> {
    state
        .directory
        .disable_account(municipality, user_id)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let mut tx = state.db.begin().await?;
    if repo::mark_ended(&mut tx, id, at_ts).await? {
        ids::archive(&mut tx, user_id, municipality, at_ts).await?;
        db::audit(&mut *tx, actor, action, id).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Ends an access now (its orderer, or an administrator).
pub async fn end_now(
    state: &AppState,
    person: &Person,
    id: &str,
) -> ApiResult<SubstituteAccessSummary> {
    let row = changeable(state, person, id).await?;
    if row.ended_at.is_none() {
        let now = Utc::now().timestamp();
        let action = "substitute_access.ended_early";
        let account = (row.municipality_code.as_str(), row.user_id.as_str());
        close(state, id, account, now, Some(person.id), action).await?;
        tracing::info!(access = %id, by = person.id, "substitute access ended early");
    }
    Ok(summary(state, changeable(state, person, id).await?))
}

/// A new end for an active access, within 30 days of its start.
pub async fn extend(
    state: &AppState,
    person: &Person,
    id: &str,
    end: chrono::DateTime<Utc>,
) -> ApiResult<SubstituteAccessSummary> {
    let row = changeable(state, person, id).await?;
    let now = Utc::now();
    if row.ended_at.is_some() || row.ends_at <= now.timestamp() {
        return Err(make::invalid("the access is over; order a new one"));
    }
    let stored = AccessPeriod::stored(db::time_of(row.starts_at), db::time_of(row.ends_at));
    let policy = crate::units::policy(&state.db, row.unit_id.as_deref()).await?;
    let period = stored.with_end(end, now, policy)?;
    let new_end = period.end().timestamp();
    state
        .directory
        .set_expiry(&row.municipality_code, &row.user_id, new_end)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let mut tx = state.db.begin().await?;
    repo::set_end(&mut tx, id, new_end).await?;
    db::audit(&mut *tx, Some(person.id), "substitute_access.extended", id).await?;
    tx.commit().await?;
    tracing::info!(access = %id, by = person.id, "substitute access extended");
    Ok(summary(state, changeable(state, person, id).await?))
}

/// Closes every open access whose end is at or before `now` (the expiry
/// job), a claimed batch at a time, so two instances never close one
/// access twice (`jobs`). Answers how many it closed; one that fails (the
/// directory down) stays open, its claim given back, and is tried again
/// next time.
pub async fn close_due(state: &AppState, now: i64) -> anyhow::Result<usize> {
    const BATCH: i64 = 50;
    let holder = state.instance.as_ref();
    let lease_until = now + state.jobs.lease_secs();
    let (mut closed, mut failed) = (0, Vec::new());
    loop {
        let due = repo::claim_due(&state.db, holder, now, lease_until, BATCH).await?;
        let claimed = due.len();
        for (id, municipality, user_id, ends_at) in due {
            let action = "substitute_access.expired";
            match close(state, &id, (&municipality, &user_id), ends_at, None, action).await {
                Ok(()) => {
                    closed += 1;
                    state.metrics.expired(now - ends_at);
                    tracing::info!(access = %id, lag_secs = now - ends_at, "substitute access expired");
                }
                Err(e) => {
                    tracing::error!(access = %id, error = %e, "could not close an expired access");
                    failed.push(id);
                }
            }
        }
        if i64::try_from(claimed).unwrap_or(0) < BATCH {
            break;
        }
    }
    // Given back after the run, so this run does not claim them again.
    for id in failed {
        repo::release_expiry(&state.db, &id, holder).await?;
    }
    Ok(closed)
}
