//! Shared devices (SPEC C3): an administrator makes a one-time enrollment
//! code; the device trades it for a credential; an administrator can revoke.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use omsorg_core::api::{
    DeviceInfo, DeviceMode, Enroll, Enrolled, EnrollmentCode, NewEnrollmentCode, UnitList, UnitRef,
};
use omsorg_core::{ErrorBody, ErrorCode};

use crate::auth::{Device, Person};
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::secret;
use crate::AppState;

/// How long an enrollment code can be used.
pub const CODE_LIFETIME_SECS: i64 = 15 * 60;

fn mode_str(mode: DeviceMode) -> &'static str {
    match mode {
        DeviceMode::ApartmentTablet => "apartment_tablet",
        DeviceMode::WallScreen => "wall_screen",
    }
}

fn mode_of(s: &str) -> DeviceMode {
    if s == "wall_screen" {
        DeviceMode::WallScreen
    } else {
        DeviceMode::ApartmentTablet
    }
}

/// A one-time code for enrolling a device into the administrator's unit.
#[utoipa::path(
    post,
    path = "/api/v1/admin/enrollment-codes",
    request_body = NewEnrollmentCode,
    security(("bearer" = [])),
    responses(
        (status = 401, description = "auth.invalid_token: no, a malformed, expired or foreign credential", body = ErrorBody),
        (status = 201, description = "the code, shown once", body = EnrollmentCode),
        (status = 400, description = "request.invalid: apartment missing for a tablet, or given for a wall screen", body = ErrorBody),
        (status = 403, description = "auth.forbidden", body = ErrorBody),
        (status = 404, description = "request.not_found: no such unit in the municipality", body = ErrorBody),
    )
)]
pub async fn create_code(
    State(state): State<AppState>,
    admin: Person,
    ApiJson(body): ApiJson<NewEnrollmentCode>,
) -> ApiResult<(StatusCode, Json<EnrollmentCode>)> {
    admin.require_admin()?;
    let apartment = body
        .apartment
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty());
    match (body.mode, &apartment) {
        (DeviceMode::ApartmentTablet, None) => {
            return Err(ApiError::client(
                ErrorCode::RequestInvalid,
                "an apartment tablet needs its apartment",
            ))
        }
        (DeviceMode::WallScreen, Some(_)) => {
            return Err(ApiError::client(
                ErrorCode::RequestInvalid,
                "a wall screen belongs to the unit, not an apartment",
            ))
        }
        (_, Some(a)) if a.chars().count() > 40 => {
            return Err(ApiError::client(
                ErrorCode::RequestInvalid,
                "the apartment is at most 40 characters",
            ))
        }
        _ => {}
    }
    let unit: Option<(String,)> =
        sqlx::query_as("SELECT id FROM units WHERE id = ?1 AND municipality_code = ?2")
            .bind(&body.unit_id)
            .bind(&admin.municipality_code)
            .fetch_optional(&state.db)
            .await?;
    if unit.is_none() {
        return Err(ApiError::client(ErrorCode::NotFound, "no such unit"));
    }
    let code = secret::enrollment_code();
    let expires_at = Utc::now().timestamp() + CODE_LIFETIME_SECS;
    sqlx::query(
        "INSERT INTO enrollment_codes (code_hash, unit_id, mode, apartment, created_by, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .bind(secret::sha256_hex(
        &omsorg_core::enrollment::normalize(&code).expect("a generated code reads back"),
    ))
    .bind(&body.unit_id)
    .bind(mode_str(body.mode))
    .bind(&apartment)
    .bind(admin.id)
    .bind(expires_at)
    .execute(&state.db)
    .await?;
    tracing::info!(admin = admin.id, unit = %body.unit_id, "enrollment code created");
    Ok((
        StatusCode::CREATED,
        Json(EnrollmentCode {
            code,
            expires_at: crate::db::time_of(expires_at),
        }),
    ))
}

/// Trades a one-time code for the device's credential (once, before expiry).
#[utoipa::path(
    post,
    path = "/api/v1/devices/enroll",
    request_body = Enroll,
    responses(
        (status = 201, description = "enrolled; keep the credential in the keystore", body = Enrolled),
        (status = 400, description = "device.enrollment_invalid: unknown, used or expired code", body = ErrorBody),
    )
)]
pub async fn enroll(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<Enroll>,
) -> ApiResult<(StatusCode, Json<Enrolled>)> {
    let now = Utc::now().timestamp();
    let mut tx = state.db.begin().await?;
    // One statement claims the code, so two devices racing with it cannot both win.
    let claimed: Option<(String, String, Option<String>)> = sqlx::query_as(
        "UPDATE enrollment_codes SET used_at = ?2
         WHERE code_hash = ?1 AND used_at IS NULL AND expires_at > ?2
         RETURNING unit_id, mode, apartment",
    )
    // A code that cannot be one is looked up as nothing: the same refusal.
    .bind(secret::sha256_hex(
        &omsorg_core::enrollment::normalize(&body.code).unwrap_or_default(),
    ))
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((unit_id, mode, apartment)) = claimed else {
        tracing::info!("enrollment refused");
        return Err(ApiError::client(
            ErrorCode::EnrollmentInvalid,
            "unknown, used or expired enrollment code",
        ));
    };
    let device_id = secret::random_token(12);
    let credential = secret::random_token(32);
    sqlx::query(
        "INSERT INTO devices (id, credential_hash, unit_id, mode, apartment, enrolled_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .bind(&device_id)
    .bind(secret::sha256_hex(&credential))
    .bind(&unit_id)
    .bind(&mode)
    .bind(&apartment)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let (unit_name,): (String,) = sqlx::query_as("SELECT name FROM units WHERE id = ?1")
        .bind(&unit_id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!(device = %device_id, unit = %unit_id, "device enrolled");
    Ok((
        StatusCode::CREATED,
        Json(Enrolled {
            device: DeviceInfo {
                device_id,
                mode: mode_of(&mode),
                unit: UnitRef {
                    id: unit_id,
                    name: unit_name,
                },
                apartment,
            },
            credential,
        }),
    ))
}

async fn info(state: &AppState, device: Device) -> ApiResult<DeviceInfo> {
    let (name,): (String,) = sqlx::query_as("SELECT name FROM units WHERE id = ?1")
        .bind(&device.unit_id)
        .fetch_one(&state.db)
        .await?;
    Ok(DeviceInfo {
        device_id: device.id,
        mode: mode_of(&device.mode),
        unit: UnitRef {
            id: device.unit_id,
            name,
        },
        apartment: device.apartment,
    })
}

/// The calling device: what it is and where (for its idle screen).
#[utoipa::path(
    get,
    path = "/api/v1/devices/current",
    security(("device" = [])),
    responses(
        (status = 200, description = "the device", body = DeviceInfo),
        (status = 401, description = "device.not_enrolled: unknown or revoked", body = ErrorBody),
    )
)]
pub async fn current(State(state): State<AppState>, device: Device) -> ApiResult<Json<DeviceInfo>> {
    Ok(Json(info(&state, device).await?))
}

/// The units an administrator may enroll devices into: their municipality's.
#[utoipa::path(
    get,
    path = "/api/v1/admin/units",
    security(("bearer" = [])),
    responses(
        (status = 401, description = "auth.invalid_token: no, a malformed, expired or foreign credential", body = ErrorBody),
        (status = 200, description = "the municipality's units, by name", body = UnitList),
        (status = 403, description = "auth.forbidden", body = ErrorBody),
    )
)]
pub async fn units(State(state): State<AppState>, admin: Person) -> ApiResult<Json<UnitList>> {
    admin.require_admin()?;
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT id, name FROM units WHERE municipality_code = ?1 ORDER BY name")
            .bind(&admin.municipality_code)
            .fetch_all(&state.db)
            .await?;
    Ok(Json(UnitList {
        units: rows
            .into_iter()
            .map(|(id, name)| UnitRef { id, name })
            .collect(),
    }))
}

/// The device gives up its own enrollment (an administrator chose "Afmeld
/// enheden" on it); its credential and sessions end at once.
#[utoipa::path(
    delete,
    path = "/api/v1/devices/current",
    security(("device" = [])),
    responses(
        (status = 204, description = "un-enrolled"),
        (status = 401, description = "device.not_enrolled", body = ErrorBody),
    )
)]
pub async fn unenroll(State(state): State<AppState>, device: Device) -> ApiResult<StatusCode> {
    end_device(&state, &device.id, None).await?;
    tracing::info!(device = %device.id, "device un-enrolled itself");
    Ok(StatusCode::NO_CONTENT)
}

/// Revokes the device (within `municipality`, when given) and ends its
/// sessions, in one transaction. `false` when there was no such device.
async fn end_device(
    state: &AppState,
    device_id: &str,
    municipality: Option<&str>,
) -> ApiResult<bool> {
    let now = Utc::now().timestamp();
    let mut tx = state.db.begin().await?;
    let done = sqlx::query(
        "UPDATE devices SET revoked_at = ?3
         WHERE id = ?1 AND revoked_at IS NULL
           AND (?2 IS NULL OR unit_id IN (SELECT id FROM units WHERE municipality_code = ?2))",
    )
    .bind(device_id)
    .bind(municipality)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE shared_sessions SET ended_at = ?2 WHERE device_id = ?1 AND ended_at IS NULL",
    )
    .bind(device_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Revokes a device in the administrator's municipality and ends its sessions.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/devices/{device_id}",
    params(("device_id" = String, Path, description = "the device")),
    security(("bearer" = [])),
    responses(
        (status = 401, description = "auth.invalid_token: no, a malformed, expired or foreign credential", body = ErrorBody),
        (status = 204, description = "revoked"),
        (status = 403, description = "auth.forbidden", body = ErrorBody),
        (status = 404, description = "request.not_found", body = ErrorBody),
    )
)]
pub async fn revoke(
    State(state): State<AppState>,
    admin: Person,
    Path(device_id): Path<String>,
) -> ApiResult<StatusCode> {
    admin.require_admin()?;
    if !end_device(&state, &device_id, Some(&admin.municipality_code)).await? {
        return Err(ApiError::client(ErrorCode::NotFound, "no such device"));
    }
    tracing::info!(admin = admin.id, device = %device_id, "device revoked");
    Ok(StatusCode::NO_CONTENT)
}

/// This area's operations, each registered from its annotation (so what is
/// served and what `/api/openapi.json` says are one list).
pub fn router() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(create_code))
        .routes(routes!(revoke))
        .routes(routes!(enroll))
        .routes(routes!(current, unenroll))
        .routes(routes!(units))
}
