//! Connection, migrations and the development seed.

use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::SqlitePool;

use crate::config::DevSeed;
use crate::pin::PinHasher;

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

/// The dev seed's municipalities and people; anything else in the database
/// is real data, which a dev seed (known PINs, a public CPR key) must never
/// be mixed with.
const DEV_MUNICIPALITIES: &str = "'101', '751', '461'";
const DEV_PEOPLE: &str = "'anna', 'bo', 'carl', 'eva'";

async fn refuse_other_data(db: &SqlitePool) -> anyhow::Result<()> {
    let (municipalities, people): (i64, i64) = sqlx::query_as(&format!(
        "SELECT (SELECT COUNT(*) FROM municipalities WHERE code NOT IN ({DEV_MUNICIPALITIES})),
                (SELECT COUNT(*) FROM people WHERE user_id NOT IN ({DEV_PEOPLE}))"
    ))
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

/// The development data of SPEC.md. Idempotent: safe on every start.
pub async fn seed_dev(db: &SqlitePool, seed: &DevSeed, pins: &PinHasher) -> anyhow::Result<()> {
    // (code, name, login enabled, hint). Odense is present but disabled so the
    // "enabled only" rule is visible in dev and tests.
    const MUNICIPALITIES: &[(&str, &str, bool)] = &[
        ("101", "København", true),
        ("751", "Aarhus", true),
        ("461", "Odense", false),
    ];
    refuse_other_data(db).await?;
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
    // (id, municipality, name, manager, manager e-mail, may order substitutes)
    const UNITS: &[(&str, &str, &str, &str, &str, bool)] = &[
        (
            "kbh-hjemmepleje-nord",
            "101",
            "Hjemmeplejen Nord",
            "Mette Madsen",
            "mette@kbh.example",
            true,
        ),
        (
            "aar-solhaven",
            "751",
            "Plejehjemmet Solhaven",
            "Søren Sørensen",
            "soren@aarhus.example",
            false,
        ),
    ];
    for (id, muni, name, manager, email, may_order) in UNITS {
        sqlx::query(
            "INSERT INTO units (id, municipality_code, name, manager_name, manager_email, may_order_substitutes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (id) DO UPDATE SET municipality_code = ?2, name = ?3, manager_name = ?4,
                 manager_email = ?5, may_order_substitutes = ?6",
        )
        .bind(id).bind(muni).bind(name).bind(manager).bind(email).bind(may_order)
        .execute(db)
        .await?;
    }
    // `dora` exists at the IdP but is deliberately absent: removed centrally.
    // (subject = user ID, name, municipality, unit, administrator)
    const PEOPLE: &[(&str, &str, &str, &str, bool)] = &[
        (
            "anna",
            "Anna Andersen",
            "101",
            "kbh-hjemmepleje-nord",
            false,
        ),
        ("bo", "Bo Berg", "101", "kbh-hjemmepleje-nord", true),
        ("carl", "Carl Christensen", "751", "aar-solhaven", false),
        // Not in SPEC's table: Aarhus needs an administrator to enroll the
        // shared devices Carl logs in on (administrators act within their
        // own municipality).
        ("eva", "Eva Eriksen", "751", "aar-solhaven", true),
    ];
    for (subject, name, muni, unit, admin) in PEOPLE {
        sqlx::query(
            "INSERT INTO people (issuer, subject, user_id, name, municipality_code, unit_id, is_admin)
             VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (user_id) DO UPDATE SET issuer = ?1, subject = ?2, name = ?3,
                 municipality_code = ?4, unit_id = ?5, is_admin = ?6, active = TRUE",
        )
        .bind(&seed.issuer).bind(subject).bind(name).bind(muni).bind(unit).bind(admin)
        .execute(db)
        .await?;
    }
    // Mail addresses, as the org directory would give them.
    for (user_id, email) in [
        ("anna", "anna@kbh.example"),
        ("bo", "bo@kbh.example"),
        ("carl", "carl@aarhus.example"),
        ("eva", "eva@aarhus.example"),
    ] {
        sqlx::query("UPDATE people SET email = ?2 WHERE user_id = ?1")
            .bind(user_id)
            .bind(email)
            .execute(db)
            .await?;
    }
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
    // bo, carl and eva have PINs (SPEC dev data); anna sets hers after her first login.
    for (user_id, pin) in [("bo", "2580"), ("carl", "1397"), ("eva", "2468")] {
        let has: Option<String> =
            sqlx::query_scalar("SELECT pin_hash FROM people WHERE user_id = ?1")
                .bind(user_id)
                .fetch_one(db)
                .await?;
        if has.is_none() {
            sqlx::query("UPDATE people SET pin_hash = ?2 WHERE user_id = ?1")
                .bind(user_id)
                .bind(pins.hash(pin).await?)
                .execute(db)
                .await?;
        }
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
