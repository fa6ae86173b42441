//! Shared devices (SPEC C3): an administrator makes a one-time enrollment
//! code; the device trades it for a credential; an administrator can revoke.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use omsorg_core::api::{
    placement, DeviceInfo, DeviceList, Enroll, Enrolled, EnrollmentCode, NewEnrollmentCode,
    UnitList, UnitRef,
};
use omsorg_core::{ErrorBody, ErrorCode};

use crate::auth::{Device, Person};
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::AppState;
use crate::{db, devices, secret};

/// How long an enrollment code can be used.
pub const CODE_LIFETIME_SECS: i64 = 15 * 60;

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
    let apartment = placement(body.mode, body.apartment.as_deref())
        .map_err(|e| ApiError::client(ErrorCode::RequestInvalid, e.to_string()))?;
    if !devices::unit_in(&state.db, &body.unit_id, &admin.municipality_code).await? {
        return Err(ApiError::client(ErrorCode::NotFound, "no such unit"));
    }
    let code = secret::enrollment_code();
    let normalized =
        omsorg_core::enrollment::normalize(&code).expect("a generated code reads back");
    let expires_at = Utc::now().timestamp() + CODE_LIFETIME_SECS;
    let new = devices::NewCode {
        code_hash: secret::sha256_hex(&normalized),
        unit_id: &body.unit_id,
        mode: body.mode,
        apartment: apartment.as_deref(),
        created_by: admin.id,
        expires_at,
    };
    devices::add_code(&state.db, new).await?;
    db::audit(
        &state.db,
        Some(admin.id),
        "enrollment_code.created",
        &body.unit_id,
    )
    .await?;
    tracing::info!(admin = admin.id, unit = %body.unit_id, "enrollment code created");
    let expires_at = crate::db::time_of(expires_at);
    Ok((
        StatusCode::CREATED,
        Json(EnrollmentCode { code, expires_at }),
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
    // A code that cannot be one is looked up as nothing: the same refusal.
    let code_hash =
        secret::sha256_hex(&omsorg_core::enrollment::normalize(&body.code).unwrap_or_default());
    let credential = secret::random_token(32);
    let now = Utc::now().timestamp();
    let enrolled = devices::enroll(&state.db, &code_hash, &credential, now).await?;
    let Some((device, municipality)) = enrolled else {
        tracing::info!("enrollment refused");
        return Err(ApiError::client(
            ErrorCode::EnrollmentInvalid,
            "unknown, used or expired enrollment code",
        ));
    };
    let subject = format!("{} in {}", device.device_id, device.unit.id);
    db::audit_in(&state.db, &municipality, "device.enrolled", &subject).await?;
    tracing::info!(device = %device.device_id, unit = %device.unit.id, "device enrolled");
    Ok((StatusCode::CREATED, Json(Enrolled { device, credential })))
}

async fn info(state: &AppState, device: Device) -> ApiResult<DeviceInfo> {
    Ok(DeviceInfo {
        mode: devices::mode_of(&device.mode),
        unit: UnitRef {
            name: devices::unit_name(&state.db, &device.unit_id).await?,
            id: device.unit_id,
        },
        device_id: device.id,
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
    let units = devices::units_of(&state.db, &admin.municipality_code).await?;
    Ok(Json(UnitList { units }))
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
    let muni = &device.municipality_code;
    db::audit_in(&state.db, muni, "device.unenrolled", &device.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn end_device(
    state: &AppState,
    device_id: &str,
    municipality: Option<&str>,
) -> ApiResult<bool> {
    let now = Utc::now().timestamp();
    Ok(devices::end(&state.db, device_id, municipality, now).await?)
}

/// The municipality's enrolled devices: kind, unit, apartment, who
/// enrolled it and when, when it was last seen, and the identifier its
/// own screen shows.
#[utoipa::path(
    get,
    path = "/api/v1/admin/devices",
    security(("bearer" = [])),
    responses(
        (status = 401, description = "auth.invalid_token: no, a malformed, expired or foreign credential", body = ErrorBody),
        (status = 200, description = "not revoked, by unit and apartment", body = DeviceList),
        (status = 403, description = "auth.forbidden: administrators only", body = ErrorBody),
    )
)]
pub async fn list(State(state): State<AppState>, admin: Person) -> ApiResult<Json<DeviceList>> {
    admin.require_admin()?;
    let devices = devices::list(&state.db, &admin.municipality_code).await?;
    Ok(Json(DeviceList { devices }))
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
    db::audit(&state.db, Some(admin.id), "device.revoked", &device_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// This area's operations, each registered from its annotation (so what is
/// served and what `/api/openapi.json` says are one list).
pub fn router() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(create_code))
        .routes(routes!(list))
        .routes(routes!(revoke))
        .routes(routes!(enroll))
        .routes(routes!(current, unenroll))
        .routes(routes!(units))
}
