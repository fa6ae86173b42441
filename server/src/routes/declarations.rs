//! Administrators find signed declarations (SPEC C4): by name, user ID,
//! unit, date, or the exact CPR number (through its keyed hash; the number
//! itself is never stored in a searchable form). A search by CPR number is
//! audited.

use axum::extract::{Path, State};
use axum::http::{header, HeaderName};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{NaiveDate, TimeZone};
use omsorg_core::api::{DeclarationList, DeclarationQuery, DeclarationSummary};
use omsorg_core::cpr::Cpr;
use omsorg_core::{ErrorBody, ErrorCode};

use crate::auth::Person;
use crate::db::like_pattern;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::{db, secret, AppState};

/// At most this many per answer, newest first.
pub const LIMIT: i64 = 200;

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::client(ErrorCode::RequestInvalid, message)
}

/// The seconds of a Danish calendar day: [start, end).
pub(crate) fn danish_day(date: NaiveDate) -> Option<(i64, i64)> {
    let tz = chrono_tz::Europe::Copenhagen;
    let start = tz
        .from_local_datetime(&date.and_hms_opt(0, 0, 0)?)
        .earliest()?;
    let end = tz
        .from_local_datetime(&date.succ_opt()?.and_hms_opt(0, 0, 0)?)
        .earliest()?;
    Some((start.timestamp(), end.timestamp()))
}

/// The query as stored values: the name as a literal pattern, the day as
/// Danish time, the CPR number as its keyed hash (a malformed one refused).
fn search_of<'a>(
    state: &AppState,
    admin: &'a Person,
    query: &'a DeclarationQuery,
) -> ApiResult<crate::access::repo::Search<'a>> {
    let cpr_search = match query.get("cpr") {
        Some(raw) => Some(state.cpr_vault.search_keys(&Cpr::parse(raw)?)),
        None => None,
    };
    let day = match query.get("date") {
        Some(raw) => Some(
            NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .ok()
                .and_then(danish_day)
                .ok_or_else(|| invalid("date is YYYY-MM-DD"))?,
        ),
        None => None,
    };
    Ok(crate::access::repo::Search {
        municipality: &admin.municipality_code,
        name_like: query.get("name").map(like_pattern),
        user_id: query.get("user_id"),
        unit_id: query.get("unit_id"),
        day,
        cpr_search,
        units: &admin.units,
        limit: LIMIT,
    })
}

fn summary_of(state: &AppState, row: crate::access::repo::AccessRow) -> DeclarationSummary {
    DeclarationSummary {
        cpr_masked: state.cpr_vault.masked(&row.cpr_sealed),
        unit: row.unit(),
        signed_at: db::time_of(row.created_at),
        access_id: row.id,
        substitute_name: row.substitute_name,
        user_id: row.user_id,
        orderer_name: row.orderer_name,
        declaration_version: row.declaration_version,
    }
}

/// Signed declarations in the administrator's municipality. The filters
/// come in the body: a CPR number or a name never appears in a URL.
#[utoipa::path(
    post,
    path = "/api/v1/declarations/search",
    request_body = DeclarationQuery,
    security(("bearer" = [])),
    responses(
        (status = 401, description = "auth.invalid_token: no, a malformed, expired or foreign credential", body = ErrorBody),
        (status = 200, description = "newest first, at most 200", body = DeclarationList),
        (status = 400, description = "request.invalid / cpr.invalid", body = ErrorBody),
        (status = 403, description = "auth.forbidden", body = ErrorBody),
    )
)]
pub async fn search(
    State(state): State<AppState>,
    admin: Person,
    ApiJson(query): ApiJson<DeclarationQuery>,
) -> ApiResult<Json<DeclarationList>> {
    admin.require_admin()?;
    let filters = search_of(&state, &admin, &query)?;
    let rows = crate::access::repo::search(&state.db, &filters).await?;
    // Every search is audited: which filters (never their values) and
    // which records it showed.
    let action = if filters.cpr_search.is_some() {
        "declarations.searched_by_cpr"
    } else {
        "declarations.searched"
    };
    let given: Vec<&str> = query.given().into_iter().map(|(k, _)| k).collect();
    let shown: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let subject = format!(
        "by [{}]: {} found [{}]",
        given.join(","),
        rows.len(),
        shown.join(",")
    );
    db::audit(&state.db, Some(admin.id), action, &subject).await?;
    let declarations = rows.into_iter().map(|r| summary_of(&state, r)).collect();
    Ok(Json(DeclarationList { declarations }))
}

/// The signed declaration as PDF/A. Every view is audited, and the file is
/// checked against the SHA-256 stored when it was made.
#[utoipa::path(
    get,
    path = "/api/v1/declarations/{id}/pdf",
    params(("id" = String, Path, description = "the order (`access_id`)")),
    security(("bearer" = [])),
    responses(
        (status = 401, description = "auth.invalid_token: no, a malformed, expired or foreign credential", body = ErrorBody),
        (status = 200, description = "the PDF", content_type = "application/pdf"),
        (status = 403, description = "auth.forbidden", body = ErrorBody),
        (status = 404, description = "request.not_found: none in the caller's municipality", body = ErrorBody),
    )
)]
pub async fn pdf(
    State(state): State<AppState>,
    admin: Person,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    admin.require_admin()?;
    let row: Option<(String, Option<Vec<u8>>, Option<String>)> = sqlx::query_as(
        "SELECT user_id, declaration_pdf, declaration_sha256 FROM substitute_accesses
         WHERE id = $1 AND municipality_code = $2
           AND unit_id IN (SELECT value FROM json_each($3))",
    )
    .bind(&id)
    .bind(&admin.municipality_code)
    .bind(serde_json::json!(admin.units).to_string())
    .fetch_optional(&state.db)
    .await?;
    let Some((user_id, Some(pdf), Some(sha256))) = row else {
        return Err(ApiError::client(ErrorCode::NotFound, "no such declaration"));
    };
    if secret::sha256_hex_bytes(&pdf) != sha256 {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "declaration {id}: the stored PDF does not match its SHA-256"
        )));
    }
    db::audit(&state.db, Some(admin.id), "declaration.viewed", &id).await?;
    tracing::info!(access = %id, by = admin.id, "declaration PDF viewed");
    let headers = [
        (header::CONTENT_TYPE, "application/pdf".to_string()),
        (
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"tavshedserklaering-{user_id}.pdf\""),
        ),
        (header::CACHE_CONTROL, "no-store".to_string()),
        (HeaderName::from_static("x-content-sha256"), sha256),
    ];
    Ok((headers, pdf).into_response())
}

/// This area's operations, each registered from its annotation (so what is
/// served and what `/api/openapi.json` says are one list).
pub fn router() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(search))
        .routes(routes!(pdf))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[test]
    fn typed_wildcards_are_letters() {
        assert_eq!(like_pattern(" Sofie "), "%sofie%");
        assert_eq!(like_pattern("100%_x"), "%100\\%\\_x%");
    }

    #[test]
    fn a_danish_day_follows_summer_time() {
        let (start, end) = danish_day(NaiveDate::from_ymd_opt(2026, 7, 1).unwrap()).unwrap();
        assert_eq!(end - start, 86_400);
        assert_eq!(
            Utc.timestamp_opt(start, 0).unwrap().to_rfc3339(),
            "2026-06-30T22:00:00+00:00"
        );
        let (s, e) = danish_day(NaiveDate::from_ymd_opt(2026, 3, 29).unwrap()).unwrap();
        assert_eq!(e - s, 23 * 3600, "the day the clocks go forward");
    }
}
