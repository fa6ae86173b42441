//! Shared devices as a repository: enrollment codes, enrolled devices and
//! their end. Every statement about them is here; the routes extract, call
//! and map.

use omsorg_core::api::{DeviceInfo, DeviceMode, UnitRef};
use sqlx::AnyPool;

use crate::secret;

/// A code to be stored: only its hash is kept.
pub struct NewCode<'a> {
    pub code_hash: String,
    pub unit_id: &'a str,
    pub mode: DeviceMode,
    pub apartment: Option<&'a str>,
    pub created_by: i64,
    pub expires_at: i64,
}

/// Whether `unit_id` is a unit of `municipality`.
pub async fn unit_in(db: &AnyPool, unit_id: &str, municipality: &str) -> sqlx::Result<bool> {
    let found: Option<(String,)> =
        sqlx::query_as("SELECT id FROM units WHERE id = $1 AND municipality_code = $2")
            .bind(unit_id)
            .bind(municipality)
            .fetch_optional(db)
            .await?;
    Ok(found.is_some())
}

/// The units of `municipality`, by name.
pub async fn units_of(db: &AnyPool, municipality: &str) -> sqlx::Result<Vec<UnitRef>> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT id, name FROM units WHERE municipality_code = $1 ORDER BY name")
            .bind(municipality)
            .fetch_all(db)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| UnitRef { id, name })
        .collect())
}

/// Stores a one-time enrollment code.
pub async fn add_code(db: &AnyPool, code: NewCode<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO enrollment_codes (code_hash, unit_id, mode, apartment, created_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(code.code_hash)
    .bind(code.unit_id)
    .bind(code.mode.as_str())
    .bind(code.apartment)
    .bind(code.created_by)
    .bind(code.expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// Claims the code with `code_hash` (unused, unexpired at `now`) and enrolls
/// a device with a new `credential` in one transaction; `None` when the code
/// cannot be used. One statement claims the code, so two devices racing
/// with it cannot both win.
pub async fn enroll(
    db: &AnyPool,
    code_hash: &str,
    credential: &str,
    now: i64,
) -> sqlx::Result<Option<DeviceInfo>> {
    let mut tx = db.begin().await?;
    let claimed: Option<(String, String, Option<String>)> = sqlx::query_as(
        "UPDATE enrollment_codes SET used_at = $2
         WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2
         RETURNING unit_id, mode, apartment",
    )
    .bind(code_hash)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((unit_id, mode, apartment)) = claimed else {
        return Ok(None);
    };
    let device_id = secret::random_token(12);
    sqlx::query(
        "INSERT INTO devices (id, credential_hash, unit_id, mode, apartment, enrolled_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&device_id)
    .bind(secret::sha256_hex(credential))
    .bind(&unit_id)
    .bind(&mode)
    .bind(&apartment)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let (name,): (String,) = sqlx::query_as("SELECT name FROM units WHERE id = $1")
        .bind(&unit_id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Some(DeviceInfo {
        device_id,
        mode: mode_of(&mode),
        unit: UnitRef { id: unit_id, name },
        apartment,
    }))
}

/// A stored mode; anything unreadable counts as the more common tablet.
pub fn mode_of(stored: &str) -> DeviceMode {
    DeviceMode::parse(stored).unwrap_or_default()
}

/// The name of the unit `unit_id`.
pub async fn unit_name(db: &AnyPool, unit_id: &str) -> sqlx::Result<String> {
    let (name,): (String,) = sqlx::query_as("SELECT name FROM units WHERE id = $1")
        .bind(unit_id)
        .fetch_one(db)
        .await?;
    Ok(name)
}

/// Revokes the device (within `municipality`, when given) and ends its
/// sessions, in one transaction. `false` when there was no such device.
pub async fn end(
    db: &AnyPool,
    device_id: &str,
    municipality: Option<&str>,
    now: i64,
) -> sqlx::Result<bool> {
    let mut tx = db.begin().await?;
    let done = sqlx::query(
        "UPDATE devices SET revoked_at = $3
         WHERE id = $1 AND revoked_at IS NULL
           AND ($2 IS NULL OR unit_id IN (SELECT id FROM units WHERE municipality_code = $2))",
    )
    .bind(device_id)
    .bind(municipality)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE shared_sessions SET ended_at = $2 WHERE device_id = $1 AND ended_at IS NULL",
    )
    .bind(device_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}
