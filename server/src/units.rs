//! Units as administrators configure them: whether the unit orders
//! substitute access, and its default and longest period (within SPEC's 3
//! and 30 days). The org directory names the units and their managers.

use omsorg_core::period::PeriodPolicy;
use sqlx::AnyPool;

/// The policy of `unit` (SPEC's when there is no unit or no such unit).
pub async fn policy<'e, E>(db: E, unit: Option<&str>) -> sqlx::Result<PeriodPolicy>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let Some(unit) = unit else {
        return Ok(PeriodPolicy::default());
    };
    let row: Option<(i64, i64)> =
        sqlx::query_as("SELECT default_days, max_days FROM units WHERE id = $1")
            .bind(unit)
            .fetch_optional(db)
            .await?;
    Ok(row.map_or_else(Default::default, |(default, max)| policy_of(default, max)))
}

/// A unit's stored days as its policy, or the default when they do not hold.
pub fn policy_of(default_days: i64, max_days: i64) -> PeriodPolicy {
    PeriodPolicy::new(default_days, max_days).unwrap_or_default()
}

/// A unit's settings as the administration screen shows them.
#[derive(sqlx::FromRow)]
pub struct UnitRow {
    pub id: String,
    pub name: String,
    pub parent_id: Option<String>,
    pub manager_name: Option<String>,
    #[sqlx(try_from = "crate::db::Flag")]
    pub may_order_substitutes: bool,
    pub default_days: i64,
    pub max_days: i64,
    /// A JSON array (`groups`).
    pub substitute_groups: String,
}

impl UnitRow {
    /// The unit's template of systems.
    pub fn groups(&self) -> Vec<String> {
        serde_json::from_str(&self.substitute_groups).unwrap_or_default()
    }
}

/// The systems (directory groups) the substitutes of `unit` get now; none
/// without a unit.
pub async fn groups_of<'e, E>(db: E, unit: Option<&str>) -> sqlx::Result<Vec<String>>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let Some(unit) = unit else {
        return Ok(Vec::new());
    };
    let stored: Option<String> =
        sqlx::query_scalar("SELECT substitute_groups FROM units WHERE id = $1")
            .bind(unit)
            .fetch_optional(db)
            .await?;
    Ok(stored
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default())
}

/// The units of `municipality` among `ids`, top-level units first.
pub async fn list(db: &AnyPool, municipality: &str, ids: &[String]) -> sqlx::Result<Vec<UnitRow>> {
    sqlx::query_as(
        "SELECT id, name, parent_id, manager_name, may_order_substitutes, default_days, max_days,
                substitute_groups
         FROM units
         WHERE municipality_code = $1 AND id IN (SELECT value FROM json_each($2))
         ORDER BY parent_id IS NOT NULL, name, id",
    )
    .bind(municipality)
    .bind(serde_json::json!(ids).to_string())
    .fetch_all(db)
    .await
}

/// Sets a unit's settings (its groups too, when given); `false` when it is
/// not a unit of `municipality`.
pub async fn set(
    db: &AnyPool,
    municipality: &str,
    id: &str,
    may_order: bool,
    policy: PeriodPolicy,
    groups: Option<&[String]>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE units SET may_order_substitutes = $3, default_days = $4, max_days = $5,
             substitute_groups = COALESCE($6, substitute_groups)
         WHERE id = $1 AND municipality_code = $2",
    )
    .bind(id)
    .bind(municipality)
    .bind(may_order)
    .bind(policy.default_days)
    .bind(policy.max_days)
    .bind(groups.map(|g| serde_json::json!(g).to_string()))
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The units with these IDs, named, in the order given.
pub async fn names(db: &AnyPool, ids: &[String]) -> sqlx::Result<Vec<omsorg_core::api::UnitRef>> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT id, name FROM units WHERE id IN (SELECT value FROM json_each($1))")
            .bind(serde_json::json!(ids).to_string())
            .fetch_all(db)
            .await?;
    Ok(ids
        .iter()
        .filter_map(|id| {
            rows.iter()
                .find(|(i, _)| i == id)
                .map(|(id, name)| omsorg_core::api::UnitRef {
                    id: id.clone(),
                    name: name.clone(),
                })
        })
        .collect())
}
