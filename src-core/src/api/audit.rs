//! The audit log as administrators read it, and exports of it (and of
//! orders) as files.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// `POST /api/v1/admin/audit/search` and `…/export`: which rows. Blank
/// fields are no filter. A body, never a query string: an actor's name
/// must not end up in a URL (and so in logs).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct AuditQuery {
    /// The acting person's user ID, or part of their name (any case).
    pub actor: String,
    /// The action or its beginning: `pin.reset`, `device.`.
    pub action: String,
    /// Part of the subject (a user ID, a device, a unit).
    pub subject: String,
    /// From this day (YYYY-MM-DD, Danish time), inclusive.
    pub from: String,
    /// To this day (YYYY-MM-DD, Danish time), inclusive.
    pub to: String,
    /// Only rows older than this one (the previous page's `next_before`).
    pub before: Option<i64>,
}

/// Who did it, when a person did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditActor {
    pub user_id: String,
    pub name: String,
}

/// One row of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// None: no person acted (a device, a job, KOMBIT's provisioning).
    pub actor: Option<AuditActor>,
    pub action: String,
    pub subject: String,
}

/// A page of the audit log, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// There is more: ask again with this as `before`.
    pub next_before: Option<i64>,
}

/// An export's file format (`?format=`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// RFC 4180, UTF-8, a header row.
    #[default]
    Csv,
    /// An Excel workbook with one sheet.
    Xlsx,
}

impl ExportFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
        }
    }

    /// The answer's `Content-Type`.
    pub fn media_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        }
    }
}
