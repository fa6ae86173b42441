//! People and their PIN attempts as a repository. The guessing limits
//! (SPEC C2, C3) hold however many requests arrive at once because every
//! attempt is **counted in the database before the PIN is checked**, by one
//! statement that refuses when the limit is reached, and is undone only
//! when the PIN was right. SQLite runs each writing statement under the
//! database's write lock, so two such statements never see the same count.
//!
//! Three counters, each with one path that lowers it:
//! - the personal PIN (`people.pin_failed_attempts`, the lock screen and
//!   PIN change): a right PIN resets it, a new PIN clears it;
//! - a user ID as typed on shared devices (`shared_login_failures`, keyed by
//!   a peppered hash so unknown IDs are counted alike): a right login or a
//!   new PIN clears it;
//! - a shared device (`device_login_failures`, a sliding window): a right
//!   login takes back its own attempt.

use sqlx::AnyPool;

use crate::auth::Person;

/// What the personal PIN allows one more attempt at.
#[derive(Debug, PartialEq, Eq)]
pub enum PinAttempt {
    /// No PIN has been set.
    NotSet,
    /// Locked, or every attempt the limit allows is already taken.
    Locked,
    /// Counted as attempt number `attempt`: check it against `hash`.
    Admitted { attempt: i64, hash: String },
}

/// Counts one attempt at `person`'s PIN, before it is checked.
pub async fn admit_pin_attempt(db: &AnyPool, person: i64, max: i64) -> sqlx::Result<PinAttempt> {
    let admitted: Option<(i64, String)> = sqlx::query_as(
        "UPDATE people SET pin_failed_attempts = pin_failed_attempts + 1
         WHERE id = $1 AND pin_hash IS NOT NULL AND NOT pin_locked AND pin_failed_attempts < $2
         RETURNING pin_failed_attempts, pin_hash",
    )
    .bind(person)
    .bind(max)
    .fetch_optional(db)
    .await?;
    if let Some((attempt, hash)) = admitted {
        return Ok(PinAttempt::Admitted { attempt, hash });
    }
    let crate::db::Flag(has_pin) =
        sqlx::query_scalar("SELECT pin_hash IS NOT NULL FROM people WHERE id = $1")
            .bind(person)
            .fetch_one(db)
            .await?;
    Ok(if has_pin {
        PinAttempt::Locked
    } else {
        PinAttempt::NotSet
    })
}

/// The admitted attempt was right: the count starts again.
pub async fn pin_was_right(db: &AnyPool, person: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE people SET pin_failed_attempts = 0 WHERE id = $1 AND NOT pin_locked")
        .bind(person)
        .execute(db)
        .await?;
    Ok(())
}

/// The admitted attempt number `attempt` was wrong; the last one the limit
/// allows locks the PIN and ends the person's shared sessions. `true` when
/// it is now locked.
pub async fn pin_was_wrong(
    db: &AnyPool,
    person: i64,
    attempt: i64,
    max: i64,
) -> sqlx::Result<bool> {
    if attempt < max {
        return Ok(false);
    }
    sqlx::query("UPDATE people SET pin_locked = TRUE WHERE id = $1")
        .bind(person)
        .execute(db)
        .await?;
    // Sessions opened on shared devices with this PIN end with it.
    end_shared_sessions(db, person, chrono::Utc::now().timestamp()).await?;
    Ok(true)
}

/// A new PIN (`Some`) or an administrator's reset (`None`): stored, the
/// count cleared and the lock lifted; the shared sessions the old PIN
/// opened end in the same transaction.
pub async fn set_pin(db: &AnyPool, person: i64, hash: Option<&str>) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE people SET pin_hash = $2, pin_failed_attempts = 0, pin_locked = FALSE WHERE id = $1",
    )
    .bind(person)
    .bind(hash)
    .execute(&mut *tx)
    .await?;
    end_shared_sessions(&mut *tx, person, chrono::Utc::now().timestamp()).await?;
    tx.commit().await
}

/// The stored PIN and whether it is locked.
pub async fn pin_state(db: &AnyPool, person: i64) -> sqlx::Result<(Option<String>, bool)> {
    let (hash, locked): (Option<String>, crate::db::Flag) =
        sqlx::query_as("SELECT pin_hash, pin_locked FROM people WHERE id = $1")
            .bind(person)
            .fetch_one(db)
            .await?;
    Ok((hash, locked.0))
}

/// Clears the user ID's count (a right login, a new PIN, an administrator's reset).
pub async fn forget_user_id_attempts<'e, E>(db: E, user_key: &str) -> sqlx::Result<()>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query("DELETE FROM shared_login_failures WHERE user_key = $1")
        .bind(user_key)
        .execute(db)
        .await?;
    Ok(())
}

/// One login to count: its device, its user ID's key, and the device's
/// limit (`now`, window in seconds, most attempts in the window).
pub struct Admission<'a> {
    pub device: &'a str,
    pub user_key: &'a str,
    pub limits: (i64, i64, i64),
}

/// What counting a login says: the device attempt's handle and the user
/// ID's attempt number, or (`Err`) the seconds until the device may try
/// again.
pub type Admitted = Result<(i64, i64), i64>;

/// Counts one user ID + PIN login, before its PIN is checked: against the
/// device, unless it already has its most in the window (then the seconds
/// until the oldest counted attempt leaves it), and against the user ID.
/// One transaction, so one commit (a shift change's logins are short of
/// CPU, and each commit's sync to disk costs it: the `shared_login`
/// benchmark).
pub async fn admit_shared_login(db: &AnyPool, login: &Admission<'_>) -> sqlx::Result<Admitted> {
    Ok(admit_shared_logins(db, std::slice::from_ref(login))
        .await?
        .remove(0))
}

/// Counts `logins` in their order in one transaction: one commit and one
/// sync to disk for all of them, each counted as if alone (a shift
/// change's logins that arrive while the last commit syncs share the
/// next one: `routes::shared::LoginFlow`).
pub async fn admit_shared_logins(
    db: &AnyPool,
    logins: &[Admission<'_>],
) -> sqlx::Result<Vec<Admitted>> {
    let mut tx = crate::db::begin_writing(db).await?;
    let mut answers = Vec::with_capacity(logins.len());
    for login in logins {
        answers.push(admit_in(&mut tx, login).await?);
    }
    tx.commit().await?;
    Ok(answers)
}

async fn admit_in(tx: &mut sqlx::AnyConnection, login: &Admission<'_>) -> sqlx::Result<Admitted> {
    let (now, window, max) = login.limits;
    let since = now - window;
    crate::db::lock(tx, &format!("device attempts {}", login.device)).await?;
    let admitted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO device_login_failures (device_id, at)
         SELECT $1, $2 WHERE (SELECT COUNT(*) FROM device_login_failures
                              WHERE device_id = $1 AND at > $3) < $4
         RETURNING id",
    )
    .bind(login.device)
    .bind(now)
    .bind(since)
    .bind(max)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(handle) = admitted else {
        let oldest: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(at) FROM device_login_failures WHERE device_id = $1 AND at > $2",
        )
        .bind(login.device)
        .bind(since)
        .fetch_one(&mut *tx)
        .await?;
        return Ok(Err(oldest.map_or(window, |t| t + window - now).max(1)));
    };
    let tries: i64 = sqlx::query_scalar(
        "INSERT INTO shared_login_failures (user_key, failures) VALUES ($1, 1)
         ON CONFLICT (user_key) DO UPDATE SET failures = shared_login_failures.failures + 1
         RETURNING failures",
    )
    .bind(login.user_key)
    .fetch_one(&mut *tx)
    .await?;
    Ok(Ok((handle, tries)))
}

/// The login was right: its attempt does not count against the device.
pub async fn take_back_device_attempt<'e, E>(db: E, handle: i64) -> sqlx::Result<()>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query("DELETE FROM device_login_failures WHERE id = $1")
        .bind(handle)
        .execute(db)
        .await?;
    Ok(())
}

/// A shared session about to start.
pub struct NewSharedSession<'a> {
    pub token_hash: &'a str,
    pub device: &'a str,
    pub person: i64,
    pub now: i64,
    pub expires_at: i64,
}

/// A right login: its session started, its device attempt taken back and
/// the user ID's count cleared, in one transaction, on `bookkeeping`
/// (`db::connect_relaxed`): its commit waits for no disk sync, as losing
/// it to a crash costs a new login and leaves the attempts counted.
pub async fn start_after_right_login(
    bookkeeping: &AnyPool,
    session: &NewSharedSession<'_>,
    device_attempt: i64,
    user_key: &str,
) -> sqlx::Result<()> {
    let mut tx = bookkeeping.begin().await?;
    if crate::db::Backend::of_pool(bookkeeping) == crate::db::Backend::Postgres {
        sqlx::query("SET LOCAL synchronous_commit = off")
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(
        "INSERT INTO shared_sessions (token_hash, device_id, person_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(session.token_hash)
    .bind(session.device)
    .bind(session.person)
    .bind(session.now)
    .bind(session.expires_at)
    .execute(&mut *tx)
    .await?;
    take_back_device_attempt(&mut *tx, device_attempt).await?;
    forget_user_id_attempts(&mut *tx, user_key).await?;
    tx.commit().await
}

/// Who a user ID + PIN login on a device of `unit` is for.
#[derive(sqlx::FromRow, Clone)]
pub struct SharedLoginPerson {
    #[sqlx(flatten)]
    pub person: Person,
    pub pin_hash: Option<String>,
    /// Their privileges cover the device's unit, or the municipality
    /// admits all its staff on every device.
    #[sqlx(try_from = "crate::db::Flag")]
    pub admitted_here: bool,
}

/// `for_shared_login`'s statement: found through `people_by_user_id`,
/// so a login costs the same in a municipality of 40,000 staff as in one
/// of 40 (the API suite reads its plan).
pub const SHARED_LOGIN_PERSON: &str =
    "SELECT p.id, p.user_id, p.name, p.municipality_code, p.unit_id, p.is_admin,
            p.is_orderer, p.pin_hash IS NOT NULL AS has_pin, p.pin_locked, p.pin_hash,
            EXISTS (SELECT 1 FROM person_units WHERE person_id = p.id AND unit_id = $3)
            OR (SELECT shared_devices_whole_municipality FROM municipalities WHERE code = $2)
                AS admitted_here
     FROM people p
     WHERE lower(p.user_id) = lower($1) AND p.active AND p.municipality_code = $2";

/// The active person of `municipality` with `user_id` (any case), read in
/// one statement with what their login on a device of `unit` needs.
pub async fn for_shared_login(
    db: &AnyPool,
    user_id: &str,
    municipality: &str,
    unit: &str,
) -> sqlx::Result<Option<SharedLoginPerson>> {
    sqlx::query_as(SHARED_LOGIN_PERSON)
        .bind(user_id.trim())
        .bind(municipality)
        .bind(unit)
        .fetch_optional(db)
        .await
}

/// The person `id` as the API's extractors read them, with their units.
pub async fn by_id(db: &AnyPool, id: i64) -> sqlx::Result<Person> {
    let mut person: Person = sqlx::query_as(
        "SELECT id, user_id, name, municipality_code, unit_id, is_admin, is_orderer,
                pin_hash IS NOT NULL AS has_pin, pin_locked
         FROM people WHERE id = $1",
    )
    .bind(id)
    .fetch_one(db)
    .await?;
    person.units = units_of(db, id).await?;
    Ok(person)
}

/// Ends every live shared session of `person` (their PIN was changed,
/// reset or blocked: a session opened with the old PIN must not outlive it).
pub async fn end_shared_sessions<'e, E>(db: E, person: i64, now: i64) -> sqlx::Result<()>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "UPDATE shared_sessions SET ended_at = $2 WHERE person_id = $1 AND ended_at IS NULL",
    )
    .bind(person)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// The active person of `municipality` with `user_id` (any case): their ID.
pub async fn id_in(db: &AnyPool, user_id: &str, municipality: &str) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "SELECT id FROM people WHERE lower(user_id) = lower($1) AND municipality_code = $2",
    )
    .bind(user_id.trim())
    .bind(municipality)
    .fetch_optional(db)
    .await
}

/// The units `person`'s privileges cover, top-level units first, then by name.
pub async fn units_of(db: &AnyPool, person: i64) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT u.id FROM person_units pu JOIN units u ON u.id = pu.unit_id
         WHERE pu.person_id = $1 ORDER BY u.parent_id IS NOT NULL, u.name, u.id",
    )
    .bind(person)
    .fetch_all(db)
    .await
}

/// A person as the administrators' list shows them.
#[derive(sqlx::FromRow)]
pub struct Listed {
    pub id: i64,
    pub user_id: String,
    pub name: String,
    #[sqlx(try_from = "crate::db::Flag")]
    pub is_admin: bool,
    #[sqlx(try_from = "crate::db::Flag")]
    pub is_orderer: bool,
    #[sqlx(try_from = "crate::db::Flag")]
    pub has_pin: bool,
    #[sqlx(try_from = "crate::db::Flag")]
    pub pin_locked: bool,
    pub token_iat: Option<i64>,
}

/// The active people of `municipality` whose name or user ID contains
/// `query` (any case; all when empty), by name: at most `limit`.
pub async fn search(
    db: &AnyPool,
    municipality: &str,
    query: &str,
    limit: i64,
) -> sqlx::Result<Vec<Listed>> {
    let pattern = crate::db::like_pattern(query);
    sqlx::query_as(
        "SELECT id, user_id, name, is_admin, is_orderer, pin_hash IS NOT NULL AS has_pin,
                pin_locked, token_iat
         FROM people
         WHERE municipality_code = $1 AND active
           AND (lower(name) LIKE $2 ESCAPE '\\' OR lower(user_id) LIKE $2 ESCAPE '\\')
         ORDER BY name, user_id LIMIT $3",
    )
    .bind(municipality)
    .bind(pattern)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The user-ID keys blocked on shared devices among `keys`.
pub async fn blocked_user_keys(
    db: &AnyPool,
    keys: &[String],
    max: i64,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT user_key FROM shared_login_failures
         WHERE failures >= $2 AND user_key IN (SELECT value FROM json_each($1))",
    )
    .bind(serde_json::json!(keys).to_string())
    .bind(max)
    .fetch_all(db)
    .await
}
