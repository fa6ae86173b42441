//! Reading the audit log: a municipality's rows, filtered, newest first.
//! (Rows are written by `db::audit` and `db::audit_in`.)

use omsorg_core::api::{AuditActor, AuditEntry};
use sqlx::AnyPool;

/// The filters as stored values (blank: no filter).
pub struct Filter<'a> {
    pub municipality: &'a str,
    /// A user ID, or part of a name.
    pub actor: &'a str,
    /// An action or its beginning.
    pub action: &'a str,
    /// Part of the subject.
    pub subject: &'a str,
    /// [from, to) in seconds.
    pub from: i64,
    pub to: i64,
    /// Only rows with a smaller ID.
    pub before: i64,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    at: i64,
    action: String,
    subject: String,
    user_id: Option<String>,
    name: Option<String>,
}

/// At most `limit` rows matching `f`, newest first.
pub async fn search(db: &AnyPool, f: &Filter<'_>, limit: i64) -> sqlx::Result<Vec<AuditEntry>> {
    let actor = f.actor.trim();
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT a.id, a.at, a.action, a.subject, p.user_id, p.name
         FROM audit_log a LEFT JOIN people p ON p.id = a.actor_id
         WHERE a.municipality_code = $1
           AND ($2 = '' OR lower(p.user_id) = lower($2) OR lower(p.name) LIKE $3 ESCAPE '\\')
           AND ($4 = '' OR a.action LIKE $5 ESCAPE '\\')
           AND ($6 = '' OR lower(a.subject) LIKE $7 ESCAPE '\\')
           AND a.at >= $8 AND a.at < $9 AND a.id < $10
         ORDER BY a.id DESC LIMIT $11",
    )
    .bind(f.municipality)
    .bind(actor)
    .bind(crate::db::like_pattern(actor))
    .bind(f.action.trim())
    .bind(crate::db::like_prefix(f.action))
    .bind(f.subject.trim())
    .bind(crate::db::like_pattern(f.subject))
    .bind(f.from)
    .bind(f.to)
    .bind(f.before)
    .bind(limit)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| AuditEntry {
            id: r.id,
            at: crate::db::time_of(r.at),
            actor: r
                .user_id
                .zip(r.name)
                .map(|(user_id, name)| AuditActor { user_id, name }),
            action: r.action,
            subject: r.subject,
        })
        .collect())
}
