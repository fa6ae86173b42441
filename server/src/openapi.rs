//! The OpenAPI document, generated from the handlers' annotations.

use axum::Json;
use omsorg_core::api::{Me, Municipality, MunicipalityList, Role, SetPin, UnitRef, VerifyPin};
use omsorg_core::{ErrorBody, ErrorCode};
use utoipa::OpenApi;

use crate::routes::{
    __path_get_me, __path_healthz, __path_list_municipalities, __path_reset_pin, __path_set_pin,
    __path_verify_pin,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "Omsorg API", version = "1"),
    paths(healthz, list_municipalities, get_me, set_pin, verify_pin, reset_pin),
    components(schemas(
        Municipality,
        MunicipalityList,
        Me,
        Role,
        UnitRef,
        SetPin,
        VerifyPin,
        ErrorBody,
        ErrorCode
    ))
)]
pub struct ApiDoc;

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
