//! Connection, migrations and the development seed.

use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::SqlitePool;

use crate::config::DevSeed;

pub async fn connect(url: &str) -> anyhow::Result<SqlitePool> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(std::time::Duration::from_secs(5))
        .foreign_keys(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await?;
    // sqlx takes a database lock around migrations, so two instances starting
    // at once apply each migration exactly once.
    sqlx::migrate!("./migrations").run(&pool).await?;
    Ok(pool)
}

/// The dev data's municipalities and people are the only ones a dev seed
/// may find; anything else in the database is real data, which a dev seed
/// (known PINs, a public CPR key) must never be mixed with.
async fn refuse_other_data(db: &SqlitePool) -> anyhow::Result<()> {
    let data = crate::dev_data::get();
    let codes: Vec<&str> = data
        .municipalities
        .iter()
        .map(|m| m.code.as_str())
        .collect();
    let people: Vec<&str> = data.people.iter().map(|p| p.user_id.as_str()).collect();
    let (municipalities, people): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM municipalities
                 WHERE code NOT IN (SELECT value FROM json_each(?1))),
                (SELECT COUNT(*) FROM people WHERE user_id NOT IN (SELECT value FROM json_each(?2)))",
    )
    .bind(serde_json::json!(codes).to_string())
    .bind(serde_json::json!(people).to_string())
    .fetch_one(db)
    .await?;
    if municipalities + people > 0 {
        anyhow::bail!(
            "OMSORG_DEV_SEED refused: the database holds {municipalities} municipalities and \
             {people} people that are not the dev seed's (is this a real database?)"
        );
    }
    Ok(())
}

/// The development data of SPEC.md (`dev_data`): municipalities (with CVR
/// numbers, all trusting the dev IdP) and units (with their org-unit UUIDs,
/// hierarchy and managers), and the substitute user IDs. People are not
/// made here: the backend learns them from their first token, as in
/// production. Idempotent: safe on every start.
pub async fn seed_dev(db: &SqlitePool, seed: &DevSeed) -> anyhow::Result<()> {
    refuse_other_data(db).await?;
    let data = crate::dev_data::get();
    for m in &data.municipalities {
        // (The hint is the code: the dev IdP names the municipality from it.)
        sqlx::query(
            "INSERT INTO municipalities (code, name, issuer, hint, login_enabled, cvr)
             VALUES (?1, ?2, ?3, ?1, ?4, ?5)
             ON CONFLICT (code) DO UPDATE SET name = ?2, issuer = ?3, hint = ?1,
                 login_enabled = ?4, cvr = ?5",
        )
        .bind(&m.code)
        .bind(&m.name)
        .bind(&seed.issuer)
        .bind(m.login_enabled)
        .bind(&m.cvr)
        .execute(db)
        .await?;
    }
    // Parents come before their sub-units in the file.
    for u in &data.units {
        sqlx::query(
            "INSERT INTO units (id, municipality_code, name, manager_name, manager_email,
                                may_order_substitutes, org_uuid, parent_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (id) DO UPDATE SET municipality_code = ?2, name = ?3,
                 manager_name = ?4, manager_email = ?5, may_order_substitutes = ?6,
                 org_uuid = ?7, parent_id = ?8",
        )
        .bind(&u.id)
        .bind(&u.municipality)
        .bind(&u.name)
        .bind(&u.manager)
        .bind(&u.manager_email)
        .bind(u.may_order)
        .bind(&u.uuid)
        .bind(&u.parent)
        .execute(db)
        .await?;
    }
    // People already learnt keep trusting the dev IdP as it runs now.
    sqlx::query("UPDATE people SET issuer = ?1")
        .bind(&seed.issuer)
        .execute(db)
        .await?;
    // Substitute user IDs vik001–vik050 in København's inventory (SPEC dev data).
    for n in 1..=50 {
        sqlx::query(
            "INSERT INTO substitute_ids (user_id, municipality_code, added_at)
             VALUES (?1, '101', strftime('%s', 'now'))
             ON CONFLICT (municipality_code, user_id) DO NOTHING",
        )
        .bind(format!("vik{n:03}"))
        .execute(db)
        .await?;
    }
    Ok(())
}

/// A stored Unix time as a UTC time (0 for a value out of range).
pub fn time_of(ts: i64) -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    chrono::Utc
        .timestamp_opt(ts, 0)
        .single()
        .unwrap_or_default()
}

/// One audit record, now, inside whatever transaction (or pool) is given.
pub async fn audit<'e, E>(
    db: E,
    actor: Option<i64>,
    action: &str,
    subject: &str,
) -> sqlx::Result<()>
where
    E: sqlx::Executor<'e, Database = sqlx::Sqlite>,
{
    sqlx::query("INSERT INTO audit_log (at, actor_id, action, subject) VALUES (?1, ?2, ?3, ?4)")
        .bind(chrono::Utc::now().timestamp())
        .bind(actor)
        .bind(action)
        .bind(subject)
        .execute(db)
        .await?;
    Ok(())
}
