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
