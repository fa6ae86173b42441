//! CPR lookup for the substitute wizard (SPEC C4, step 2). The number is
//! never logged, not even masked; the answer shows it masked.

use axum::extract::State;
use axum::Json;
use omsorg_core::api::{CprLookup, CprPerson};
use omsorg_core::cpr::Cpr;
use omsorg_core::{ErrorBody, ErrorCode};

use crate::auth::Person;
use crate::cpr_lookups::{self, Outcome};
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::{cpr_register, returning, AppState};

/// Looks a substitute up in the CPR register, for the orderer to confirm.
#[utoipa::path(
    post,
    path = "/api/v1/cpr/lookup",
    request_body = CprLookup,
    security(("bearer" = []), ("shared" = [])),
    responses(
        (status = 401, description = "auth.invalid_token: no, a malformed, expired or foreign credential", body = ErrorBody),
        (status = 200, description = "the person, with the number masked, and whether they were a substitute here before", body = CprPerson),
        (status = 400, description = "cpr.invalid: not DDMMYY-SSSS with a real date", body = ErrorBody),
        (status = 403, description = "auth.forbidden: may not order substitutes", body = ErrorBody),
        (status = 404, description = "cpr.not_found", body = ErrorBody),
        (status = 429, description = "cpr.too_many_lookups: 20 in 10 minutes per orderer, with Retry-After", body = ErrorBody),
        (status = 503, description = "cpr.register_unavailable", body = ErrorBody),
    )
)]
pub async fn lookup(
    State(state): State<AppState>,
    person: Person,
    ApiJson(body): ApiJson<CprLookup>,
) -> ApiResult<Json<CprPerson>> {
    person.require_orderer(&state.db).await?;
    let cpr = Cpr::parse(&body.cpr)?;
    // Audited and counted before the register is asked.
    let key = state.cpr_vault.search_key(&cpr);
    let now = chrono::Utc::now().timestamp();
    let audit = cpr_lookups::admit(&state.db, person.id, &key, now)
        .await?
        .map_err(|wait| {
            tracing::warn!(orderer = person.id, "CPR lookups throttled");
            ApiError::TooManyLookups(u64::try_from(wait).unwrap_or(1))
        })?;
    let answer = cpr_register::find(state.cpr_register.as_ref(), &cpr).await;
    let outcome = match &answer {
        Ok(_) => Outcome::Found,
        Err(ApiError::Client(ErrorCode::CprNotFound, _)) => Outcome::NotFound,
        Err(_) => Outcome::Unanswered,
    };
    cpr_lookups::record(&state.db, audit, &key, outcome).await?;
    tracing::info!(orderer = person.id, "CPR lookup: {}", outcome.as_str());
    let found = answer?;
    let keys = state.cpr_vault.search_keys(&cpr);
    let returning = returning::find(&state.db, &person.municipality_code, &keys, now).await?;
    Ok(Json(CprPerson {
        name: found.name,
        cpr_masked: cpr.masked(),
        birth_date: cpr.birth_date(),
        returning,
    }))
}

/// This area's operations, each registered from its annotation (so what is
/// served and what `/api/openapi.json` says are one list).
pub fn router() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new().routes(routes!(lookup))
}
