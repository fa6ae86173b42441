//! Ordering a substitute's temporary access (SPEC C4, steps 6–7). One order
//! per `Idempotency-Key`: a retry replays the first answer, never a second
//! access. The backend re-checks every rule the app checked.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use base64::Engine;
use chrono::Utc;
use omsorg_core::api::{
    ExtendAccess, NewSubstituteAccess, SubstituteAccessList, SubstituteAccessReceipt,
    SubstituteAccessSummary, UnitRef,
};
use omsorg_core::cpr::Cpr;
use omsorg_core::period::AccessPeriod;
use omsorg_core::{declaration, ErrorBody, ErrorCode};

use crate::auth::Person;
use crate::declaration_pdf::{self, danish_time, PdfError};
use crate::directory::NewAccount;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::org_directory::{self, OrgUnit};
use crate::AppState;
use crate::{cpr_register, db, secret};

/// The largest signature image accepted.
pub const MAX_SIGNATURE_BYTES: usize = 256 * 1024;
const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

fn invalid(message: &str) -> ApiError {
    ApiError::client(ErrorCode::RequestInvalid, message)
}

fn idempotency_key(headers: &HeaderMap) -> Result<String, ApiError> {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .unwrap_or_default();
    if key.is_empty() || key.len() > 128 {
        return Err(invalid(
            "an Idempotency-Key header of 1 to 128 characters is required",
        ));
    }
    Ok(key.to_string())
}

/// What the order will be, checked before anything is written.
struct Checked {
    cpr: Cpr,
    name: String,
    period: AccessPeriod,
    signature: Vec<u8>,
    /// The orderer's unit and its nearest manager (org directory).
    unit: Option<OrgUnit>,
}

async fn check(
    state: &AppState,
    person: &Person,
    body: &NewSubstituteAccess,
) -> Result<Checked, ApiError> {
    let cpr = Cpr::parse(&body.cpr)?;
    if declaration::text(&body.declaration_version).is_none() {
        return Err(invalid("unknown declaration version"));
    }
    let signature = base64::engine::general_purpose::STANDARD
        .decode(body.signature_png.trim())
        .map_err(|_| invalid("the signature is not base64"))?;
    if !signature.starts_with(PNG_MAGIC) || signature.len() > MAX_SIGNATURE_BYTES {
        return Err(invalid(
            "the signature must be a PNG image of at most 256 KiB",
        ));
    }
    let period = AccessPeriod::new(Utc::now(), body.end)?;
    let found = cpr_register::find(state.cpr_register.as_ref(), &cpr).await?;
    if found.name.trim() != body.confirmed_name.trim() {
        return Err(invalid("the confirmed name is not the register's"));
    }
    let unit = org_directory::unit_of(state.org.as_ref(), person.unit_id.as_deref())
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(Checked {
        cpr,
        name: found.name,
        period,
        signature,
        unit,
    })
}

/// The answer a key already has: its receipt, or a refusal when the key was
/// used for something else or its first request is still running.
async fn replay(
    state: &AppState,
    orderer: i64,
    key: &str,
    request: &str,
) -> ApiResult<Option<SubstituteAccessReceipt>> {
    let row: Option<(String, Option<Vec<u8>>)> = sqlx::query_as(
        "SELECT request_sha256, receipt_sealed FROM idempotency_keys WHERE orderer_id = ?1 AND key = ?2",
    )
    .bind(orderer)
    .bind(key)
    .fetch_optional(&state.db)
    .await?;
    let Some((hash, sealed)) = row else {
        return Ok(None);
    };
    if hash != request {
        return Err(ApiError::client(
            ErrorCode::IdempotencyMismatch,
            "this Idempotency-Key was used for another order",
        ));
    }
    let Some(sealed) = sealed else {
        // The first request with this key is still being carried out.
        return Err(ApiError::Throttled(1));
    };
    let json = state
        .cpr_vault
        .open_receipt(&sealed)
        .ok_or_else(|| anyhow::anyhow!("a stored receipt does not open"))?;
    Ok(Some(
        serde_json::from_slice(&json).map_err(|e| anyhow::anyhow!("stored receipt: {e}"))?,
    ))
}

/// Creates the substitute's access: the reserved user ID goes in use, the
/// account is made with a one-time password, the order is stored with the
/// CPR number sealed and the signature, and an audit record is written.
#[utoipa::path(
    post,
    path = "/api/v1/substitute-accesses",
    request_body = NewSubstituteAccess,
    params(("Idempotency-Key" = String, Header, description = "one per order; a retry with the same key replays the answer")),
    security(("bearer" = []), ("shared" = [])),
    responses(
        (status = 401, description = "auth.invalid_token: no, a malformed, expired or foreign credential", body = ErrorBody),
        (status = 201, description = "created (or replayed)", body = SubstituteAccessReceipt),
        (status = 400, description = "request.invalid / cpr.invalid", body = ErrorBody),
        (status = 403, description = "auth.forbidden: may not order substitutes", body = ErrorBody),
        (status = 404, description = "cpr.not_found", body = ErrorBody),
        (status = 409, description = "reservation.invalid / request.idempotency_mismatch", body = ErrorBody),
        (status = 422, description = "period.too_long / period.in_past", body = ErrorBody),
        (status = 429, description = "the first request with this key is still running", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    person: Person,
    headers: HeaderMap,
    ApiJson(body): ApiJson<NewSubstituteAccess>,
) -> ApiResult<(StatusCode, Json<SubstituteAccessReceipt>)> {
    person.require_orderer(&state.db).await?;
    let key = idempotency_key(&headers)?;
    let request = secret::sha256_hex(&serde_json::to_string(&body).expect("json"));
    if let Some(receipt) = replay(&state, person.id, &key, &request).await? {
        tracing::info!(access = %receipt.id, "order replayed for its Idempotency-Key");
        return Ok((StatusCode::CREATED, Json(receipt)));
    }
    let checked = check(&state, &person, &body).await?;
    let now = Utc::now().timestamp();
    let claimed = sqlx::query(
        "INSERT INTO idempotency_keys (orderer_id, key, request_sha256, created_at)
         VALUES (?1, ?2, ?3, ?4) ON CONFLICT (orderer_id, key) DO NOTHING",
    )
    .bind(person.id)
    .bind(&key)
    .bind(&request)
    .bind(now)
    .execute(&state.db)
    .await?;
    if claimed.rows_affected() == 0 {
        // Another request with this key got there first.
        let receipt = replay(&state, person.id, &key, &request)
            .await?
            .ok_or(ApiError::Throttled(1))?;
        return Ok((StatusCode::CREATED, Json(receipt)));
    }
    match carry_out(&state, &person, &body, checked).await {
        Ok(receipt) => {
            let sealed = state
                .cpr_vault
                .seal_receipt(&serde_json::to_vec(&receipt).expect("json"));
            sqlx::query(
                "UPDATE idempotency_keys SET receipt_sealed = ?3 WHERE orderer_id = ?1 AND key = ?2",
            )
            .bind(person.id)
            .bind(&key)
            .bind(sealed)
            .execute(&state.db)
            .await?;
            Ok((StatusCode::CREATED, Json(receipt)))
        }
        Err(e) => {
            // Nothing was made: the key may be used again.
            sqlx::query("DELETE FROM idempotency_keys WHERE orderer_id = ?1 AND key = ?2")
                .bind(person.id)
                .bind(&key)
                .execute(&state.db)
                .await?;
            Err(e)
        }
    }
}

/// Mail to the orderer and their unit's nearest manager, in Danish, without
/// the CPR number; queued in the order's transaction.
async fn notify(
    tx: &mut sqlx::SqliteConnection,
    person: &Person,
    body: &NewSubstituteAccess,
    checked: &Checked,
    id: &str,
) -> ApiResult<()> {
    let (orderer_email,): (Option<String>,) =
        sqlx::query_as("SELECT email FROM people WHERE id = ?1")
            .bind(person.id)
            .fetch_one(&mut *tx)
            .await?;
    let unit = checked.unit.as_ref();
    let unit_name = unit.map_or("—", |u| u.name.as_str()).to_string();
    let subject = format!("Vikaradgang bestilt: {}", body.user_id);
    let text = format!(
        "Der er bestilt midlertidig IT-adgang til en vikar.\n\n\
         Vikar: {name}\n\
         Bruger-id: {user_id}\n\
         Arbejdssted: {unit_name}\n\
         Gyldig fra {start} til {end}\n\
         Bestilt af: {orderer}\n\
         Ordrenummer: {id}\n\n\
         Tavshedserklæringen (version {version}) er underskrevet og gemt.\n\
         Adgangen lukker af sig selv ved udløb. Den kan afsluttes før tid eller forlænges i Omsorg.\n",
        name = checked.name,
        user_id = body.user_id,
        start = danish_time(checked.period.start()),
        end = danish_time(checked.period.end()),
        orderer = person.name,
        version = body.declaration_version,
    );
    let manager = unit
        .and_then(|u| u.manager.as_ref())
        .map(|m| m.email.clone());
    let recipients = [orderer_email, manager];
    for to in recipients.iter().flatten() {
        crate::mail::enqueue(&mut *tx, to, &subject, &text).await?;
    }
    Ok(())
}

/// The signed declaration as PDF/A, made off the async workers.
async fn declaration(
    person: &Person,
    body: &NewSubstituteAccess,
    checked: &Checked,
    id: &str,
    now: i64,
) -> ApiResult<Vec<u8>> {
    let text = declaration::text(&body.declaration_version).unwrap_or_default();
    let (order_id, name, cpr_masked) = (id.to_string(), checked.name.clone(), checked.cpr.masked());
    let (user_id, orderer, version) = (
        body.user_id.clone(),
        person.name.clone(),
        body.declaration_version.clone(),
    );
    let unit_name = checked
        .unit
        .as_ref()
        .map_or_else(|| "—".to_string(), |u| u.name.clone());
    let (signature, ends_at) = (checked.signature.clone(), checked.period.end());
    let made = tokio::task::spawn_blocking(move || {
        declaration_pdf::render(&declaration_pdf::Facts {
            order_id: &order_id,
            substitute_name: &name,
            cpr_masked: &cpr_masked,
            user_id: &user_id,
            unit_name: &unit_name,
            orderer_name: &orderer,
            signed_at: db::time_of(now),
            ends_at,
            version: &version,
            text,
            signature_png: &signature,
        })
    })
    .await
    .map_err(|e| anyhow::anyhow!("the PDF task: {e}"))?;
    match made {
        Ok(pdf) => Ok(pdf),
        Err(PdfError::Signature(_)) => Err(invalid("the signature is not a readable PNG image")),
        Err(e) => Err(ApiError::Internal(e.into())),
    }
}

async fn carry_out(
    state: &AppState,
    person: &Person,
    body: &NewSubstituteAccess,
    checked: Checked,
) -> ApiResult<SubstituteAccessReceipt> {
    let now = Utc::now().timestamp();
    let id = secret::random_token(12);
    let (starts, ends) = (checked.period.start(), checked.period.end());
    let pdf = declaration(person, body, &checked, &id, now).await?;
    let pdf_sha256 = secret::sha256_hex_bytes(&pdf);
    let mut tx = state.db.begin().await?;
    let taken = sqlx::query(
        "UPDATE substitute_ids SET state = 'in_use', reserved_by = NULL, reserved_until = NULL
         WHERE user_id = ?1 AND municipality_code = ?2 AND state = 'reserved'
           AND reserved_by = ?3 AND reserved_until > ?4",
    )
    .bind(&body.user_id)
    .bind(&person.municipality_code)
    .bind(person.id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if taken.rows_affected() == 0 {
        return Err(ApiError::client(
            ErrorCode::ReservationInvalid,
            "that user ID is not reserved by you (any more)",
        ));
    }
    sqlx::query(
        "INSERT INTO substitute_accesses (id, orderer_id, unit_id, municipality_code, user_id,
             substitute_name, cpr_sealed, cpr_search, id_document, declaration_version,
             signature_png, starts_at, ends_at, created_at, declaration_pdf, declaration_sha256)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )
    .bind(&id)
    .bind(person.id)
    .bind(&person.unit_id)
    .bind(&person.municipality_code)
    .bind(&body.user_id)
    .bind(&checked.name)
    .bind(state.cpr_vault.seal(&checked.cpr))
    .bind(state.cpr_vault.search_key(&checked.cpr))
    .bind(
        serde_json::to_value(body.id_document)
            .expect("json")
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
    .bind(&body.declaration_version)
    .bind(&checked.signature)
    .bind(starts.timestamp())
    .bind(ends.timestamp())
    .bind(now)
    .bind(&pdf)
    .bind(&pdf_sha256)
    .execute(&mut *tx)
    .await?;
    notify(&mut tx, person, body, &checked, &id).await?;
    db::audit(&mut *tx, Some(person.id), "substitute_access.created", &id).await?;
    tx.commit().await?;

    // The directory is another system (AD in production): after the commit,
    // undone here if it fails, so no access exists without its account.
    let initial_password = secret::initial_password();
    let account = NewAccount {
        user_id: body.user_id.clone(),
        display_name: checked.name.clone(),
        initial_password: initial_password.clone(),
        expires_at: ends.timestamp(),
    };
    if let Err(e) = state.directory.create_account(&account).await {
        tracing::error!(access = %id, error = %e, "directory refused the account; undoing the order");
        let mut tx = state.db.begin().await?;
        sqlx::query("DELETE FROM substitute_accesses WHERE id = ?1")
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE substitute_ids SET state = 'reserved', reserved_by = ?2, reserved_until = ?3
             WHERE user_id = ?1",
        )
        .bind(&body.user_id)
        .bind(person.id)
        .bind(now + crate::routes::substitute_ids::RESERVATION_SECS)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        return Err(ApiError::Internal(e.into()));
    }
    tracing::info!(access = %id, orderer = person.id, user_id = %body.user_id, "substitute access created");
    Ok(SubstituteAccessReceipt {
        id,
        user_id: body.user_id.clone(),
        substitute_name: checked.name,
        initial_password,
        // Whole seconds, as stored: a replayed receipt is the same.
        starts_at: db::time_of(starts.timestamp()),
        ends_at: db::time_of(ends.timestamp()),
    })
}

type SummaryRow = (
    String,
    String,
    String,
    Vec<u8>,
    String,
    Option<String>,
    Option<String>,
    i64,
    i64,
    Option<i64>,
);

const SUMMARY_SELECT: &str = "SELECT a.id, a.user_id, a.substitute_name, a.cpr_sealed, p.name,
        a.unit_id, u.name, a.starts_at, a.ends_at, a.ended_at
     FROM substitute_accesses a
     JOIN people p ON p.id = a.orderer_id
     LEFT JOIN units u ON u.id = a.unit_id";

fn summary(state: &AppState, row: SummaryRow) -> SubstituteAccessSummary {
    let (
        id,
        user_id,
        substitute_name,
        sealed,
        orderer_name,
        unit_id,
        unit_name,
        starts,
        ends,
        ended,
    ) = row;
    let cpr_masked = state.cpr_vault.masked(&sealed);
    SubstituteAccessSummary {
        id,
        user_id,
        substitute_name,
        cpr_masked,
        orderer_name,
        unit: unit_id
            .zip(unit_name)
            .map(|(id, name)| UnitRef { id, name }),
        starts_at: db::time_of(starts),
        ends_at: db::time_of(ends),
        ended_at: ended.map(db::time_of),
    }
}

/// The caller's own orders; for an administrator, every order of their
/// municipality. Newest first.
#[utoipa::path(
    get,
    path = "/api/v1/substitute-accesses",
    security(("bearer" = []), ("shared" = [])),
    responses(
        (status = 401, description = "auth.invalid_token: no, a malformed, expired or foreign credential", body = ErrorBody),
        (status = 200, description = "orders, CPR numbers masked", body = SubstituteAccessList),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    person: Person,
) -> ApiResult<Json<SubstituteAccessList>> {
    let admin = person.require_admin().is_ok();
    let rows: Vec<SummaryRow> = sqlx::query_as(&format!(
        "{SUMMARY_SELECT}
         WHERE (?1 AND a.municipality_code = ?2) OR a.orderer_id = ?3
         ORDER BY a.created_at DESC, a.id"
    ))
    .bind(admin)
    .bind(&person.municipality_code)
    .bind(person.id)
    .fetch_all(&state.db)
    .await?;
    Ok(Json(SubstituteAccessList {
        accesses: rows.into_iter().map(|r| summary(&state, r)).collect(),
    }))
}

/// The access, if the caller may change it: its orderer, or an
/// administrator of its municipality. Others get 404, as for no access.
async fn changeable(state: &AppState, person: &Person, id: &str) -> ApiResult<SummaryRow> {
    let admin = person.require_admin().is_ok();
    sqlx::query_as(&format!(
        "{SUMMARY_SELECT}
         WHERE a.id = ?1 AND ((?2 AND a.municipality_code = ?3) OR a.orderer_id = ?4)"
    ))
    .bind(id)
    .bind(admin)
    .bind(&person.municipality_code)
    .bind(person.id)
    .fetch_optional(&state.db)
    .await?
    .ok_or_else(|| ApiError::client(ErrorCode::NotFound, "no such order"))
}

/// Ends an access: the account is disabled first, then the order is marked
/// ended and its user ID archived. Ending an ended access changes nothing.
pub async fn close(
    state: &AppState,
    id: &str,
    user_id: &str,
    at_ts: i64,
    actor: Option<i64>,
    action: &str,
) -> ApiResult<()> {
    state
        .directory
        .disable_account(user_id)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let mut tx = state.db.begin().await?;
    let done = sqlx::query(
        "UPDATE substitute_accesses SET ended_at = ?2, ends_at = MIN(ends_at, ?2)
         WHERE id = ?1 AND ended_at IS NULL",
    )
    .bind(id)
    .bind(at_ts)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 1 {
        sqlx::query("UPDATE substitute_ids SET state = 'archived' WHERE user_id = ?1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        db::audit(&mut *tx, actor, action, id).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Ends an access now (the orderer, or an administrator).
#[utoipa::path(
    post,
    path = "/api/v1/substitute-accesses/{id}/end",
    params(("id" = String, Path, description = "the order")),
    security(("bearer" = []), ("shared" = [])),
    responses(
        (status = 401, description = "auth.invalid_token: no, a malformed, expired or foreign credential", body = ErrorBody),
        (status = 200, description = "ended (or already over)", body = SubstituteAccessSummary),
        (status = 404, description = "request.not_found: none the caller may change", body = ErrorBody),
    )
)]
pub async fn end(
    State(state): State<AppState>,
    person: Person,
    Path(id): Path<String>,
) -> ApiResult<Json<SubstituteAccessSummary>> {
    let row = changeable(&state, &person, &id).await?;
    if row.9.is_none() {
        let now = Utc::now().timestamp();
        close(
            &state,
            &id,
            &row.1,
            now,
            Some(person.id),
            "substitute_access.ended_early",
        )
        .await?;
        tracing::info!(access = %id, by = person.id, "substitute access ended early");
    }
    let row = changeable(&state, &person, &id).await?;
    Ok(Json(summary(&state, row)))
}

/// A new end for an active access, within 30 days of its start.
#[utoipa::path(
    post,
    path = "/api/v1/substitute-accesses/{id}/extend",
    params(("id" = String, Path, description = "the order")),
    request_body = ExtendAccess,
    security(("bearer" = []), ("shared" = [])),
    responses(
        (status = 401, description = "auth.invalid_token: no, a malformed, expired or foreign credential", body = ErrorBody),
        (status = 200, description = "the new end", body = SubstituteAccessSummary),
        (status = 404, description = "request.not_found", body = ErrorBody),
        (status = 400, description = "request.invalid: the access is over", body = ErrorBody),
        (status = 422, description = "period.too_long / period.in_past", body = ErrorBody),
    )
)]
pub async fn extend(
    State(state): State<AppState>,
    person: Person,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ExtendAccess>,
) -> ApiResult<Json<SubstituteAccessSummary>> {
    let row = changeable(&state, &person, &id).await?;
    let now = Utc::now();
    if row.9.is_some() || row.8 <= now.timestamp() {
        return Err(invalid("the access is over; order a new one"));
    }
    let period =
        AccessPeriod::stored(db::time_of(row.7), db::time_of(row.8)).with_end(body.end, now)?;
    let new_end = period.end().timestamp();
    state
        .directory
        .set_expiry(&row.1, new_end)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let mut tx = state.db.begin().await?;
    sqlx::query("UPDATE substitute_accesses SET ends_at = ?2 WHERE id = ?1 AND ended_at IS NULL")
        .bind(&id)
        .bind(new_end)
        .execute(&mut *tx)
        .await?;
    db::audit(&mut *tx, Some(person.id), "substitute_access.extended", &id).await?;
    tx.commit().await?;
    tracing::info!(access = %id, by = person.id, "substitute access extended");
    let row = changeable(&state, &person, &id).await?;
    Ok(Json(summary(&state, row)))
}

/// This area's operations, each registered from its annotation (so what is
/// served and what `/api/openapi.json` says are one list).
pub fn router() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(end))
        .routes(routes!(extend))
}
