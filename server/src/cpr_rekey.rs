//! CPR key rotation over the database. A new `OMSORG_CPR_KEY` is deployed
//! with the old one in `OMSORG_CPR_KEY_PREVIOUS`; `omsorg-server rekey-cpr`
//! (`rekey`) then re-seals every CPR number (and its search hash) and every
//! kept receipt under the new key; afterwards the old key can be dropped.
//! Until then both open and both search hashes match, so nothing is
//! unreadable or unfindable in between. At start (`check_keys`) the backend
//! refuses to run when any sealed number is under a key it was not given.

use sqlx::AnyPool;

use crate::cpr_vault::CprVault;

/// Stamps rows sealed before keys had IDs with the configured key that
/// opens each, then refuses when any sealed number is under a key the vault
/// does not know (it would be unreadable and unfindable).
pub async fn check_keys(db: &AnyPool, vault: &CprVault) -> anyhow::Result<()> {
    let unstamped: Vec<(String, Vec<u8>)> =
        sqlx::query_as("SELECT id, cpr_sealed FROM substitute_accesses WHERE cpr_key_id IS NULL")
            .fetch_all(db)
            .await?;
    for (id, sealed) in unstamped {
        let key_id = if sealed.is_empty() {
            // Erased by retention: nothing to open.
            vault.key_id().to_string()
        } else {
            vault.key_id_of(&sealed).ok_or_else(|| {
                anyhow::anyhow!(
                    "the sealed CPR number of order {id} opens under no configured key \
                     (OMSORG_CPR_KEY, OMSORG_CPR_KEY_PREVIOUS)"
                )
            })?
        };
        sqlx::query(
            "UPDATE substitute_accesses SET cpr_key_id = $2 WHERE id = $1 AND cpr_key_id IS NULL",
        )
        .bind(&id)
        .bind(key_id)
        .execute(db)
        .await?;
    }
    let in_use: Vec<(String, i64)> = sqlx::query_as(
        "SELECT cpr_key_id, COUNT(*) FROM substitute_accesses
         WHERE length(cpr_sealed) > 0 GROUP BY cpr_key_id",
    )
    .fetch_all(db)
    .await?;
    for (key_id, n) in in_use {
        if !vault.knows(&key_id) {
            anyhow::bail!(
                "{n} sealed CPR numbers are under key {key_id}, which is neither OMSORG_CPR_KEY \
                 nor in OMSORG_CPR_KEY_PREVIOUS (the current key is {})",
                vault.key_id()
            );
        }
    }
    Ok(())
}

/// What one `rekey` re-sealed under the current key.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Rekeyed {
    pub cpr_numbers: u64,
    pub receipts: u64,
}

const BATCH: i64 = 200;

/// A kept receipt: (orderer, key, receipt, pending receipt).
type ReceiptRow = (i64, String, Option<Vec<u8>>, Option<Vec<u8>>);

/// Re-seals everything under the current key, a batch per transaction.
/// Every update is conditional on the value it replaces, so it may run
/// beside the backend, twice at once, or again after being cut short.
pub async fn rekey(db: &AnyPool, vault: &CprVault) -> anyhow::Result<Rekeyed> {
    check_keys(db, vault).await?;
    let current = vault.key_id();
    let mut done = Rekeyed::default();
    loop {
        let rows: Vec<(String, Vec<u8>, String)> = sqlx::query_as(
            "SELECT id, cpr_sealed, cpr_key_id FROM substitute_accesses
             WHERE cpr_key_id <> $1 LIMIT $2",
        )
        .bind(current)
        .bind(BATCH)
        .fetch_all(db)
        .await?;
        if rows.is_empty() {
            break;
        }
        let mut tx = db.begin().await?;
        for (id, sealed, old) in rows {
            let (sealed, search) = if sealed.is_empty() {
                (sealed, String::new())
            } else {
                let cpr = vault.open(&sealed).ok_or_else(|| {
                    anyhow::anyhow!("the sealed CPR number of order {id} does not open")
                })?;
                (vault.seal(&cpr), vault.search_key(&cpr))
            };
            let changed = sqlx::query(
                "UPDATE substitute_accesses SET cpr_sealed = $2, cpr_search = $3, cpr_key_id = $4
                 WHERE id = $1 AND cpr_key_id = $5",
            )
            .bind(&id)
            .bind(sealed)
            .bind(search)
            .bind(current)
            .bind(old)
            .execute(&mut *tx)
            .await?;
            done.cpr_numbers += changed.rows_affected();
        }
        tx.commit().await?;
    }
    let receipts: Vec<ReceiptRow> = sqlx::query_as(
        "SELECT orderer_id, key, receipt_sealed, receipt_pending FROM idempotency_keys
         WHERE receipt_sealed IS NOT NULL OR receipt_pending IS NOT NULL",
    )
    .fetch_all(db)
    .await?;
    for (orderer, key, sealed, pending) in receipts {
        let again = |r: &Option<Vec<u8>>| r.as_deref().and_then(|r| vault.reseal_receipt(r));
        let (new_sealed, new_pending) = (again(&sealed), again(&pending));
        if new_sealed.is_none() && new_pending.is_none() {
            continue;
        }
        let changed = sqlx::query(
            "UPDATE idempotency_keys SET receipt_sealed = $5, receipt_pending = $6
             WHERE orderer_id = $1 AND key = $2
               AND receipt_sealed IS NOT DISTINCT FROM $3
               AND receipt_pending IS NOT DISTINCT FROM $4",
        )
        .bind(orderer)
        .bind(&key)
        .bind(&sealed)
        .bind(&pending)
        .bind(new_sealed.or(sealed.clone()))
        .bind(new_pending.or(pending.clone()))
        .execute(db)
        .await?;
        done.receipts += changed.rows_affected();
    }
    let subject = format!(
        "{} CPR numbers and {} receipts under key {current}",
        done.cpr_numbers, done.receipts
    );
    crate::db::audit(db, None, "cpr_key.rekeyed", &subject).await?;
    Ok(done)
}
