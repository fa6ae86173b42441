//! Connection, migrations, the two databases' few differences, and the
//! development seed.
//!
//! One set of repositories speaks to SQLite (the default: embedded, one
//! instance) and PostgreSQL (several instances behind a load balancer)
//! through sqlx's `Any` driver. Every statement is written once, with `$N`
//! parameters (which SQLite also understands). Where the dialects differ,
//! `Backend` says which one a pool or connection speaks.

use sqlx::any::{AnyPoolOptions, AnyTypeInfo, AnyTypeInfoKind};
use sqlx::{Any, AnyPool, Connection, Decode, Executor, Type};

use crate::config::DevSeed;

/// Which database a URL, pool or connection speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// `sqlite:…` or `postgres:…`/`postgresql:…`; anything else is not ours.
    pub fn of_url(url: &str) -> Option<Backend> {
        let scheme = url.split_once(':')?.0;
        match scheme {
            "sqlite" => Some(Backend::Sqlite),
            "postgres" | "postgresql" => Some(Backend::Postgres),
            _ => None,
        }
    }

    pub fn of_pool(pool: &AnyPool) -> Backend {
        Backend::of_url(pool.connect_options().database_url.as_str()).unwrap_or(Backend::Sqlite)
    }

    pub fn of_conn(conn: &sqlx::AnyConnection) -> Backend {
        match conn.backend_name() {
            "PostgreSQL" => Backend::Postgres,
            _ => Backend::Sqlite,
        }
    }
}

/// Connects and migrates. SQLite: the file is created when missing, in WAL
/// mode, with foreign keys on and a 5 s busy timeout. PostgreSQL: sqlx's
/// migrator holds an advisory lock while it migrates, so two instances that
/// start together apply each migration once and both come up.
pub async fn connect(url: &str) -> anyhow::Result<AnyPool> {
    sqlx::any::install_default_drivers();
    let backend =
        Backend::of_url(url).ok_or_else(|| anyhow::anyhow!("not a sqlite: or postgres: URL"))?;
    let pool = match backend {
        Backend::Sqlite => {
            let url = if url.contains("mode=") {
                url.to_string()
            } else if url.contains('?') {
                format!("{url}&mode=rwc")
            } else {
                format!("{url}?mode=rwc")
            };
            sqlite_pool(8, "FULL").connect(&url).await?
        }
        Backend::Postgres => {
            AnyPoolOptions::new()
                .max_connections(16)
                .connect(url)
                .await?
        }
    };
    match backend {
        Backend::Sqlite => migrate_sqlite(&pool).await?,
        Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await?,
    }
    Ok(pool)
}

/// SQLite connections in WAL mode with foreign keys on, a 5 s busy
/// timeout and `synchronous` as given. Never pinged before they are handed
/// out (sqlx's default): a connection to a file cannot go stale, and each
/// ping is a round trip to the connection's thread that a shift change's
/// logins would pay several times each.
fn sqlite_pool(connections: u32, synchronous: &'static str) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(connections)
        .test_before_acquire(false)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                // The busy timeout first: switching to WAL waits for
                // the other connections (another process's) too.
                conn.execute(
                    format!(
                        "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; \
                         PRAGMA foreign_keys = ON; PRAGMA synchronous = {synchronous};"
                    )
                    .as_str(),
                )
                .await?;
                Ok(())
            })
        })
}

/// A pool for the writes a crash may lose without anyone being the worse
/// for it: a right shared login's bookkeeping (its session, and its
/// attempts taken back; lost, the person logs in again and the attempts
/// stay counted: the guessing limits only get stricter). Every attempt
/// itself is counted on `pool`, durably, before its PIN is checked.
///
/// SQLite: two connections to the same file that commit without syncing
/// the WAL (`synchronous = NORMAL`); the file's next durable commit syncs
/// them with it, and a crash loses at most the commits after that, never
/// the file. It spares a shift change's logins one disk sync each
/// (`shared_login` benchmark). PostgreSQL: `pool` itself, whose
/// transaction says `SET LOCAL synchronous_commit = off`
/// (`people::start_after_right_login`); an in-memory SQLite database:
/// `pool` itself (a second pool would open another database).
pub async fn connect_relaxed(pool: &AnyPool) -> anyhow::Result<AnyPool> {
    let url = pool.connect_options().database_url.to_string();
    if Backend::of_pool(pool) == Backend::Postgres
        || url.contains(":memory:")
        || url.contains("mode=memory")
    {
        return Ok(pool.clone());
    }
    Ok(sqlite_pool(2, "NORMAL").connect(&url).await?)
}

/// SQLite's migrations rebuild tables the way SQLite documents it, which
/// needs foreign keys off (they cannot be switched inside the migration's
/// transaction): one connection with them off migrates, then every foreign
/// key is checked before anything else runs.
///
/// sqlx's SQLite migrator takes no lock, so two processes starting on one
/// file would both apply the first migration: a lock on a file beside the
/// database (`<file>.migrations.lock`) makes the second wait, then find
/// everything applied.
async fn migrate_sqlite(pool: &AnyPool) -> anyhow::Result<()> {
    let url = pool.connect_options().database_url.clone();
    let file = url
        .as_str()
        .trim_start_matches("sqlite:")
        .trim_start_matches("//");
    let file = file.split('?').next().unwrap_or_default().to_string();
    let _lock = if file.is_empty() || file.starts_with(':') {
        None
    } else {
        let path = format!("{file}.migrations.lock");
        Some(
            tokio::task::spawn_blocking(move || -> std::io::Result<std::fs::File> {
                let lock = std::fs::File::create(&path)?;
                lock.lock()?;
                Ok(lock)
            })
            .await??,
        )
    };
    let mut conn = pool.acquire().await?;
    conn.execute("PRAGMA foreign_keys = OFF").await?;
    let migrated = sqlx::migrate!("./migrations/sqlite").run(&mut *conn).await;
    let violations: Vec<(String, i64)> =
        sqlx::query_as("SELECT \"table\", COALESCE(rowid, 0) FROM pragma_foreign_key_check")
            .fetch_all(&mut *conn)
            .await?;
    conn.execute("PRAGMA foreign_keys = ON").await?;
    migrated?;
    if let Some((table, row)) = violations.first() {
        anyhow::bail!(
            "the database has {} rows whose foreign keys point nowhere (first: {table} row {row})",
            violations.len()
        );
    }
    Ok(())
}

/// Serializes, until the transaction ends, every transaction that takes
/// the same `key`: for a count-then-write that must hold under
/// concurrency (a limit of attempts, one reservation per orderer). SQLite
/// needs nothing: a writing statement holds the database's one write lock
/// from its start, so such a statement is atomic there already. On
/// PostgreSQL it is a transaction-scoped advisory lock; without it, two
/// transactions would each count without seeing the other's insert.
pub async fn lock(conn: &mut sqlx::AnyConnection, key: &str) -> sqlx::Result<()> {
    if Backend::of_conn(conn) == Backend::Postgres {
        sqlx::query("SELECT CAST(1 AS BIGINT) FROM pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(key)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// A `LIKE … ESCAPE '\\'` pattern for "contains `text`" (any case): `%`
/// and `_` typed by a person are letters, not wildcards.
pub fn like_pattern(text: &str) -> String {
    format!("%{}%", like_escaped(text))
}

/// As `like_pattern`, for text that begins with `text` (lower case).
pub fn like_prefix(text: &str) -> String {
    format!("{}%", like_escaped(text))
}

fn like_escaped(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// A transaction that will write after it reads: on SQLite it takes the
/// write lock at once (`BEGIN IMMEDIATE`, waiting out the busy timeout),
/// as a read transaction cannot always become a writing one when another
/// connection wrote in between.
pub async fn begin_writing(pool: &AnyPool) -> sqlx::Result<sqlx::Transaction<'static, Any>> {
    match Backend::of_pool(pool) {
        Backend::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await,
        Backend::Postgres => pool.begin().await,
    }
}

/// Whether the database answers (`/readyz`).
pub async fn ping(pool: &AnyPool) -> sqlx::Result<()> {
    pool.acquire().await?.ping().await
}

/// A stored boolean. PostgreSQL answers `BOOLEAN`; SQLite keeps booleans as
/// integers, and sqlx's `Any` driver decodes those only as integers. Read
/// every boolean column through this (`#[sqlx(try_from = "Flag")]` or a
/// tuple of `Flag`); binding a plain `bool` works on both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flag(pub bool);

impl From<Flag> for bool {
    fn from(f: Flag) -> bool {
        f.0
    }
}

impl Type<Any> for Flag {
    fn type_info() -> AnyTypeInfo {
        <bool as Type<Any>>::type_info()
    }

    fn compatible(ty: &AnyTypeInfo) -> bool {
        matches!(
            ty.kind(),
            AnyTypeInfoKind::Bool
                | AnyTypeInfoKind::SmallInt
                | AnyTypeInfoKind::Integer
                | AnyTypeInfoKind::BigInt
        )
    }
}

impl<'r> Decode<'r, Any> for Flag {
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        match <bool as Decode<Any>>::decode(value.clone()) {
            Ok(b) => Ok(Flag(b)),
            Err(_) => Ok(Flag(<i64 as Decode<Any>>::decode(value)? != 0)),
        }
    }
}

/// The dev data's municipalities and people are the only ones a dev seed
/// may find; anything else in the database is real data, which a dev seed
/// (known PINs, a public CPR key) must never be mixed with.
async fn refuse_other_data(db: &mut sqlx::AnyConnection) -> anyhow::Result<()> {
    let data = crate::dev_data::get();
    let codes: Vec<&str> = data
        .municipalities
        .iter()
        .map(|m| m.code.as_str())
        .collect();
    let people: Vec<&str> = data.people.iter().map(|p| p.user_id.as_str()).collect();
    let (municipalities, people): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM municipalities
                 WHERE code NOT IN (SELECT value FROM json_each($1))),
                (SELECT COUNT(*) FROM people WHERE user_id NOT IN (SELECT value FROM json_each($2)))",
    )
    .bind(serde_json::json!(codes).to_string())
    .bind(serde_json::json!(people).to_string())
    .fetch_one(&mut *db)
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
///
/// One transaction under a lock (`lock`), so instances that start together
/// seed one after the other: on PostgreSQL two concurrent upserts of one
/// municipality could otherwise meet in its CVR index, which `ON CONFLICT
/// (code)` does not arbitrate.
pub async fn seed_dev(pool: &AnyPool, seed: &DevSeed) -> anyhow::Result<()> {
    let mut tx = begin_writing(pool).await?;
    lock(&mut tx, "dev seed").await?;
    let db = &mut *tx;
    refuse_other_data(db).await?;
    let data = crate::dev_data::get();
    for m in &data.municipalities {
        // (The hint is the code: the dev IdP names the municipality from it.)
        sqlx::query(
            "INSERT INTO municipalities (code, name, issuer, hint, login_enabled, cvr)
             VALUES ($1, $2, $3, $1, $4, $5)
             ON CONFLICT (code) DO UPDATE SET name = $2, issuer = $3, hint = $1,
                 login_enabled = $4, cvr = $5",
        )
        .bind(&m.code)
        .bind(&m.name)
        .bind(&seed.issuer)
        .bind(m.login_enabled)
        .bind(&m.cvr)
        .execute(&mut *db)
        .await?;
    }
    // Parents come before their sub-units in the file. Whether a unit
    // orders substitutes is its administrators' after the first start: a
    // restart keeps what they chose.
    for u in &data.units {
        sqlx::query(
            "INSERT INTO units (id, municipality_code, name, manager_name, manager_email,
                                may_order_substitutes, org_uuid, parent_id, substitute_groups)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (id) DO UPDATE SET municipality_code = $2, name = $3,
                 manager_name = $4, manager_email = $5,
                 org_uuid = $7, parent_id = $8",
        )
        .bind(&u.id)
        .bind(&u.municipality)
        .bind(&u.name)
        .bind(&u.manager)
        .bind(&u.manager_email)
        .bind(u.may_order)
        .bind(&u.uuid)
        .bind(&u.parent)
        .bind(serde_json::json!(u.systems).to_string())
        .execute(&mut *db)
        .await?;
    }
    // The dev care record, logged in to at the dev IdP (it stands in for
    // the care record's identity service as it does for KOMBIT).
    if let Some(fhir_base) = &seed.care_record {
        for m in &data.municipalities {
            sqlx::query(
                "INSERT INTO care_records (municipality_code, issuer, client_id, resource, fhir_base)
                 VALUES ($1, $2, 'omsorg-care', 'urn:omsorg:care-record', $3)
                 ON CONFLICT (municipality_code) DO UPDATE SET issuer = $2, fhir_base = $3",
            )
            .bind(&m.code)
            .bind(&seed.issuer)
            .bind(fhir_base)
            .execute(&mut *db)
            .await?;
        }
    }
    // People already learnt keep trusting the dev IdP as it runs now.
    sqlx::query("UPDATE people SET issuer = $1")
        .bind(&seed.issuer)
        .execute(&mut *db)
        .await?;
    // Substitute user IDs vik001–vik050 in København's inventory (SPEC dev data).
    for n in 1..=50 {
        sqlx::query(
            "INSERT INTO substitute_ids (user_id, municipality_code, added_at)
             VALUES ($1, '101', $2)
             ON CONFLICT (municipality_code, user_id) DO NOTHING",
        )
        .bind(format!("vik{n:03}"))
        .bind(chrono::Utc::now().timestamp())
        .execute(&mut *db)
        .await?;
    }
    tx.commit().await?;
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
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, action, subject, municipality_code)
         VALUES ($1, $2, $3, $4, (SELECT municipality_code FROM people WHERE id = $2))",
    )
    .bind(chrono::Utc::now().timestamp())
    .bind(actor)
    .bind(action)
    .bind(subject)
    .execute(db)
    .await?;
    Ok(())
}

/// An audit row with no person acting (a device, a job, KOMBIT), in
/// `municipality`'s log.
pub async fn audit_in<'e, E>(
    db: E,
    municipality: &str,
    action: &str,
    subject: &str,
) -> sqlx::Result<()>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, action, subject, municipality_code)
         VALUES ($1, NULL, $2, $3, $4)",
    )
    .bind(chrono::Utc::now().timestamp())
    .bind(action)
    .bind(subject)
    .bind(municipality)
    .execute(db)
    .await?;
    Ok(())
}
