//! The audit log for administrators of their own municipality: filtered
//! by actor, action, subject and days, a page at a time, and exported as
//! CSV or XLSX. Reading it and exporting it are audited themselves.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use chrono::NaiveDate;
use omsorg_core::api::{AuditPage, AuditQuery, ExportFormat};
use omsorg_core::{ErrorBody, ErrorCode};

use crate::audit_log::{self, Filter};
use crate::auth::Person;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::export::Table;
use crate::{db, AppState};

/// Rows per page.
pub const PAGE: i64 = 50;
/// Rows per export at most (a longer period is exported in parts).
pub const EXPORT_MAX: i64 = 10_000;
/// A filter's text is at most this long.
const FILTER_MAX_CHARS: usize = 100;

fn invalid(message: &str) -> ApiError {
    ApiError::client(ErrorCode::RequestInvalid, message)
}

/// A filter's day as typed (YYYY-MM-DD, Danish time) as its [start, end)
/// in seconds; blank: none; anything else a clear 400 naming `name`.
pub(crate) fn day(raw: &str, name: &str) -> ApiResult<Option<(i64, i64)>> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .ok()
        .and_then(crate::routes::declarations::danish_day)
        .map(Some)
        .ok_or_else(|| invalid(&format!("{name} is YYYY-MM-DD")))
}

/// The query as a checked filter of the administrator's municipality.
fn filter<'a>(admin: &'a Person, q: &'a AuditQuery) -> ApiResult<Filter<'a>> {
    for (name, text) in [
        ("actor", &q.actor),
        ("action", &q.action),
        ("subject", &q.subject),
    ] {
        if text.chars().count() > FILTER_MAX_CHARS || text.chars().any(char::is_control) {
            return Err(invalid(&format!(
                "{name} is at most 100 characters of text"
            )));
        }
    }
    let from = day(&q.from, "from")?.map_or(i64::MIN, |(start, _)| start);
    let to = day(&q.to, "to")?.map_or(i64::MAX, |(_, end)| end);
    if from >= to {
        return Err(invalid("from is after to"));
    }
    Ok(Filter {
        municipality: &admin.municipality_code,
        actor: &q.actor,
        action: &q.action,
        subject: &q.subject,
        from,
        to,
        before: q.before.unwrap_or(i64::MAX),
    })
}

/// Which filters were given, for the audit row of a read (never a name).
fn given(q: &AuditQuery) -> String {
    let mut said: Vec<String> = [
        ("actor", &q.actor),
        ("action", &q.action),
        ("subject", &q.subject),
    ]
    .into_iter()
    .filter(|(_, v)| !v.trim().is_empty())
    .map(|(k, _)| k.to_string())
    .collect();
    for (k, v) in [("from", &q.from), ("to", &q.to)] {
        if !v.trim().is_empty() {
            said.push(format!("{k} {}", v.trim()));
        }
    }
    if said.is_empty() {
        "all".into()
    } else {
        said.join(", ")
    }
}

/// A page of the municipality's audit log, newest first.
#[utoipa::path(
    post,
    path = "/api/v1/admin/audit/search",
    request_body = AuditQuery,
    security(("bearer" = [])),
    responses(
        (status = 401, description = "auth.invalid_token: no, a malformed, expired or foreign credential", body = ErrorBody),
        (status = 200, description = "at most 50 rows, newest first", body = AuditPage),
        (status = 400, description = "request.invalid: a day is not YYYY-MM-DD, from is after to, or a filter is too long", body = ErrorBody),
        (status = 403, description = "auth.forbidden: administrators only", body = ErrorBody),
    )
)]
pub async fn search(
    State(state): State<AppState>,
    admin: Person,
    ApiJson(q): ApiJson<AuditQuery>,
) -> ApiResult<Json<AuditPage>> {
    admin.require_admin()?;
    let f = filter(&admin, &q)?;
    let mut entries = audit_log::search(&state.db, &f, PAGE + 1).await?;
    let more = entries.len() > usize::try_from(PAGE).unwrap_or(50);
    entries.truncate(usize::try_from(PAGE).unwrap_or(50));
    let next_before = more.then(|| entries.last().map(|e| e.id)).flatten();
    let subject = format!("{} ({} rows)", given(&q), entries.len());
    db::audit(&state.db, Some(admin.id), "audit.read", &subject).await?;
    Ok(Json(AuditPage {
        entries,
        next_before,
    }))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct FormatQuery {
    /// `csv` (the default) or `xlsx`.
    #[serde(default)]
    pub format: ExportFormat,
}

/// The matching rows as a file: time (Danish), user ID, name, action,
/// subject; at most 10 000, newest first.
#[utoipa::path(
    post,
    path = "/api/v1/admin/audit/export",
    params(FormatQuery),
    request_body = AuditQuery,
    security(("bearer" = [])),
    responses(
        (status = 401, description = "auth.invalid_token: no, a malformed, expired or foreign credential", body = ErrorBody),
        (status = 200, description = "the file (text/csv or an XLSX workbook)", content_type = "application/octet-stream"),
        (status = 400, description = "request.invalid: a filter, or the format", body = ErrorBody),
        (status = 403, description = "auth.forbidden: administrators only", body = ErrorBody),
    )
)]
pub async fn export(
    State(state): State<AppState>,
    admin: Person,
    format: Result<Query<FormatQuery>, axum::extract::rejection::QueryRejection>,
    ApiJson(q): ApiJson<AuditQuery>,
) -> ApiResult<impl IntoResponse> {
    admin.require_admin()?;
    let Query(FormatQuery { format }) = format.map_err(|e| invalid(&e.body_text()))?;
    let f = filter(&admin, &q)?;
    let entries = audit_log::search(&state.db, &f, EXPORT_MAX).await?;
    let table = Table {
        headers: &["tidspunkt", "bruger_id", "navn", "handling", "emne"],
        rows: entries
            .iter()
            .map(|e| {
                let (user_id, name) = e
                    .actor
                    .as_ref()
                    .map(|a| (a.user_id.clone(), a.name.clone()))
                    .unwrap_or_default();
                vec![
                    omsorg_core::danish_time::iso_local(e.at),
                    user_id,
                    name,
                    e.action.clone(),
                    e.subject.clone(),
                ]
            })
            .collect(),
    };
    let bytes = table.render(format)?;
    let subject = format!(
        "{} ({} rows, {})",
        given(&q),
        entries.len(),
        format.as_str()
    );
    db::audit(&state.db, Some(admin.id), "audit.exported", &subject).await?;
    Ok(([(header::CONTENT_TYPE, format.media_type())], bytes))
}

/// This area's operations, each registered from its annotation.
pub fn router() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(search))
        .routes(routes!(export))
}
