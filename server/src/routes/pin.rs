//! The person's PIN: set/change and verify (lock screen). Attempts are
//! counted in the database, so every instance sees the same count.

use axum::extract::State;
use axum::http::StatusCode;
use omsorg_core::api::{SetPin, VerifyPin};
use omsorg_core::lock::MAX_ATTEMPTS;
use omsorg_core::pin::Pin;
use omsorg_core::{ErrorBody, ErrorCode};

use crate::auth::Person;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::AppState;

async fn stored(state: &AppState, person: &Person) -> ApiResult<(Option<String>, bool)> {
    Ok(
        sqlx::query_as("SELECT pin_hash, pin_locked FROM people WHERE id = ?1")
            .bind(person.id)
            .fetch_one(&state.db)
            .await?,
    )
}

/// Checks `pin` against `hash`, counting a wrong one; the fifth locks the PIN.
async fn check(state: &AppState, person: &Person, pin: &str, hash: &str) -> ApiResult<()> {
    if state.pins.verify(pin, hash).await? {
        sqlx::query("UPDATE people SET pin_failed_attempts = 0 WHERE id = ?1")
            .bind(person.id)
            .execute(&state.db)
            .await?;
        return Ok(());
    }
    let (failed, locked): (i64, bool) = sqlx::query_as(
        "UPDATE people SET pin_failed_attempts = pin_failed_attempts + 1,
                           pin_locked = (pin_failed_attempts + 1 >= ?2)
         WHERE id = ?1 RETURNING pin_failed_attempts, pin_locked",
    )
    .bind(person.id)
    .bind(i64::from(MAX_ATTEMPTS))
    .fetch_one(&state.db)
    .await?;
    tracing::info!(person = person.id, failed, "wrong PIN");
    if locked {
        return Err(ApiError::client(
            ErrorCode::PinLocked,
            "too many wrong PINs",
        ));
    }
    let left = i64::from(MAX_ATTEMPTS) - failed;
    Err(ApiError::client(
        ErrorCode::PinWrong,
        format!("wrong PIN; {left} attempts left"),
    ))
}

/// Sets the PIN (first time) or changes it: the current PIN, or a KOMBIT
/// login from the last `OMSORG_FRESH_LOGIN_SECS` (token `auth_time`), is
/// required; a locked PIN can only be set again after a fresh login.
#[utoipa::path(
    put,
    path = "/api/v1/me/pin",
    request_body = SetPin,
    security(("bearer" = [])),
    responses(
        (status = 401, description = "auth.invalid_token: no, a malformed, expired or foreign credential", body = ErrorBody),
        (status = 204, description = "PIN set"),
        (status = 400, description = "request.invalid", body = ErrorBody),
        (status = 403, description = "pin.wrong (the current PIN) / pin.locked / auth.fresh_login_required", body = ErrorBody),
        (status = 422, description = "pin.invalid: the policy", body = ErrorBody),
    )
)]
pub async fn set_pin(
    State(state): State<AppState>,
    person: Person,
    ApiJson(body): ApiJson<SetPin>,
) -> ApiResult<StatusCode> {
    let pin = Pin::parse_with_min(&body.pin, state.pin_min_len)
        .map_err(|e| ApiError::client(ErrorCode::PinInvalid, e.to_string()))?;
    let fresh = person.logged_in_within(state.fresh_login);
    match (stored(&state, &person).await?, body.current_pin, fresh) {
        // First PIN, or a fresh KOMBIT login (which also reopens a locked PIN).
        ((None, _), _, _) | ((Some(_), _), _, true) => {}
        ((Some(_), true), _, false) => {
            return Err(ApiError::client(
                ErrorCode::PinLocked,
                "the PIN is locked: log in with KOMBIT again to set a new one",
            ))
        }
        ((Some(hash), false), Some(current), false) => {
            check(&state, &person, &current, &hash).await?
        }
        ((Some(_), false), None, false) => {
            return Err(ApiError::client(
                ErrorCode::FreshLoginRequired,
                "give the current PIN, or log in with KOMBIT again",
            ))
        }
    }
    let new_hash = state.pins.hash(pin.expose()).await?;
    sqlx::query(
        "UPDATE people SET pin_hash = ?2, pin_failed_attempts = 0, pin_locked = FALSE WHERE id = ?1",
    )
    .bind(person.id)
    .bind(new_hash)
    .execute(&state.db)
    .await?;
    // A new PIN also lifts a block on shared-device login.
    crate::routes::shared::forget_failures(&state, &person.user_id).await?;
    tracing::info!(person = person.id, "PIN set");
    Ok(StatusCode::NO_CONTENT)
}

/// Checks the PIN (the lock screen). Five wrong in a row lock it.
#[utoipa::path(
    post,
    path = "/api/v1/me/pin/verify",
    request_body = VerifyPin,
    security(("bearer" = [])),
    responses(
        (status = 401, description = "auth.invalid_token: no, a malformed, expired or foreign credential", body = ErrorBody),
        (status = 204, description = "right PIN"),
        (status = 400, description = "request.invalid: not a PIN body", body = ErrorBody),
        (status = 403, description = "pin.wrong / pin.locked", body = ErrorBody),
        (status = 409, description = "pin.not_set", body = ErrorBody),
    )
)]
pub async fn verify_pin(
    State(state): State<AppState>,
    person: Person,
    ApiJson(body): ApiJson<VerifyPin>,
) -> ApiResult<StatusCode> {
    match stored(&state, &person).await? {
        (None, _) => Err(ApiError::client(ErrorCode::PinNotSet, "no PIN set")),
        (Some(_), true) => Err(ApiError::client(
            ErrorCode::PinLocked,
            "too many wrong PINs",
        )),
        (Some(hash), false) => {
            check(&state, &person, &body.pin, &hash).await?;
            Ok(StatusCode::NO_CONTENT)
        }
    }
}

/// This area's operations, each registered from its annotation (so what is
/// served and what `/api/openapi.json` says are one list).
pub fn router() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(set_pin))
        .routes(routes!(verify_pin))
}
