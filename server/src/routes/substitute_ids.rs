//! The substitute user-ID inventory (SPEC C4 step 4): orderers reserve a free
//! ID for the order they are making; administrators add ranges and see every
//! ID's state.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use omsorg_core::api::{
    AddedSubstituteIds, IdGenerator, NewReservation, NewSubstituteIds, Reservation, SubstituteId,
    SubstituteIdList, SubstituteIdState,
};
use omsorg_core::{ErrorBody, ErrorCode};

use crate::auth::Person;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::substitute_ids as ids;
use crate::{db, AppState};

/// Reserves a free substitute user ID for the calling orderer. An orderer
/// who already holds a live reservation gets that one back, not a second.
/// With the substitute's CPR number (an optional body), a returning
/// substitute's earlier ID when it is available (the other held one is
/// given back).
#[utoipa::path(
    post,
    path = "/api/v1/substitute-ids/reservations",
    request_body(content = Option<NewReservation>, description = "optional"),
    security(("bearer" = []), ("shared" = [])),
    responses(
        (status = 401, description = "auth.invalid_token: no, a malformed, expired or foreign credential", body = ErrorBody),
        (status = 201, description = "reserved", body = Reservation),
        (status = 400, description = "request.invalid or cpr.invalid: the body", body = ErrorBody),
        (status = 403, description = "auth.forbidden: may not order substitutes", body = ErrorBody),
        (status = 409, description = "substitute_ids.exhausted: no free ID in the municipality", body = ErrorBody),
    )
)]
pub async fn reserve(
    State(state): State<AppState>,
    person: Person,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, Json<Reservation>)> {
    person.require_orderer(&state.db).await?;
    let wanted: NewReservation = if body.iter().all(u8::is_ascii_whitespace) {
        NewReservation::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::client(ErrorCode::RequestInvalid, e.to_string()))?
    };
    let now = Utc::now().timestamp();
    let until = now + ids::RESERVATION_SECS;
    // With a generator, the pool never runs dry.
    ids::top_up(&state.db, &person.municipality_code, now).await?;
    if let Some(cpr) = wanted.cpr.as_deref() {
        let keys = state
            .cpr_vault
            .search_keys(&omsorg_core::cpr::Cpr::parse(cpr)?);
        let muni = &person.municipality_code;
        let again =
            crate::returning::reserve_again(&state.db, muni, person.id, &keys, now, until).await?;
        if let Some(user_id) = again {
            tracing::info!(orderer = person.id, %user_id, "a returning substitute's user ID reserved");
            return Ok((
                StatusCode::CREATED,
                Json(Reservation {
                    user_id,
                    reserved_until: db::time_of(until),
                    same_as_before: true,
                }),
            ));
        }
    }
    let held =
        match ids::reserve(&state.db, &person.municipality_code, person.id, now, until).await? {
            Some(user_id) => {
                tracing::info!(orderer = person.id, %user_id, "substitute user ID reserved");
                Some((user_id, until))
            }
            // Held already (perhaps by a parallel call): that one, not a second.
            None => ids::held_by(&state.db, person.id, now).await?,
        };
    let Some((user_id, until)) = held else {
        tracing::warn!(municipality = %person.municipality_code, "no free substitute user IDs");
        return Err(ApiError::client(
            ErrorCode::SubstituteIdsExhausted,
            "no free substitute user ID: an administrator must add more",
        ));
    };
    let reserved_until = db::time_of(until);
    Ok((
        StatusCode::CREATED,
        Json(Reservation {
            user_id,
            reserved_until,
            same_as_before: false,
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
    let quarantine = state.id_quarantine_secs;
    let ids = ids::all_of(&state.db, &admin.municipality_code)
        .await?
        .into_iter()
        .map(|(user_id, stored, until, archived)| {
            let state = ids::state_of(&stored, until, now);
            SubstituteId {
                user_id,
                state,
                reserved_until: (state == SubstituteIdState::Reserved)
                    .then(|| until.map(db::time_of))
                    .flatten(),
                free_again_at: (state == SubstituteIdState::Archived)
                    .then(|| archived.map(|a| db::time_of(a + quarantine)))
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
    let added = ids::add(
        &state.db,
        &admin.municipality_code,
        &ids,
        Utc::now().timestamp(),
    )
    .await?;
    tracing::info!(admin = admin.id, added, "substitute user IDs added");
    let (first, last) = (ids.first(), ids.last());
    let range = format!(
        "{}-{}: {added} new",
        first.map_or("", |s| s),
        last.map_or("", |s| s)
    );
    db::audit(&state.db, Some(admin.id), "substitute_ids.added", &range).await?;
    Ok((StatusCode::CREATED, Json(AddedSubstituteIds { added })))
}

/// "Frigiv": gives a reserved ID back to the free ones (an orderer who
/// left a wizard half-way; the wizard reserves anew when it needs one).
#[utoipa::path(
    delete,
    path = "/api/v1/admin/substitute-ids/{user_id}/reservation",
    params(("user_id" = String, Path, description = "the substitute user ID")),
    security(("bearer" = [])),
    responses(
        (status = 401, description = "auth.invalid_token: no, a malformed, expired or foreign credential", body = ErrorBody),
        (status = 204, description = "free again"),
        (status = 403, description = "auth.forbidden: administrators only", body = ErrorBody),
        (status = 404, description = "request.not_found: no live reservation of that ID in the municipality", body = ErrorBody),
    )
)]
pub async fn release(
    State(state): State<AppState>,
    admin: Person,
    Path(user_id): Path<String>,
) -> ApiResult<StatusCode> {
    admin.require_admin()?;
    let now = Utc::now().timestamp();
    if !ids::release(&state.db, &admin.municipality_code, &user_id, now).await? {
        return Err(ApiError::client(ErrorCode::NotFound, "no such reservation"));
    }
    db::audit(
        &state.db,
        Some(admin.id),
        "substitute_id.released",
        &user_id,
    )
    .await?;
    tracing::info!(admin = admin.id, %user_id, "reservation released");
    Ok(StatusCode::NO_CONTENT)
}

async fn generator_of(state: &AppState, municipality: &str) -> ApiResult<IdGenerator> {
    Ok(match ids::generator(&state.db, municipality).await? {
        Some((prefix, min_free)) => IdGenerator {
            prefix,
            min_free: u32::try_from(min_free).unwrap_or(0),
        },
        None => IdGenerator::default(),
    })
}

/// The municipality's ID generator (`min_free` 0: none).
#[utoipa::path(
    get,
    path = "/api/v1/admin/substitute-ids/generator",
    security(("bearer" = [])),
    responses(
        (status = 401, description = "auth.invalid_token: no, a malformed, expired or foreign credential", body = ErrorBody),
        (status = 200, description = "the generator", body = IdGenerator),
        (status = 403, description = "auth.forbidden: administrators only", body = ErrorBody),
    )
)]
pub async fn get_generator(
    State(state): State<AppState>,
    admin: Person,
) -> ApiResult<Json<IdGenerator>> {
    admin.require_admin()?;
    Ok(Json(generator_of(&state, &admin.municipality_code).await?))
}

/// Sets the generator and tops the pool up at once.
#[utoipa::path(
    put,
    path = "/api/v1/admin/substitute-ids/generator",
    request_body = IdGenerator,
    security(("bearer" = [])),
    responses(
        (status = 401, description = "auth.invalid_token: no, a malformed, expired or foreign credential", body = ErrorBody),
        (status = 200, description = "the generator as it is now", body = IdGenerator),
        (status = 400, description = "request.invalid: the prefix is 1 to 8 letters a–z; at most 200 kept free", body = ErrorBody),
        (status = 403, description = "auth.forbidden: administrators only", body = ErrorBody),
    )
)]
pub async fn set_generator(
    State(state): State<AppState>,
    admin: Person,
    ApiJson(body): ApiJson<IdGenerator>,
) -> ApiResult<Json<IdGenerator>> {
    admin.require_admin()?;
    body.check()
        .map_err(|why| ApiError::client(ErrorCode::RequestInvalid, why))?;
    let muni = &admin.municipality_code;
    ids::set_generator(&state.db, muni, &body.prefix, i64::from(body.min_free)).await?;
    let subject = format!("{} at least {} free", body.prefix, body.min_free);
    db::audit(
        &state.db,
        Some(admin.id),
        "substitute_ids.generator_set",
        &subject,
    )
    .await?;
    ids::top_up(&state.db, muni, Utc::now().timestamp()).await?;
    Ok(Json(generator_of(&state, muni).await?))
}

/// This area's operations, each registered from its annotation (so what is
/// served and what `/api/openapi.json` says are one list).
pub fn router() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(reserve))
        .routes(routes!(list, add))
        .routes(routes!(release))
        .routes(routes!(get_generator, set_generator))
}
