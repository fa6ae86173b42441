//! The OpenAPI document, generated from the handlers' annotations.

use axum::Json;
use omsorg_core::api::{Me, Municipality, MunicipalityList, Role, UnitRef};
use omsorg_core::{ErrorBody, ErrorCode};
use utoipa::OpenApi;

use crate::routes::{__path_get_me, __path_healthz, __path_list_municipalities};

#[derive(OpenApi)]
#[openapi(
    info(title = "Omsorg API", version = "1"),
    paths(healthz, list_municipalities, get_me),
    components(schemas(
        Municipality,
        MunicipalityList,
        Me,
        Role,
        UnitRef,
        ErrorBody,
        ErrorCode
    ))
)]
pub struct ApiDoc;

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
