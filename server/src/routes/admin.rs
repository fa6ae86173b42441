//! Administration in the administrator's own municipality: people's PINs,
//! and the units their privileges cover.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use omsorg_core::api::{PeopleList, PersonSummary, Role, UnitSettings, UnitSettingsChange};
use omsorg_core::period::PeriodPolicy;
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

/// How many people a search lists at most.
const PEOPLE_LIMIT: i64 = 100;

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct PeopleQuery {
    /// Part of a name or user ID (any case); none: everyone.
    #[serde(default)]
    q: String,
}

/// The municipality's people as KOMBIT provisioned them, searchable by
/// name or user ID: their units and roles, whether they have a PIN and
/// whether it is blocked, their last KOMBIT login.
#[utoipa::path(
    get,
    path = "/api/v1/admin/people",
    params(PeopleQuery),
    security(("bearer" = [])),
    responses(
        (status = 401, description = "auth.invalid_token: no, a malformed, expired or foreign credential", body = ErrorBody),
        (status = 200, description = "by name, at most 100", body = PeopleList),
        (status = 400, description = "request.invalid: a query parameter", body = ErrorBody),
        (status = 403, description = "auth.forbidden: administrators only", body = ErrorBody),
    )
)]
pub async fn list_people(
    State(state): State<AppState>,
    admin: Person,
    query: Result<Query<PeopleQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<PeopleList>> {
    admin.require_admin()?;
    let Query(query) =
        query.map_err(|e| ApiError::client(ErrorCode::RequestInvalid, e.body_text()))?;
    let muni = &admin.municipality_code;
    let mut found = people::search(&state.db, muni, &query.q, PEOPLE_LIMIT + 1).await?;
    let limit = usize::try_from(PEOPLE_LIMIT).unwrap_or(100);
    let more = found.len() > limit;
    found.truncate(limit);
    let keys: Vec<String> = found
        .iter()
        .map(|p| crate::secret::user_key(state.pins.pepper(), &p.user_id))
        .collect();
    let max = i64::from(omsorg_core::lock::MAX_ATTEMPTS);
    let blocked = people::blocked_user_keys(&state.db, &keys, max).await?;
    let mut listed = Vec::with_capacity(found.len());
    for (p, key) in found.into_iter().zip(keys) {
        let units = crate::people::units_of(&state.db, p.id).await?;
        let names = crate::units::names(&state.db, &units).await?;
        let mut roles = vec![Role::Staff];
        if p.is_orderer {
            roles.push(Role::Orderer);
        }
        if p.is_admin {
            roles.push(Role::Administrator);
        }
        listed.push(PersonSummary {
            pin_blocked: p.pin_locked || blocked.contains(&key),
            user_id: p.user_id,
            name: p.name,
            units: names,
            roles,
            has_pin: p.has_pin,
            last_login: p.token_iat.map(db::time_of),
        });
    }
    db::audit(
        &state.db,
        Some(admin.id),
        "people.listed",
        &format!("{} found", listed.len()),
    )
    .await?;
    Ok(Json(PeopleList {
        people: listed,
        more,
    }))
}

fn settings(row: crate::units::UnitRow) -> UnitSettings {
    UnitSettings {
        groups: row.groups(),
        period: PeriodPolicy::new(row.default_days, row.max_days).unwrap_or_default(),
        id: row.id,
        name: row.name,
        parent_id: row.parent_id,
        manager_name: row.manager_name,
        may_order_substitutes: row.may_order_substitutes,
    }
}

/// The units the administrator's privileges cover, with their settings.
#[utoipa::path(
    get,
    path = "/api/v1/admin/unit-settings",
    security(("bearer" = [])),
    responses(
        (status = 401, description = "auth.invalid_token: no, a malformed, expired or foreign credential", body = ErrorBody),
        (status = 200, description = "top-level units first", body = Vec<UnitSettings>),
        (status = 403, description = "auth.forbidden: administrators only", body = ErrorBody),
    )
)]
pub async fn list_units(
    State(state): State<AppState>,
    admin: Person,
) -> ApiResult<Json<Vec<UnitSettings>>> {
    admin.require_admin()?;
    let rows = crate::units::list(&state.db, &admin.municipality_code, &admin.units).await?;
    Ok(Json(rows.into_iter().map(settings).collect()))
}

/// Whether a unit orders substitute access, and its default and longest
/// period (1 ≤ default ≤ longest ≤ 30 days). Orders and extensions from
/// then on are held to it; accesses already ordered keep their end.
#[utoipa::path(
    put,
    path = "/api/v1/admin/unit-settings/{id}",
    params(("id" = String, Path, description = "the unit's ID")),
    request_body = UnitSettingsChange,
    security(("bearer" = [])),
    responses(
        (status = 401, description = "auth.invalid_token: no, a malformed, expired or foreign credential", body = ErrorBody),
        (status = 200, description = "the unit as it is now", body = UnitSettings),
        (status = 400, description = "request.invalid: the period is outside 1 ≤ default ≤ longest ≤ 30 days, or the systems are not at most 20 distinct names of at most 64 characters", body = ErrorBody),
        (status = 403, description = "auth.forbidden: administrators only", body = ErrorBody),
        (status = 404, description = "request.not_found: not a unit the administrator's privileges cover", body = ErrorBody),
    )
)]
pub async fn set_unit(
    State(state): State<AppState>,
    admin: Person,
    Path(id): Path<String>,
    crate::error::ApiJson(change): crate::error::ApiJson<UnitSettingsChange>,
) -> ApiResult<Json<UnitSettings>> {
    admin.require_admin()?;
    let p = change.period;
    let policy = PeriodPolicy::new(p.default_days, p.max_days)
        .map_err(|e| ApiError::client(ErrorCode::RequestInvalid, e.to_string()))?;
    let groups = match &change.groups {
        Some(typed) => Some(
            omsorg_core::groups::template(typed)
                .map_err(|why| ApiError::client(ErrorCode::RequestInvalid, why))?,
        ),
        None => None,
    };
    let theirs = admin.units.contains(&id);
    let muni = &admin.municipality_code;
    let may_order = change.may_order_substitutes;
    let set = crate::units::set(&state.db, muni, &id, may_order, policy, groups.as_deref());
    if !theirs || !set.await? {
        return Err(ApiError::client(ErrorCode::NotFound, "no such unit"));
    }
    let subject = format!(
        "{id}: may order {may_order}, {} of at most {} days{}",
        policy.default_days,
        policy.max_days,
        groups.map_or(String::new(), |g| format!(", systems {}", g.join(", ")))
    );
    db::audit(&state.db, Some(admin.id), "unit.settings_changed", &subject).await?;
    tracing::info!(admin = admin.id, unit = %id, "unit settings changed");
    let rows = crate::units::list(&state.db, muni, std::slice::from_ref(&id)).await?;
    let row = rows
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::client(ErrorCode::NotFound, "no such unit"))?;
    Ok(Json(settings(row)))
}

/// This area's operations, each registered from its annotation (so what is
/// served and what `/api/openapi.json` says are one list).
pub fn router() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(reset_pin))
        .routes(routes!(list_people))
        .routes(routes!(list_units))
        .routes(routes!(set_unit))
}
