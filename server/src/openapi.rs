//! The OpenAPI document, generated from the handlers' annotations.

use axum::Json;
use omsorg_core::api::{Municipality, MunicipalityList};
use omsorg_core::{ErrorBody, ErrorCode};
use utoipa::OpenApi;

use crate::routes::{__path_healthz, __path_list_municipalities};

#[derive(OpenApi)]
#[openapi(
    info(title = "Omsorg API", version = "1"),
    paths(healthz, list_municipalities),
    components(schemas(Municipality, MunicipalityList, ErrorBody, ErrorCode))
)]
pub struct ApiDoc;

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
