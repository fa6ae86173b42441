//! Per-area routers merged into one.

mod admin;
mod health;
mod me;
mod municipalities;
mod pin;

use axum::routing::get;
use axum::Router;
use omsorg_core::ErrorCode;

use crate::error::ApiError;
use crate::AppState;

pub use admin::__path_reset_pin;
pub use health::__path_healthz;
pub use me::__path_get_me;
pub use municipalities::__path_list_municipalities;
pub use pin::{__path_set_pin, __path_verify_pin};

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
        .fallback(|| async { ApiError::client(ErrorCode::NotFound, "no such resource") })
        .method_not_allowed_fallback(|| async {
            ApiError::client(ErrorCode::MethodNotAllowed, "method not allowed here")
        })
}
