//! User ID + PIN on an enrolled shared device (SPEC C3). Guessing is stopped:
//! five wrong answers for a user ID block it, a device that fails often is
//! throttled, and an unknown user ID is answered exactly like a wrong PIN —
//! same body, same Argon2 work.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use omsorg_core::api::{SharedLogin, SharedSession};
use omsorg_core::lock::MAX_ATTEMPTS;
use omsorg_core::{ErrorBody, ErrorCode};

use crate::auth::{authorization, Device, Person};
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::routes::me::me_of;
use crate::secret;
use crate::AppState;

/// A device may fail this many logins within `DEVICE_WINDOW_SECS`…
pub const DEVICE_MAX_FAILURES: i64 = 10;
/// …before it must wait.
pub const DEVICE_WINDOW_SECS: i64 = 10 * 60;

fn failed() -> ApiError {
    ApiError::client(ErrorCode::SharedLoginFailed, "wrong user ID or PIN")
}

fn blocked() -> ApiError {
    ApiError::client(
        ErrorCode::PinLocked,
        "blocked after too many wrong PINs: set a new PIN after a KOMBIT login, or ask an administrator",
    )
}

/// Logs a person in on the calling device with user ID + PIN.
#[utoipa::path(
    post,
    path = "/api/v1/shared/sessions",
    request_body = SharedLogin,
    security(("device" = [])),
    responses(
        (status = 201, description = "a short-lived session", body = SharedSession),
        (status = 401, description = "shared.login_failed (never says which was wrong) / device.not_enrolled", body = ErrorBody),
        (status = 403, description = "pin.locked: five wrong for this user ID", body = ErrorBody),
        (status = 429, description = "request.throttled, with Retry-After", body = ErrorBody),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    device: Device,
    ApiJson(body): ApiJson<SharedLogin>,
) -> ApiResult<(StatusCode, Json<SharedSession>)> {
    let now = Utc::now().timestamp();
    let since = now - DEVICE_WINDOW_SECS;
    let (failures, oldest): (i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), MIN(at) FROM device_login_failures WHERE device_id = ?1 AND at > ?2",
    )
    .bind(&device.id)
    .bind(since)
    .fetch_one(&state.db)
    .await?;
    if failures >= DEVICE_MAX_FAILURES {
        let wait = oldest.map_or(DEVICE_WINDOW_SECS, |t| t + DEVICE_WINDOW_SECS - now);
        tracing::warn!(device = %device.id, failures, "device throttled");
        return Err(ApiError::Throttled(u64::try_from(wait).unwrap_or(1)));
    }

    let user_key = secret::user_key(state.pins.pepper(), &body.user_id);
    let key_failures: i64 =
        sqlx::query_scalar("SELECT failures FROM shared_login_failures WHERE user_key = ?1")
            .bind(&user_key)
            .fetch_optional(&state.db)
            .await?
            .unwrap_or(0);
    let person: Option<(i64, Option<String>, bool)> = sqlx::query_as(
        "SELECT id, pin_hash, pin_locked FROM people
         WHERE lower(user_id) = lower(?1) AND active AND municipality_code = ?2",
    )
    .bind(body.user_id.trim())
    .bind(&device.municipality_code)
    .fetch_optional(&state.db)
    .await?;
    // The same Argon2 work whether or not the user ID exists or has a PIN.
    let hash = person
        .as_ref()
        .and_then(|p| p.1.clone())
        .unwrap_or_else(|| state.dummy_pin_hash.as_ref().clone());
    let right = state.pins.verify(&body.pin, &hash).await?
        && person.as_ref().is_some_and(|p| p.1.is_some());
    let blocked_now = key_failures >= i64::from(MAX_ATTEMPTS);

    if let (true, false, Some((person_id, _, pin_locked))) = (right, blocked_now, &person) {
        if *pin_locked {
            // Only someone who knows the PIN learns this.
            return Err(blocked());
        }
        return start(&state, &device, *person_id, &user_key, now).await;
    }
    if blocked_now {
        return Err(blocked());
    }

    // A wrong answer: counted for the device and for the user ID as typed.
    let mut tx = state.db.begin().await?;
    sqlx::query("INSERT INTO device_login_failures (device_id, at) VALUES (?1, ?2)")
        .bind(&device.id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let count: i64 = sqlx::query_scalar(
        "INSERT INTO shared_login_failures (user_key, failures) VALUES (?1, 1)
         ON CONFLICT (user_key) DO UPDATE SET failures = failures + 1
         RETURNING failures",
    )
    .bind(&user_key)
    .fetch_one(&mut *tx)
    .await?;
    let now_blocked = count >= i64::from(MAX_ATTEMPTS);
    // Nothing is written for the person themself: the same work whether or
    // not the user ID exists. The block lives in `shared_login_failures`.
    tx.commit().await?;
    tracing::info!(device = %device.id, "shared login failed");
    Err(if now_blocked { blocked() } else { failed() })
}

async fn start(
    state: &AppState,
    device: &Device,
    person_id: i64,
    user_key: &str,
    now: i64,
) -> ApiResult<(StatusCode, Json<SharedSession>)> {
    let token = secret::random_token(32);
    let ttl = i64::try_from(state.shared_session_ttl.as_secs()).unwrap_or(1800);
    let expires_at = now + ttl;
    let mut tx = state.db.begin().await?;
    sqlx::query(
        "INSERT INTO shared_sessions (token_hash, device_id, person_id, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .bind(secret::sha256_hex(&token))
    .bind(&device.id)
    .bind(person_id)
    .bind(now)
    .bind(expires_at)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE people SET pin_failed_attempts = 0 WHERE id = ?1")
        .bind(person_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM shared_login_failures WHERE user_key = ?1")
        .bind(user_key)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    let mut person: Person = sqlx::query_as(
        "SELECT id, user_id, name, municipality_code, unit_id, is_admin,
                pin_hash IS NOT NULL AS has_pin, pin_locked
         FROM people WHERE id = ?1",
    )
    .bind(person_id)
    .fetch_one(&state.db)
    .await?;
    // The session is this device's: `Me` says what it may do.
    person.shared_device = Some(device.id.to_string());
    tracing::info!(device = %device.id, person = person_id, "shared session started");
    Ok((
        StatusCode::CREATED,
        Json(SharedSession {
            token,
            expires_at: crate::db::time_of(expires_at),
            me: me_of(state, person).await?,
        }),
    ))
}

/// Lifts the shared-login block of a user ID (a new PIN, or an administrator's reset).
pub async fn forget_failures(state: &AppState, user_id: &str) -> ApiResult<()> {
    sqlx::query("DELETE FROM shared_login_failures WHERE user_key = ?1")
        .bind(secret::user_key(state.pins.pepper(), user_id))
        .execute(&state.db)
        .await?;
    Ok(())
}

/// The session token of the request (`Authorization: Shared <token>`).
pub struct SharedToken(String);

impl FromRequestParts<AppState> for SharedToken {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        authorization(parts, "Shared ")
            .map(SharedToken)
            .ok_or_else(|| ApiError::client(ErrorCode::InvalidToken, "no shared session"))
    }
}

/// "Log ud" on a shared device: the session ends at once.
#[utoipa::path(
    delete,
    path = "/api/v1/shared/sessions/current",
    security(("shared" = [])),
    responses(
        (status = 204, description = "ended (also when it had already ended)"),
        (status = 401, description = "auth.invalid_token: no session given", body = ErrorBody),
    )
)]
pub async fn logout(
    State(state): State<AppState>,
    SharedToken(token): SharedToken,
) -> ApiResult<StatusCode> {
    sqlx::query(
        "UPDATE shared_sessions SET ended_at = ?2 WHERE token_hash = ?1 AND ended_at IS NULL",
    )
    .bind(secret::sha256_hex(&token))
    .bind(Utc::now().timestamp())
    .execute(&state.db)
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// This area's operations, each registered from its annotation (so what is
/// served and what `/api/openapi.json` says are one list).
pub fn router() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
}
