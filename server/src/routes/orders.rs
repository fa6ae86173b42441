//! Orders for administrators of their units: by unit, state and period, a
//! page at a time (ending and extending use the orders' own operations),
//! and exported for statistics without CPR numbers.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use omsorg_core::api::{OrderPage, OrderQuery};
use omsorg_core::{ErrorBody, ErrorCode};

use crate::access::repo::{self, UnitOrders};
use crate::auth::Person;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::export::Table;
use crate::routes::audit::FormatQuery;
use crate::{db, AppState};

/// Orders per page.
pub const PAGE: i64 = 50;
/// Orders per export at most.
pub const EXPORT_MAX: i64 = 10_000;

fn invalid(message: &str) -> ApiError {
    ApiError::client(ErrorCode::RequestInvalid, message)
}

/// The query as a filter of the administrator's units; a unit that is not
/// theirs finds nothing (404, as for no unit).
fn filter<'a>(
    admin: &'a Person,
    q: &'a OrderQuery,
    limit: i64,
    offset: i64,
) -> ApiResult<UnitOrders<'a>> {
    let unit_id = q.unit_id.trim();
    if !unit_id.is_empty() && !admin.units.iter().any(|u| u == unit_id) {
        return Err(ApiError::client(ErrorCode::NotFound, "no such unit"));
    }
    let from = crate::routes::audit::day(&q.from, "from")?.map_or(i64::MIN, |(start, _)| start);
    let to = crate::routes::audit::day(&q.to, "to")?.map_or(i64::MAX, |(_, end)| end);
    if from >= to {
        return Err(invalid("from is after to"));
    }
    Ok(UnitOrders {
        municipality: &admin.municipality_code,
        units: &admin.units,
        unit_id,
        state: q.state.map_or("", |s| s.as_str()),
        from,
        to,
        limit,
        offset,
    })
}

/// A page of the orders placed for the administrator's units, newest first.
#[utoipa::path(
    post,
    path = "/api/v1/admin/orders/search",
    request_body = OrderQuery,
    security(("bearer" = [])),
    responses(
        (status = 401, description = "auth.invalid_token: no, a malformed, expired or foreign credential", body = ErrorBody),
        (status = 200, description = "at most 50 orders, newest first, CPR numbers masked", body = OrderPage),
        (status = 400, description = "request.invalid: a day is not YYYY-MM-DD, or from is after to", body = ErrorBody),
        (status = 403, description = "auth.forbidden: administrators only", body = ErrorBody),
        (status = 404, description = "request.not_found: not one of the administrator's units", body = ErrorBody),
    )
)]
pub async fn search(
    State(state): State<AppState>,
    admin: Person,
    ApiJson(q): ApiJson<OrderQuery>,
) -> ApiResult<Json<OrderPage>> {
    admin.require_admin()?;
    let offset = i64::from(q.page) * PAGE;
    let f = filter(&admin, &q, PAGE + 1, offset)?;
    let mut rows = repo::unit_orders(&state.db, &f).await?;
    let more = rows.len() > usize::try_from(PAGE).unwrap_or(50);
    rows.truncate(usize::try_from(PAGE).unwrap_or(50));
    let orders = rows
        .into_iter()
        .map(|r| crate::access::summary(&state, r))
        .collect();
    Ok(Json(OrderPage { orders, more }))
}

/// The matching orders as a file for statistics, without CPR numbers: the
/// order, the substitute's user ID and name, unit, orderer, when ordered,
/// start, end, early end, state. At most 10 000, newest first.
#[utoipa::path(
    post,
    path = "/api/v1/admin/orders/export",
    params(FormatQuery),
    request_body = OrderQuery,
    security(("bearer" = [])),
    responses(
        (status = 401, description = "auth.invalid_token: no, a malformed, expired or foreign credential", body = ErrorBody),
        (status = 200, description = "the file (text/csv or an XLSX workbook)", content_type = "application/octet-stream"),
        (status = 400, description = "request.invalid: a filter, or the format", body = ErrorBody),
        (status = 403, description = "auth.forbidden: administrators only", body = ErrorBody),
        (status = 404, description = "request.not_found: not one of the administrator's units", body = ErrorBody),
    )
)]
pub async fn export(
    State(state): State<AppState>,
    admin: Person,
    format: Result<Query<FormatQuery>, axum::extract::rejection::QueryRejection>,
    ApiJson(q): ApiJson<OrderQuery>,
) -> ApiResult<impl IntoResponse> {
    admin.require_admin()?;
    let format = format.map_err(|e| invalid(&e.body_text()))?.0.format;
    let f = filter(&admin, &q, EXPORT_MAX, 0)?;
    let rows = repo::unit_orders(&state.db, &f).await?;
    let moment = |t: i64| omsorg_core::danish_time::iso_local(db::time_of(t));
    let table = Table {
        headers: &[
            "bestilling",
            "vikar_bruger_id",
            "vikar_navn",
            "enhed",
            "bestilt_af",
            "bestilt",
            "start",
            "slut",
            "afsluttet",
            "tilstand",
            "vikarbureau",
        ],
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.id.clone(),
                    r.user_id.clone(),
                    r.substitute_name.clone(),
                    r.unit_name.clone().unwrap_or_default(),
                    r.orderer_name.clone(),
                    moment(r.created_at),
                    moment(r.starts_at),
                    moment(r.ends_at),
                    r.ended_at.map(moment).unwrap_or_default(),
                    crate::access::state_of(r).as_str().to_string(),
                    r.agency.clone().unwrap_or_default(),
                ]
            })
            .collect(),
    };
    let bytes = table.render(format)?;
    let subject = format!("{} orders, {}", rows.len(), format.as_str());
    db::audit(&state.db, Some(admin.id), "orders.exported", &subject).await?;
    Ok(([(header::CONTENT_TYPE, format.media_type())], bytes))
}

/// This area's operations, each registered from its annotation.
pub fn router() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(search))
        .routes(routes!(export))
}
