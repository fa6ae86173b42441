//! Administration of people in the administrator's own municipality.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use omsorg_core::{ErrorBody, ErrorCode};

use crate::auth::Person;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// Resets a person's PIN (forgotten, or locked after five wrong): the PIN is
/// removed and the person must set a new one at their next KOMBIT login.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/people/{user_id}/pin",
    params(("user_id" = String, Path, description = "the person's user ID")),
    security(("bearer" = [])),
    responses(
        (status = 401, description = "auth.invalid_token: no, a malformed, expired or foreign credential", body = ErrorBody),
        (status = 204, description = "PIN removed"),
        (status = 403, description = "auth.forbidden: administrators only", body = ErrorBody),
        (status = 404, description = "request.not_found: no such person in the municipality", body = ErrorBody),
    )
)]
pub async fn reset_pin(
    State(state): State<AppState>,
    admin: Person,
    Path(user_id): Path<String>,
) -> ApiResult<StatusCode> {
    admin.require_admin()?;
    let done = sqlx::query(
        "UPDATE people SET pin_hash = NULL, pin_failed_attempts = 0, pin_locked = FALSE
         WHERE user_id = ?1 AND municipality_code = ?2",
    )
    .bind(&user_id)
    .bind(&admin.municipality_code)
    .execute(&state.db)
    .await?;
    if done.rows_affected() == 0 {
        return Err(ApiError::client(ErrorCode::NotFound, "no such person"));
    }
    crate::routes::shared::forget_failures(&state, &user_id).await?;
    tracing::info!(admin = admin.id, "PIN reset by an administrator");
    Ok(StatusCode::NO_CONTENT)
}

/// This area's operations, each registered from its annotation (so what is
/// served and what `/api/openapi.json` says are one list).
pub fn router() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new().routes(routes!(reset_pin))
}
