//! Per-area routers merged into one.

pub(crate) mod accesses;
mod admin;
pub(crate) mod audit;
mod care_record;
mod cpr;
pub(crate) mod declarations;
mod devices;
mod health;
pub(crate) mod me;
mod municipalities;
mod orders;
mod pin;
pub mod shared;
pub(crate) mod substitute_ids;

use axum::routing::get;
use axum::Router;
use omsorg_core::ErrorCode;

use crate::error::ApiError;
use crate::AppState;

/// Every operation of the API, area by area, with its OpenAPI document.
pub fn api() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa::OpenApi;
    utoipa_axum::router::OpenApiRouter::with_openapi(crate::openapi::ApiDoc::openapi())
        .merge(health::router())
        .merge(municipalities::router())
        .merge(me::router())
        .merge(pin::router())
        .merge(admin::router())
        .merge(audit::router())
        .merge(devices::router())
        .merge(cpr::router())
        .merge(declarations::router())
        .merge(accesses::router())
        .merge(orders::router())
        .merge(substitute_ids::router())
        .merge(shared::router())
        .merge(care_record::router())
}

/// The served API: every documented operation, the document itself, and
/// JSON answers for unknown paths and methods.
pub fn router() -> Router<AppState> {
    let (router, doc) = api().split_for_parts();
    let doc = std::sync::Arc::new(crate::openapi::served(&doc));
    router
        .route(
            "/api/openapi.json",
            get(move || {
                let doc = doc.clone();
                async move { axum::Json(doc.as_ref().clone()) }
            }),
        )
        .fallback(|| async { ApiError::client(ErrorCode::NotFound, "no such resource") })
        .method_not_allowed_fallback(|| async {
            ApiError::client(ErrorCode::MethodNotAllowed, "method not allowed here")
        })
}

#[cfg(test)]
mod tests {
    /// Operations are registered only from their annotations (`routes!`),
    /// so a path cannot be served without `/api/openapi.json` listing it;
    /// the one plain `.route(` serves the document itself. (The API test
    /// `every_operation_answers_only_statuses_its_document_lists` checks
    /// the statuses and the methods from outside.)
    #[test]
    fn routes_are_added_only_from_their_annotations() {
        fn sources(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    sources(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    out.push((path.display().to_string(), text));
                }
            }
        }
        let mut files = Vec::new();
        sources(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        let plain: Vec<String> = files
            .iter()
            .flat_map(|(name, text)| {
                text.lines()
                    .filter(|l| l.trim_start().starts_with(".route("))
                    .map(move |l| format!("{name}: {}", l.trim()))
            })
            .collect();
        assert_eq!(plain.len(), 1, "routes added outside `routes!`: {plain:#?}");
    }
}
