//! Per-area routers merged into one.

pub(crate) mod accesses;
mod admin;
mod cpr;
mod declarations;
mod devices;
mod health;
pub(crate) mod me;
mod municipalities;
mod pin;
pub(crate) mod shared;
pub(crate) mod substitute_ids;

use axum::routing::get;
use axum::Router;
use omsorg_core::ErrorCode;

use crate::error::ApiError;
use crate::AppState;

pub use accesses::{
    __path_create as __path_create_substitute_access, __path_end as __path_end_substitute_access,
    __path_extend as __path_extend_substitute_access,
    __path_list as __path_list_substitute_accesses,
};
pub use admin::__path_reset_pin;
pub use cpr::__path_lookup as __path_cpr_lookup;
pub use declarations::__path_pdf as __path_declaration_pdf;
pub use declarations::__path_search as __path_search_declarations;
pub use devices::{
    __path_create_code, __path_current, __path_enroll, __path_revoke, __path_unenroll, __path_units,
};
pub use health::__path_healthz;
pub use me::__path_get_me;
pub use municipalities::__path_list_municipalities;
pub use pin::{__path_set_pin, __path_verify_pin};
pub use shared::{__path_login, __path_logout};
pub use substitute_ids::{
    __path_add as __path_add_substitute_ids, __path_list as __path_list_substitute_ids,
    __path_reserve as __path_reserve_substitute_id,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/api/openapi.json", get(crate::openapi::document))
        .route(
            "/api/v1/municipalities",
            get(municipalities::list_municipalities),
        )
        .route("/api/v1/me", get(me::get_me))
        .route("/api/v1/me/pin", axum::routing::put(pin::set_pin))
        .route(
            "/api/v1/me/pin/verify",
            axum::routing::post(pin::verify_pin),
        )
        .route(
            "/api/v1/admin/people/{user_id}/pin",
            axum::routing::delete(admin::reset_pin),
        )
        .route(
            "/api/v1/admin/enrollment-codes",
            axum::routing::post(devices::create_code),
        )
        .route(
            "/api/v1/admin/devices/{device_id}",
            axum::routing::delete(devices::revoke),
        )
        .route(
            "/api/v1/devices/enroll",
            axum::routing::post(devices::enroll),
        )
        .route(
            "/api/v1/devices/current",
            get(devices::current).delete(devices::unenroll),
        )
        .route("/api/v1/admin/units", get(devices::units))
        .route("/api/v1/cpr/lookup", axum::routing::post(cpr::lookup))
        .route("/api/v1/declarations", get(declarations::search))
        .route("/api/v1/declarations/{id}/pdf", get(declarations::pdf))
        .route(
            "/api/v1/substitute-accesses",
            get(accesses::list).post(accesses::create),
        )
        .route(
            "/api/v1/substitute-accesses/{id}/end",
            axum::routing::post(accesses::end),
        )
        .route(
            "/api/v1/substitute-accesses/{id}/extend",
            axum::routing::post(accesses::extend),
        )
        .route(
            "/api/v1/substitute-ids/reservations",
            axum::routing::post(substitute_ids::reserve),
        )
        .route(
            "/api/v1/admin/substitute-ids",
            get(substitute_ids::list).post(substitute_ids::add),
        )
        .route(
            "/api/v1/shared/sessions",
            axum::routing::post(shared::login),
        )
        .route(
            "/api/v1/shared/sessions/current",
            axum::routing::delete(shared::logout),
        )
        .fallback(|| async { ApiError::client(ErrorCode::NotFound, "no such resource") })
        .method_not_allowed_fallback(|| async {
            ApiError::client(ErrorCode::MethodNotAllowed, "method not allowed here")
        })
}
