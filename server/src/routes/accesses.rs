//! Substitute access over HTTP (SPEC C4, steps 6–7): each handler extracts,
//! calls the access service (`crate::access`) and maps its answer.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use omsorg_core::api::{
    ExtendAccess, NewSubstituteAccess, SubstituteAccessList, SubstituteAccessReceipt,
    SubstituteAccessSummary,
};
use omsorg_core::{ErrorBody, ErrorCode};

use crate::access;
use crate::auth::Person;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::AppState;

/// The `Idempotency-Key` header: 1 to 128 characters, required.
fn idempotency_key(headers: &HeaderMap) -> Result<String, ApiError> {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .unwrap_or_default();
    if key.is_empty() || key.len() > 128 {
        return Err(ApiError::client(
            ErrorCode::RequestInvalid,
            "an Idempotency-Key header of 1 to 128 characters is required",
        ));
    }
    Ok(key.to_string())
}

/// Creates the substitute's access: the reserved user ID goes in use, the
/// account is made with a one-time password, the order is stored with the
/// CPR number sealed and the signature, and an audit record is written.
#[utoipa::path(
    post,
    path = "/api/v1/substitute-accesses",
    request_body = NewSubstituteAccess,
    params(("Idempotency-Key" = String, Header, description = "one per order; a retry with the same key replays the answer")),
    security(("bearer" = []), ("shared" = [])),
    responses(
        (status = 401, description = "auth.invalid_token: no, a malformed, expired or foreign credential", body = ErrorBody),
        (status = 201, description = "created (or replayed)", body = SubstituteAccessReceipt),
        (status = 400, description = "request.invalid / cpr.invalid", body = ErrorBody),
        (status = 403, description = "auth.forbidden: may not order substitutes", body = ErrorBody),
        (status = 404, description = "cpr.not_found", body = ErrorBody),
        (status = 409, description = "reservation.invalid / request.idempotency_mismatch", body = ErrorBody),
        (status = 422, description = "period.too_long / period.in_past", body = ErrorBody),
        (status = 429, description = "the first request with this key is still running", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    person: Person,
    headers: HeaderMap,
    ApiJson(body): ApiJson<NewSubstituteAccess>,
) -> ApiResult<(StatusCode, Json<SubstituteAccessReceipt>)> {
    let key = idempotency_key(&headers)?;
    let receipt = access::order(&state, &person, &key, &body).await?;
    Ok((StatusCode::CREATED, Json(receipt)))
}

/// The caller's own orders; for an administrator, every order of their
/// municipality. Newest first.
#[utoipa::path(
    get,
    path = "/api/v1/substitute-accesses",
    security(("bearer" = []), ("shared" = [])),
    responses(
        (status = 401, description = "auth.invalid_token: no, a malformed, expired or foreign credential", body = ErrorBody),
        (status = 200, description = "orders, CPR numbers masked", body = SubstituteAccessList),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    person: Person,
) -> ApiResult<Json<SubstituteAccessList>> {
    Ok(Json(access::list(&state, &person).await?))
}

/// Ends an access now (the orderer, or an administrator).
#[utoipa::path(
    post,
    path = "/api/v1/substitute-accesses/{id}/end",
    params(("id" = String, Path, description = "the order")),
    security(("bearer" = []), ("shared" = [])),
    responses(
        (status = 401, description = "auth.invalid_token: no, a malformed, expired or foreign credential", body = ErrorBody),
        (status = 200, description = "ended (or already over)", body = SubstituteAccessSummary),
        (status = 404, description = "request.not_found: none the caller may change", body = ErrorBody),
    )
)]
pub async fn end(
    State(state): State<AppState>,
    person: Person,
    Path(id): Path<String>,
) -> ApiResult<Json<SubstituteAccessSummary>> {
    Ok(Json(access::end_now(&state, &person, &id).await?))
}

/// A new end for an active access, within 30 days of its start.
#[utoipa::path(
    post,
    path = "/api/v1/substitute-accesses/{id}/extend",
    params(("id" = String, Path, description = "the order")),
    request_body = ExtendAccess,
    security(("bearer" = []), ("shared" = [])),
    responses(
        (status = 401, description = "auth.invalid_token: no, a malformed, expired or foreign credential", body = ErrorBody),
        (status = 200, description = "the new end", body = SubstituteAccessSummary),
        (status = 404, description = "request.not_found", body = ErrorBody),
        (status = 400, description = "request.invalid: the access is over", body = ErrorBody),
        (status = 422, description = "period.too_long / period.in_past", body = ErrorBody),
    )
)]
pub async fn extend(
    State(state): State<AppState>,
    person: Person,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ExtendAccess>,
) -> ApiResult<Json<SubstituteAccessSummary>> {
    Ok(Json(access::extend(&state, &person, &id, body.end).await?))
}

/// This area's operations, each registered from its annotation (so what is
/// served and what `/api/openapi.json` says are one list).
pub fn router() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(end))
        .routes(routes!(extend))
}
