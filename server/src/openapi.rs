//! The OpenAPI document's frame: its title and the shared schemas. The
//! operations come from the routers themselves (`routes::api`), so an
//! operation cannot be served without being documented.

use omsorg_core::api::{
    AddedSubstituteIds, CprLookup, CprPerson, DeclarationList, DeclarationSummary, DeviceInfo,
    DeviceMode, Enroll, Enrolled, EnrollmentCode, ExtendAccess, IdDocument, Me, Municipality,
    MunicipalityList, NewEnrollmentCode, NewSubstituteAccess, NewSubstituteIds, Reservation, Role,
    SetPin, SharedLogin, SharedSession, SubstituteAccessList, SubstituteAccessReceipt,
    SubstituteAccessSummary, SubstituteId, SubstituteIdList, SubstituteIdState, UnitList, UnitRef,
    VerifyPin,
};
use omsorg_core::{ErrorBody, ErrorCode};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Omsorg API", version = "1"),
    components(schemas(
        Municipality,
        MunicipalityList,
        Me,
        Role,
        UnitRef,
        SetPin,
        VerifyPin,
        DeviceMode,
        NewEnrollmentCode,
        EnrollmentCode,
        Enroll,
        Enrolled,
        DeviceInfo,
        UnitList,
        CprLookup,
        CprPerson,
        Reservation,
        NewSubstituteAccess,
        SubstituteAccessReceipt,
        IdDocument,
        DeclarationSummary,
        DeclarationList,
        SubstituteAccessSummary,
        SubstituteAccessList,
        ExtendAccess,
        SubstituteId,
        SubstituteIdList,
        SubstituteIdState,
        NewSubstituteIds,
        AddedSubstituteIds,
        SharedLogin,
        SharedSession,
        ErrorBody,
        ErrorCode
    ))
)]
pub struct ApiDoc;

/// The document as served: every operation that takes a KOMBIT bearer
/// token also lists `503 auth.provider_unavailable` (no signing key can be
/// had from the identity provider: an outage, never a bad token), which
/// any of them may answer, so it is added here once rather than to each.
pub fn served(doc: &utoipa::openapi::OpenApi) -> serde_json::Value {
    let mut json = serde_json::to_value(doc).expect("the document serializes");
    let outage = serde_json::json!({
        "description": "auth.provider_unavailable: the identity provider's keys cannot be had \
                        (an outage, not a bad token); try again later",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    });
    let paths = json["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|p| p.values_mut());
    for operation in paths.flat_map(|item| {
        item.as_object_mut()
            .into_iter()
            .flat_map(|i| i.values_mut())
    }) {
        let bearer = operation["security"]
            .as_array()
            .is_some_and(|reqs| reqs.iter().any(|r| r.get("bearer").is_some()));
        if let (true, Some(responses)) = (bearer, operation["responses"].as_object_mut()) {
            responses.insert("503".into(), outage.clone());
        }
    }
    json
}
