use axum::extract::State;
use axum::Json;
use omsorg_core::api::{Municipality, MunicipalityList};

use crate::error::ApiResult;
use crate::AppState;

/// Municipalities with KOMBIT login enabled, sorted by name.
#[utoipa::path(
    get,
    path = "/api/v1/municipalities",
    responses((status = 200, description = "municipalities with login enabled", body = MunicipalityList))
)]
pub async fn list_municipalities(
    State(state): State<AppState>,
) -> ApiResult<Json<MunicipalityList>> {
    let rows: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT code, name, issuer, hint FROM municipalities WHERE login_enabled ORDER BY name",
    )
    .fetch_all(&state.db)
    .await?;
    let municipalities = rows
        .into_iter()
        .map(|(code, name, issuer, hint)| Municipality {
            code,
            name,
            issuer,
            hint,
        })
        .collect();
    Ok(Json(MunicipalityList { municipalities }))
}

/// This area's operations, each registered from its annotation (so what is
/// served and what `/api/openapi.json` says are one list).
pub fn router() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new().routes(routes!(list_municipalities))
}
