use axum::extract::State;
use axum::Json;
use omsorg_core::care::CareRecordSettings;
use omsorg_core::{ErrorBody, ErrorCode};

use crate::auth::Person;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// Where the acting unit's care record is and how the app logs in to it
/// (SPEC C5): the municipality's realm at the care record's identity
/// service, the FHIR base and the unit's organization there. The app
/// holds the care record's token itself; the backend never sees it.
#[utoipa::path(
    get,
    path = "/api/v1/care-record",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the acting unit's care record", body = CareRecordSettings),
        (status = 401, description = "auth.invalid_token", body = ErrorBody),
        (status = 403, description = "account.not_provisioned", body = ErrorBody),
        (status = 404, description = "care.not_configured: no care record for the municipality, or no acting unit", body = ErrorBody),
    )
)]
pub async fn care_record(
    State(state): State<AppState>,
    person: Person,
) -> ApiResult<Json<CareRecordSettings>> {
    let none = || {
        ApiError::client(
            ErrorCode::CareRecordNotConfigured,
            "no care record is set up for this unit",
        )
    };
    let unit = person.unit_id.as_deref().ok_or_else(none)?;
    let row: Option<(String, String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT c.issuer, c.client_id, c.resource, c.fhir_base, u.org_uuid
         FROM care_records c JOIN units u ON u.municipality_code = c.municipality_code
         WHERE c.municipality_code = $1 AND u.id = $2",
    )
    .bind(&person.municipality_code)
    .bind(unit)
    .fetch_optional(&state.db)
    .await?;
    let (issuer, client_id, resource, fhir_base, organization) = row.ok_or_else(none)?;
    let organization = organization.ok_or_else(none)?;
    Ok(Json(CareRecordSettings {
        issuer,
        client_id,
        resource,
        fhir_base,
        organization,
    }))
}

pub fn router() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new().routes(routes!(care_record))
}
