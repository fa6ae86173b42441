//! The OpenAPI document, generated from the handlers' annotations.

use axum::Json;
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

use crate::routes::{
    __path_add_substitute_ids, __path_cpr_lookup, __path_create_code,
    __path_create_substitute_access, __path_current, __path_declaration_pdf,
    __path_end_substitute_access, __path_enroll, __path_extend_substitute_access, __path_get_me,
    __path_healthz, __path_list_municipalities, __path_list_substitute_accesses,
    __path_list_substitute_ids, __path_login, __path_logout, __path_reserve_substitute_id,
    __path_reset_pin, __path_revoke, __path_search_declarations, __path_set_pin, __path_unenroll,
    __path_units, __path_verify_pin,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "Omsorg API", version = "1"),
    paths(
        healthz,
        list_municipalities,
        get_me,
        set_pin,
        verify_pin,
        reset_pin,
        create_code,
        enroll,
        current,
        revoke,
        units,
        cpr_lookup,
        reserve_substitute_id,
        create_substitute_access,
        search_declarations,
        declaration_pdf,
        list_substitute_accesses,
        end_substitute_access,
        extend_substitute_access,
        list_substitute_ids,
        add_substitute_ids,
        unenroll,
        login,
        logout
    ),
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

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
