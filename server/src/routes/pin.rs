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
use crate::people::{self, PinAttempt};
use crate::{db, AppState};

fn locked() -> ApiError {
    ApiError::client(ErrorCode::PinLocked, "too many wrong PINs")
}

/// Checks `pin` as one counted attempt (counted before it is checked, so
/// parallel attempts see each other); the last wrong one the limit allows
/// locks the PIN.
async fn check(state: &AppState, person: &Person, pin: &str) -> ApiResult<()> {
    let max = i64::from(MAX_ATTEMPTS);
    let (attempt, hash) = match people::admit_pin_attempt(&state.db, person.id, max).await? {
        PinAttempt::NotSet => return Err(ApiError::client(ErrorCode::PinNotSet, "no PIN set")),
        PinAttempt::Locked => return Err(locked()),
        PinAttempt::Admitted { attempt, hash } => (attempt, hash),
    };
    if state.pins.verify(pin, &hash).await? {
        return Ok(people::pin_was_right(&state.db, person.id).await?);
    }
    tracing::info!(person = person.id, attempt, "wrong PIN");
    state.metrics.failed(crate::metrics::Failure::Pin);
    if people::pin_was_wrong(&state.db, person.id, attempt, max).await? {
        return Err(locked());
    }
    let left = max - attempt;
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
    match (
        people::pin_state(&state.db, person.id).await?,
        body.current_pin,
        fresh,
    ) {
        // First PIN, or a fresh KOMBIT login (which also reopens a locked PIN).
        ((None, _), _, _) | ((Some(_), _), _, true) => {}
        ((Some(_), true), _, false) => {
            return Err(ApiError::client(
                ErrorCode::PinLocked,
                "the PIN is locked: log in with KOMBIT again to set a new one",
            ))
        }
        ((Some(_), false), Some(current), false) => check(&state, &person, &current).await?,
        ((Some(_), false), None, false) => {
            return Err(ApiError::client(
                ErrorCode::FreshLoginRequired,
                "give the current PIN, or log in with KOMBIT again",
            ))
        }
    }
    let new_hash = state.pins.hash(pin.expose()).await?;
    // Sessions opened on shared devices with the old PIN end with it.
    people::set_pin(&state.db, person.id, Some(&new_hash)).await?;
    db::audit(&state.db, Some(person.id), "pin.set", &person.user_id).await?;
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
    check(&state, &person, &body.pin).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// This area's operations, each registered from its annotation (so what is
/// served and what `/api/openapi.json` says are one list).
pub fn router() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(set_pin))
        .routes(routes!(verify_pin))
}
