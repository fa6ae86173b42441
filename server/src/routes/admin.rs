//! Administration of people in the administrator's own municipality.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use omsorg_core::{ErrorBody, ErrorCode};

use crate::auth::Person;
use crate::error::{ApiError, ApiResult};
use crate::{db, people, AppState};

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
    let person = people::id_in(&state.db, &user_id, &admin.municipality_code).await?;
    let Some(person) = person else {
        return Err(ApiError::client(ErrorCode::NotFound, "no such person"));
    };
    // The PIN removed (its shared sessions end with it), and the user ID
    // unblocked on shared devices.
    people::set_pin(&state.db, person, None).await?;
    crate::routes::shared::forget_failures(&state, &user_id).await?;
    db::audit(&state.db, Some(admin.id), "pin.reset", &user_id).await?;
    tracing::info!(admin = admin.id, "PIN reset by an administrator");
    Ok(StatusCode::NO_CONTENT)
}

/// This area's operations, each registered from its annotation (so what is
/// served and what `/api/openapi.json` says are one list).
pub fn router() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new().routes(routes!(reset_pin))
}
