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

/// The development data of SPEC.md. Idempotent: safe on every start.
pub async fn seed_dev(db: &SqlitePool, seed: &DevSeed) -> anyhow::Result<()> {
    // (code, name, login enabled, hint). Odense is present but disabled so the
    // "enabled only" rule is visible in dev and tests.
    const MUNICIPALITIES: &[(&str, &str, bool)] = &[
        ("101", "København", true),
        ("751", "Aarhus", true),
        ("461", "Odense", false),
    ];
    for (code, name, enabled) in MUNICIPALITIES {
        sqlx::query(
            "INSERT INTO municipalities (code, name, issuer, hint, login_enabled)
             VALUES (?1, ?2, ?3, ?1, ?4)
             ON CONFLICT (code) DO UPDATE SET name = ?2, issuer = ?3, hint = ?1, login_enabled = ?4",
        )
        .bind(code)
        .bind(name)
        .bind(&seed.issuer)
        .bind(enabled)
        .execute(db)
        .await?;
    }
    Ok(())
}
