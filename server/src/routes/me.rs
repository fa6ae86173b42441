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

/// The person as `Me` (also the answer to a shared-device login). One
/// read: the units their privileges cover, the one they act for among them
/// with its period policy; the acting unit is read on its own only when it
/// is not among them.
pub async fn me_of(state: &AppState, person: Person) -> ApiResult<Me> {
    #[derive(sqlx::FromRow, Clone)]
    struct UnitRow {
        id: String,
        name: String,
        #[sqlx(try_from = "crate::db::Flag")]
        may_order_substitutes: bool,
        default_days: i64,
        max_days: i64,
    }
    const COLUMNS: &str = "u.id, u.name, u.may_order_substitutes, u.default_days, u.max_days";
    let units: Vec<UnitRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM person_units pu JOIN units u ON u.id = pu.unit_id
         WHERE pu.person_id = $1 ORDER BY u.parent_id IS NOT NULL, u.name, u.id"
    ))
    .bind(person.id)
    .fetch_all(&state.db)
    .await?;
    let acting = match &person.unit_id {
        Some(id) => match units.iter().find(|u| &u.id == id) {
            Some(unit) => Some(unit.clone()),
            None => {
                sqlx::query_as(&format!("SELECT {COLUMNS} FROM units u WHERE u.id = $1"))
                    .bind(id)
                    .fetch_optional(&state.db)
                    .await?
            }
        },
        None => None,
    };
    let unit_may_order = acting.as_ref().is_some_and(|u| u.may_order_substitutes);
    let period = acting.as_ref().map_or_else(Default::default, |u| {
        crate::units::policy_of(u.default_days, u.max_days)
    });
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
        unit: acting.map(|u| UnitRef {
            id: u.id,
            name: u.name,
        }),
        units: units
            .into_iter()
            .map(|u| UnitRef {
                id: u.id,
                name: u.name,
            })
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
