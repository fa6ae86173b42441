use axum::extract::State;
use axum::Json;
use omsorg_core::api::{Me, Role, UnitRef};
use omsorg_core::ErrorBody;

use crate::auth::Person;
use crate::error::ApiResult;
use crate::AppState;

/// The signed-in person: user ID, name, unit, roles, whether a PIN is set,
/// and whether they may order substitute access.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the signed-in person", body = Me),
        (status = 401, description = "auth.invalid_token", body = ErrorBody),
        (status = 403, description = "account.not_provisioned", body = ErrorBody),
    )
)]
pub async fn get_me(State(state): State<AppState>, person: Person) -> ApiResult<Json<Me>> {
    Ok(Json(me_of(&state, person).await?))
}

/// The person as `Me` (also the answer to a shared-device login).
pub async fn me_of(state: &AppState, person: Person) -> ApiResult<Me> {
    let unit: Option<(String, String, crate::db::Flag)> = match &person.unit_id {
        Some(id) => {
            sqlx::query_as("SELECT id, name, may_order_substitutes FROM units WHERE id = $1")
                .bind(id)
                .fetch_optional(&state.db)
                .await?
        }
        None => None,
    };
    let unit_may_order = unit.as_ref().is_some_and(|u| u.2 .0);
    let units: Vec<(String, String)> = sqlx::query_as(
        "SELECT u.id, u.name FROM units u
         WHERE u.id IN (SELECT value FROM json_each($1))
         ORDER BY u.parent_id IS NOT NULL, u.name, u.id",
    )
    .bind(serde_json::json!(person.units).to_string())
    .fetch_all(&state.db)
    .await?;
    let period = crate::units::policy(&state.db, person.unit_id.as_deref()).await?;
    let mut roles = vec![Role::Staff];
    if person.is_orderer {
        roles.push(Role::Orderer);
    }
    if person.is_admin {
        roles.push(Role::Administrator);
    }
    Ok(Me {
        user_id: person.user_id,
        name: person.name,
        municipality_code: person.municipality_code,
        unit: unit.map(|(id, name, _)| UnitRef { id, name }),
        units: units
            .into_iter()
            .map(|(id, name)| UnitRef { id, name })
            .collect(),
        roles,
        has_pin: person.has_pin,
        pin_locked: person.pin_locked,
        may_order_substitutes: omsorg_core::wizard::may_order(
            person.is_orderer,
            unit_may_order,
            person.shared_device.is_some(),
        ),
        pin_min_len: u8::try_from(state.pin_min_len).unwrap_or(u8::MAX),
        period,
    })
}

/// This area's operations, each registered from its annotation (so what is
/// served and what `/api/openapi.json` says are one list).
pub fn router() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new().routes(routes!(get_me))
}
