//! The substitute user-ID inventory (SPEC C4 step 4): orderers reserve a free
//! ID for the order they are making; administrators add ranges and see every
//! ID's state.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use omsorg_core::api::{
    AddedSubstituteIds, NewSubstituteIds, Reservation, SubstituteId, SubstituteIdList,
    SubstituteIdState,
};
use omsorg_core::{ErrorBody, ErrorCode};

use crate::auth::Person;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::{db, AppState};

/// How long a reservation holds an ID for its orderer.
pub const RESERVATION_SECS: i64 = 30 * 60;

/// Reserves a free substitute user ID for the calling orderer. An orderer
/// who already holds a live reservation gets that one back, not a second.
#[utoipa::path(
    post,
    path = "/api/v1/substitute-ids/reservations",
    security(("bearer" = []), ("shared" = [])),
    responses(
        (status = 401, description = "auth.invalid_token: no, a malformed, expired or foreign credential", body = ErrorBody),
        (status = 201, description = "reserved", body = Reservation),
        (status = 403, description = "auth.forbidden: may not order substitutes", body = ErrorBody),
        (status = 409, description = "substitute_ids.exhausted: no free ID in the municipality", body = ErrorBody),
    )
)]
pub async fn reserve(
    State(state): State<AppState>,
    person: Person,
) -> ApiResult<(StatusCode, Json<Reservation>)> {
    person.require_orderer(&state.db).await?;
    let now = Utc::now().timestamp();
    let held: Option<(String, i64)> = sqlx::query_as(
        "SELECT user_id, reserved_until FROM substitute_ids
         WHERE reserved_by = ?1 AND state = 'reserved' AND reserved_until > ?2
         ORDER BY user_id LIMIT 1",
    )
    .bind(person.id)
    .bind(now)
    .fetch_optional(&state.db)
    .await?;
    if let Some((user_id, until)) = held {
        return Ok((
            StatusCode::CREATED,
            Json(Reservation {
                user_id,
                reserved_until: db::time_of(until),
            }),
        ));
    }
    let until = now + RESERVATION_SECS;
    // One statement picks and claims, re-checking the state, so two orderers
    // racing can never get the same ID.
    let claimed: Option<(String,)> = sqlx::query_as(
        "UPDATE substitute_ids SET state = 'reserved', reserved_by = ?1, reserved_until = ?2
         WHERE user_id = (
             SELECT user_id FROM substitute_ids
             WHERE municipality_code = ?3
               AND (state = 'free' OR (state = 'reserved' AND reserved_until <= ?4))
             ORDER BY user_id LIMIT 1)
           AND (state = 'free' OR (state = 'reserved' AND reserved_until <= ?4))
         RETURNING user_id",
    )
    .bind(person.id)
    .bind(until)
    .bind(&person.municipality_code)
    .bind(now)
    .fetch_optional(&state.db)
    .await?;
    let Some((user_id,)) = claimed else {
        tracing::warn!(municipality = %person.municipality_code, "no free substitute user IDs");
        return Err(ApiError::client(
            ErrorCode::SubstituteIdsExhausted,
            "no free substitute user ID: an administrator must add more",
        ));
    };
    tracing::info!(orderer = person.id, %user_id, "substitute user ID reserved");
    Ok((
        StatusCode::CREATED,
        Json(Reservation {
            user_id,
            reserved_until: db::time_of(until),
        }),
    ))
}

/// Every substitute user ID of the administrator's municipality, with its state.
#[utoipa::path(
    get,
    path = "/api/v1/admin/substitute-ids",
    security(("bearer" = [])),
    responses(
        (status = 401, description = "auth.invalid_token: no, a malformed, expired or foreign credential", body = ErrorBody),
        (status = 200, description = "the inventory, by user ID", body = SubstituteIdList),
        (status = 403, description = "auth.forbidden", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    admin: Person,
) -> ApiResult<Json<SubstituteIdList>> {
    admin.require_admin()?;
    let now = Utc::now().timestamp();
    let rows: Vec<(String, String, Option<i64>)> = sqlx::query_as(
        "SELECT user_id, state, reserved_until FROM substitute_ids
         WHERE municipality_code = ?1 ORDER BY user_id",
    )
    .bind(&admin.municipality_code)
    .fetch_all(&state.db)
    .await?;
    let ids = rows
        .into_iter()
        .map(|(user_id, s, until)| {
            let live = until.is_some_and(|u| u > now);
            let state = match s.as_str() {
                "reserved" if live => SubstituteIdState::Reserved,
                "in_use" => SubstituteIdState::InUse,
                "archived" => SubstituteIdState::Archived,
                _ => SubstituteIdState::Free,
            };
            SubstituteId {
                user_id,
                state,
                reserved_until: (state == SubstituteIdState::Reserved)
                    .then(|| until.map(db::time_of))
                    .flatten(),
            }
        })
        .collect();
    Ok(Json(SubstituteIdList { ids }))
}

/// Adds `prefix` + `from`..=`to` (zero-padded to three digits or more);
/// IDs that exist already are left as they are.
#[utoipa::path(
    post,
    path = "/api/v1/admin/substitute-ids",
    request_body = NewSubstituteIds,
    security(("bearer" = [])),
    responses(
        (status = 401, description = "auth.invalid_token: no, a malformed, expired or foreign credential", body = ErrorBody),
        (status = 201, description = "how many were new", body = AddedSubstituteIds),
        (status = 400, description = "request.invalid: prefix or range", body = ErrorBody),
        (status = 403, description = "auth.forbidden", body = ErrorBody),
    )
)]
pub async fn add(
    State(state): State<AppState>,
    admin: Person,
    ApiJson(body): ApiJson<NewSubstituteIds>,
) -> ApiResult<(StatusCode, Json<AddedSubstituteIds>)> {
    admin.require_admin()?;
    let ids = body
        .user_ids()
        .map_err(|e| ApiError::client(ErrorCode::RequestInvalid, e))?;
    let now = Utc::now().timestamp();
    let mut tx = state.db.begin().await?;
    let mut added = 0;
    for user_id in ids {
        let done = sqlx::query(
            "INSERT INTO substitute_ids (user_id, municipality_code, added_at)
             VALUES (?1, ?2, ?3) ON CONFLICT (user_id) DO NOTHING",
        )
        .bind(&user_id)
        .bind(&admin.municipality_code)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        added += u32::try_from(done.rows_affected()).unwrap_or(0);
    }
    tx.commit().await?;
    tracing::info!(admin = admin.id, added, "substitute user IDs added");
    Ok((StatusCode::CREATED, Json(AddedSubstituteIds { added })))
}

/// This area's operations, each registered from its annotation (so what is
/// served and what `/api/openapi.json` says are one list).
pub fn router() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(reserve))
        .routes(routes!(list, add))
}
