//! The orders' SQL: accesses, their idempotency keys, and the rows the
//! lists show. The service above holds no SQL.

use omsorg_core::api::{NewSubstituteAccess, UnitRef};
use sqlx::{AnyConnection, AnyPool};

/// One order as every list shows it (the orderer's and administrator's
/// list, and the declaration search).
#[derive(sqlx::FromRow)]
pub struct AccessRow {
    pub id: String,
    pub municipality_code: String,
    pub user_id: String,
    pub substitute_name: String,
    pub cpr_sealed: Vec<u8>,
    pub orderer_name: String,
    pub unit_id: Option<String>,
    pub unit_name: Option<String>,
    pub starts_at: i64,
    pub ends_at: i64,
    pub ended_at: Option<i64>,
    /// When it was ordered, and its declaration signed.
    pub created_at: i64,
    pub declaration_version: String,
    pub agency: Option<String>,
    /// A JSON array: the systems granted.
    pub groups: String,
}

impl AccessRow {
    /// The systems (directory groups) the order granted.
    pub fn systems(&self) -> Vec<String> {
        serde_json::from_str(&self.groups).unwrap_or_default()
    }
}

impl AccessRow {
    /// The ordering unit, when the order has one.
    pub fn unit(&self) -> Option<UnitRef> {
        self.unit_id
            .clone()
            .zip(self.unit_name.clone())
            .map(|(id, name)| UnitRef { id, name })
    }
}

const ACCESS_SELECT: &str =
    "SELECT a.id, a.municipality_code, a.user_id, a.substitute_name, a.cpr_sealed,
        p.name AS orderer_name, a.unit_id, u.name AS unit_name, a.starts_at, a.ends_at,
        a.ended_at, a.created_at, a.declaration_version, a.agency, a.groups
     FROM substitute_accesses a
     JOIN people p ON p.id = a.orderer_id
     LEFT JOIN units u ON u.id = a.unit_id
     WHERE a.completed_at IS NOT NULL";

/// The declaration search's filters as stored values (each `None`: no filter).
pub struct Search<'a> {
    pub municipality: &'a str,
    /// A `LIKE` pattern on the lower-cased name (with `\` as escape).
    pub name_like: Option<String>,
    pub user_id: Option<&'a str>,
    pub unit_id: Option<&'a str>,
    /// Signed within [start, end).
    pub day: Option<(i64, i64)>,
    /// The CPR number's keyed search hashes (one per known key).
    pub cpr_search: Option<Vec<String>>,
    /// The searching administrator's units: only their orders are found.
    pub units: &'a [String],
    pub limit: i64,
}

/// Signed declarations matching every given filter, newest first.
pub async fn search(db: &AnyPool, q: &Search<'_>) -> sqlx::Result<Vec<AccessRow>> {
    sqlx::query_as(&format!(
        "{ACCESS_SELECT}
           AND a.municipality_code = $1
           AND ($2 IS NULL OR lower(a.substitute_name) LIKE $2 ESCAPE '\\')
           AND ($3 IS NULL OR a.user_id = $3)
           AND ($4 IS NULL OR a.unit_id = $4)
           AND ($5 IS NULL OR (a.created_at >= $5 AND a.created_at < $6))
           AND ($7 IS NULL OR a.cpr_search IN (SELECT value FROM json_each($7)))
           AND a.unit_id IN (SELECT value FROM json_each($9))
         ORDER BY a.created_at DESC, a.id
         LIMIT $8"
    ))
    .bind(q.municipality)
    .bind(&q.name_like)
    .bind(q.user_id)
    .bind(q.unit_id)
    .bind(q.day.map(|d| d.0))
    .bind(q.day.map(|d| d.1))
    .bind(
        q.cpr_search
            .as_ref()
            .map(|k| serde_json::json!(k).to_string()),
    )
    .bind(q.limit)
    .bind(serde_json::json!(q.units).to_string())
    .fetch_all(db)
    .await
}

/// Who sees which orders: their own always; an administrator also every
/// order of their municipality placed for a unit their privileges cover.
pub struct Viewer<'a> {
    pub person: i64,
    pub municipality: &'a str,
    /// `Some` (the covered units) for an administrator.
    pub admin_units: Option<&'a [String]>,
}

impl Viewer<'_> {
    /// The covered units as the SQL's JSON array (NULL: not an administrator).
    fn units_json(&self) -> Option<String> {
        self.admin_units.map(|u| serde_json::json!(u).to_string())
    }
}

/// The SQL condition for `Viewer` ($1 person, $2 municipality, $3 units).
const VISIBLE: &str = "(a.orderer_id = $1
     OR ($3 IS NOT NULL AND a.municipality_code = $2
         AND a.unit_id IN (SELECT value FROM json_each($3))))";

/// The orders `viewer` sees, newest first.
pub async fn visible_to(db: &AnyPool, viewer: &Viewer<'_>) -> sqlx::Result<Vec<AccessRow>> {
    sqlx::query_as(&format!(
        "{ACCESS_SELECT}
           AND {VISIBLE}
         ORDER BY a.created_at DESC, a.id"
    ))
    .bind(viewer.person)
    .bind(viewer.municipality)
    .bind(viewer.units_json())
    .fetch_all(db)
    .await
}

/// One order, if `viewer` sees it.
pub async fn one_visible_to(
    db: &AnyPool,
    id: &str,
    viewer: &Viewer<'_>,
) -> sqlx::Result<Option<AccessRow>> {
    sqlx::query_as(&format!(
        "{ACCESS_SELECT}
           AND {VISIBLE} AND a.id = $4"
    ))
    .bind(viewer.person)
    .bind(viewer.municipality)
    .bind(viewer.units_json())
    .bind(id)
    .fetch_optional(db)
    .await
}

/// The request hash, sealed receipt and time of a key, if it was used.
pub async fn key_of(
    db: &AnyPool,
    orderer: i64,
    key: &str,
) -> sqlx::Result<Option<(String, Option<Vec<u8>>, i64)>> {
    sqlx::query_as(
        "SELECT request_sha256, receipt_sealed, created_at FROM idempotency_keys
         WHERE orderer_id = $1 AND key = $2",
    )
    .bind(orderer)
    .bind(key)
    .fetch_optional(db)
    .await
}

/// One request's claim on an orderer's idempotency key: every step of the
/// order is written only while `holder` still holds it.
pub struct Claim {
    pub orderer: i64,
    pub key: String,
    /// Random, one per claim.
    pub holder: String,
}

/// Claims the key for a request until `lease_until`, in one statement: a
/// new key, or one whose claim ran out unanswered (the instance that held
/// it is gone) for the same request. `Some(access)`: the claim is ours, with
/// the access already recorded under the key, if any; `None`: the key is
/// answered, another request's, or still held.
pub async fn claim_key(
    db: &AnyPool,
    claim: &Claim,
    request: &str,
    now: i64,
    lease_until: i64,
) -> sqlx::Result<Option<Option<String>>> {
    let claimed: Option<(Option<String>,)> = sqlx::query_as(
        "INSERT INTO idempotency_keys
             (orderer_id, key, request_sha256, created_at, holder, lease_until)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (orderer_id, key) DO UPDATE
             SET holder = excluded.holder, lease_until = excluded.lease_until
             WHERE idempotency_keys.receipt_sealed IS NULL
               AND idempotency_keys.lease_until <= $4
               AND idempotency_keys.request_sha256 = excluded.request_sha256
         RETURNING access_id",
    )
    .bind(claim.orderer)
    .bind(&claim.key)
    .bind(request)
    .bind(now)
    .bind(&claim.holder)
    .bind(lease_until)
    .fetch_optional(db)
    .await?;
    Ok(claimed.map(|(access,)| access))
}

/// Unanswered keys whose claim ran out by `now`: (orderer, key, request hash).
pub async fn stale_claims(db: &AnyPool, now: i64) -> sqlx::Result<Vec<(i64, String, String)>> {
    sqlx::query_as(
        "SELECT orderer_id, key, request_sha256 FROM idempotency_keys
         WHERE receipt_sealed IS NULL AND lease_until <= $1",
    )
    .bind(now)
    .fetch_all(db)
    .await
}

/// Names the recorded access and its sealed receipt under the key, in the
/// order's transaction; `false` when the claim is no longer ours.
pub async fn mark_recorded(
    tx: &mut AnyConnection,
    claim: &Claim,
    access: &str,
    receipt_sealed: &[u8],
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE idempotency_keys SET access_id = $4, receipt_pending = $5
         WHERE orderer_id = $1 AND key = $2 AND holder = $3 AND access_id IS NULL",
    )
    .bind(claim.orderer)
    .bind(&claim.key)
    .bind(&claim.holder)
    .bind(access)
    .bind(receipt_sealed)
    .execute(tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A recorded order not yet whole, under a claim that is ours.
#[derive(sqlx::FromRow)]
pub struct Pending {
    pub orderer_id: i64,
    pub municipality_code: String,
    pub orderer_name: String,
    pub orderer_email: Option<String>,
    pub unit_id: Option<String>,
    pub declaration_version: String,
    /// The sealed receipt, one-time password and all.
    pub receipt_pending: Vec<u8>,
}

pub async fn pending(db: &AnyPool, claim: &Claim) -> sqlx::Result<Option<Pending>> {
    sqlx::query_as(
        "SELECT a.orderer_id, a.municipality_code, p.name AS orderer_name, p.email AS orderer_email, a.unit_id,
                a.declaration_version, k.receipt_pending
         FROM idempotency_keys k
         JOIN substitute_accesses a ON a.id = k.access_id
         JOIN people p ON p.id = a.orderer_id
         WHERE k.orderer_id = $1 AND k.key = $2 AND k.holder = $3
           AND k.receipt_sealed IS NULL AND k.receipt_pending IS NOT NULL
           AND a.completed_at IS NULL",
    )
    .bind(claim.orderer)
    .bind(&claim.key)
    .bind(&claim.holder)
    .fetch_optional(db)
    .await
}

/// The order is whole: its receipt answers the key from now on and the
/// access counts (lists, expiry). `false` when the claim is no longer ours.
pub async fn complete(
    tx: &mut AnyConnection,
    claim: &Claim,
    access: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE idempotency_keys SET receipt_sealed = receipt_pending, receipt_pending = NULL
         WHERE orderer_id = $1 AND key = $2 AND holder = $3 AND access_id = $4
           AND receipt_sealed IS NULL AND receipt_pending IS NOT NULL",
    )
    .bind(claim.orderer)
    .bind(&claim.key)
    .bind(&claim.holder)
    .bind(access)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE substitute_accesses SET completed_at = $2 WHERE id = $1 AND completed_at IS NULL",
    )
    .bind(access)
    .bind(now)
    .execute(tx)
    .await?;
    Ok(true)
}

pub async fn store_receipt(
    db: &AnyPool,
    orderer: i64,
    key: &str,
    sealed: Vec<u8>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE idempotency_keys SET receipt_sealed = $3 WHERE orderer_id = $1 AND key = $2",
    )
    .bind(orderer)
    .bind(key)
    .bind(sealed)
    .execute(db)
    .await?;
    Ok(())
}

/// Lets the key go unanswered, so it may be used again: only a claim with
/// nothing recorded under it, or (`recorded_too`, the order being undone in
/// the same transaction) any claim of ours. `false` when it was not ours.
pub async fn release_key<'e, E>(db: E, claim: &Claim, recorded_too: bool) -> sqlx::Result<bool>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let released = sqlx::query(
        "DELETE FROM idempotency_keys
         WHERE orderer_id = $1 AND key = $2 AND holder = $3 AND receipt_sealed IS NULL
           AND ($4 OR access_id IS NULL)",
    )
    .bind(claim.orderer)
    .bind(&claim.key)
    .bind(&claim.holder)
    .bind(recorded_too)
    .execute(db)
    .await?;
    Ok(released.rows_affected() == 1)
}

/// A new order's row, as stored (CPR number sealed, keyed search hash).
pub struct NewRow<'a> {
    pub id: &'a str,
    pub orderer: i64,
    pub unit_id: Option<&'a str>,
    pub municipality: &'a str,
    pub body: &'a NewSubstituteAccess,
    pub substitute_name: &'a str,
    pub cpr_sealed: Vec<u8>,
    pub cpr_search: String,
    /// The key the number is sealed under.
    pub cpr_key_id: &'a str,
    pub signature: &'a [u8],
    pub starts: i64,
    pub ends: i64,
    pub now: i64,
    pub pdf: &'a [u8],
    pub pdf_sha256: &'a str,
    /// Checked (`wizard::agency_of`).
    pub agency: Option<String>,
    /// The systems granted (the unit's template then).
    pub groups: &'a [String],
}

pub async fn insert(tx: &mut AnyConnection, row: &NewRow<'_>) -> sqlx::Result<()> {
    let id_document = serde_json::to_value(row.body.id_document)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    sqlx::query(
        "INSERT INTO substitute_accesses (id, orderer_id, unit_id, municipality_code, user_id,
             substitute_name, cpr_sealed, cpr_search, id_document, declaration_version,
             signature_png, starts_at, ends_at, created_at, declaration_pdf, declaration_sha256,
             cpr_key_id, agency, groups)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
                 $19)",
    )
    .bind(row.id)
    .bind(row.orderer)
    .bind(row.unit_id)
    .bind(row.municipality)
    .bind(&row.body.user_id)
    .bind(row.substitute_name)
    .bind(&row.cpr_sealed)
    .bind(&row.cpr_search)
    .bind(id_document)
    .bind(&row.body.declaration_version)
    .bind(row.signature)
    .bind(row.starts)
    .bind(row.ends)
    .bind(row.now)
    .bind(row.pdf)
    .bind(row.pdf_sha256)
    .bind(row.cpr_key_id)
    .bind(&row.agency)
    .bind(serde_json::json!(row.groups).to_string())
    .execute(tx)
    .await?;
    Ok(())
}

/// Deletes an order that never became whole (its directory account refused).
pub async fn delete_unfinished(tx: &mut AnyConnection, id: &str) -> sqlx::Result<bool> {
    let deleted =
        sqlx::query("DELETE FROM substitute_accesses WHERE id = $1 AND completed_at IS NULL")
            .bind(id)
            .execute(tx)
            .await?;
    Ok(deleted.rows_affected() == 1)
}

/// Marks an open order ended at `at` (its end no later); `false` when it
/// had ended already.
pub async fn mark_ended(tx: &mut AnyConnection, id: &str, at: i64) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE substitute_accesses SET ended_at = $2, ends_at = CASE WHEN ends_at < $2 THEN ends_at ELSE $2 END
         WHERE id = $1 AND ended_at IS NULL",
    )
    .bind(id)
    .bind(at)
    .execute(tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_end(tx: &mut AnyConnection, id: &str, ends: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE substitute_accesses SET ends_at = $2 WHERE id = $1 AND ended_at IS NULL")
        .bind(id)
        .bind(ends)
        .execute(tx)
        .await?;
    Ok(())
}

/// Claims for `holder`, until `lease_until`, up to `limit` open orders
/// whose end is at or before `now` and that no live claim holds (`jobs`):
/// (id, municipality, user ID, end).
pub async fn claim_due(
    db: &AnyPool,
    holder: &str,
    now: i64,
    lease_until: i64,
    limit: i64,
) -> sqlx::Result<Vec<(String, String, String, i64)>> {
    sqlx::query_as(&format!(
        "UPDATE substitute_accesses SET expiry_holder = $1, expiry_until = $2
         WHERE id IN (SELECT id FROM substitute_accesses
                      WHERE ended_at IS NULL AND completed_at IS NOT NULL AND ends_at <= $3
                        AND (expiry_until IS NULL OR expiry_until <= $3)
                      ORDER BY ends_at LIMIT $4{})
         RETURNING id, municipality_code, user_id, ends_at",
        crate::jobs::skip_locked(db)
    ))
    .bind(holder)
    .bind(lease_until)
    .bind(now)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Gives back `holder`'s expiry claim on `id` (the close failed: the next
/// run tries again).
pub async fn release_expiry(db: &AnyPool, id: &str, holder: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE substitute_accesses SET expiry_holder = NULL, expiry_until = NULL
         WHERE id = $1 AND expiry_holder = $2",
    )
    .bind(id)
    .bind(holder)
    .execute(db)
    .await?;
    Ok(())
}

/// The administrators' order list's filters as stored values.
pub struct UnitOrders<'a> {
    pub municipality: &'a str,
    /// The administrator's units: only their orders are found.
    pub units: &'a [String],
    /// One of them, or blank.
    pub unit_id: &'a str,
    /// `active`, `ended`, `archived` or blank.
    pub state: &'a str,
    /// The access's period (to its end, or its early end) reaches into
    /// [from, to).
    pub from: i64,
    pub to: i64,
    pub limit: i64,
    pub offset: i64,
}

/// Orders matching `q`, newest first.
pub async fn unit_orders(db: &AnyPool, q: &UnitOrders<'_>) -> sqlx::Result<Vec<AccessRow>> {
    sqlx::query_as(&format!(
        "{ACCESS_SELECT}
           AND a.municipality_code = $1
           AND a.unit_id IN (SELECT value FROM json_each($2))
           AND ($3 = '' OR a.unit_id = $3)
           AND ($4 = ''
                OR ($4 = 'active' AND a.ended_at IS NULL)
                OR ($4 = 'ended' AND a.ended_at IS NOT NULL AND length(a.cpr_sealed) > 0)
                OR ($4 = 'archived' AND a.ended_at IS NOT NULL AND length(a.cpr_sealed) = 0))
           AND COALESCE(a.ended_at, a.ends_at) >= $5 AND a.starts_at < $6
         ORDER BY a.created_at DESC, a.id
         LIMIT $7 OFFSET $8"
    ))
    .bind(q.municipality)
    .bind(serde_json::json!(q.units).to_string())
    .bind(q.unit_id)
    .bind(q.state)
    .bind(q.from)
    .bind(q.to)
    .bind(q.limit)
    .bind(q.offset)
    .fetch_all(db)
    .await
}
