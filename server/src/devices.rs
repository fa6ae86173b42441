//! Shared devices as a repository: enrollment codes, enrolled devices and
//! their end. Every statement about them is here; the routes extract, call
//! and map.

use omsorg_core::api::{DeviceInfo, DeviceMode, DeviceSummary, UnitRef};
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
/// a device with a new `credential` in one transaction: the device and its
/// municipality; `None` when the code cannot be used. One statement claims the code, so two devices racing
/// with it cannot both win.
pub async fn enroll(
    db: &AnyPool,
    code_hash: &str,
    credential: &str,
    now: i64,
) -> sqlx::Result<Option<(DeviceInfo, String)>> {
    let mut tx = db.begin().await?;
    let claimed: Option<(String, String, Option<String>, i64)> = sqlx::query_as(
        "UPDATE enrollment_codes SET used_at = $2
         WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2
         RETURNING unit_id, mode, apartment, created_by",
    )
    .bind(code_hash)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((unit_id, mode, apartment, created_by)) = claimed else {
        return Ok(None);
    };
    let device_id = secret::random_token(12);
    sqlx::query(
        "INSERT INTO devices
             (id, credential_hash, unit_id, mode, apartment, enrolled_at, enrolled_by, last_seen_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $6)",
    )
    .bind(&device_id)
    .bind(secret::sha256_hex(credential))
    .bind(&unit_id)
    .bind(&mode)
    .bind(&apartment)
    .bind(now)
    .bind(created_by)
    .execute(&mut *tx)
    .await?;
    let (name, municipality): (String, String) =
        sqlx::query_as("SELECT name, municipality_code FROM units WHERE id = $1")
            .bind(&unit_id)
            .fetch_one(&mut *tx)
            .await?;
    tx.commit().await?;
    let device = DeviceInfo {
        device_id,
        mode: mode_of(&mode),
        unit: UnitRef { id: unit_id, name },
        apartment,
    };
    Ok(Some((device, municipality)))
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

/// A device's last contact is written at most this often (seconds): the
/// administrators' list says when it was last seen, and a busy shared
/// device does not write on every request.
pub const SEEN_EVERY_SECS: i64 = 60;

/// Records a contact from the device at `now` when the stored one is
/// older than `SEEN_EVERY_SECS` (the caller read `last_seen_at`).
pub async fn seen(
    db: &AnyPool,
    device_id: &str,
    last_seen_at: Option<i64>,
    now: i64,
) -> sqlx::Result<()> {
    if last_seen_at.is_some_and(|at| now - at < SEEN_EVERY_SECS) {
        return Ok(());
    }
    sqlx::query("UPDATE devices SET last_seen_at = $2 WHERE id = $1")
        .bind(device_id)
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct DeviceRow {
    id: String,
    mode: String,
    apartment: Option<String>,
    unit_id: String,
    unit_name: String,
    enrolled_by: Option<String>,
    enrolled_at: i64,
    last_seen_at: Option<i64>,
}

/// The enrolled, not revoked devices of `municipality`, by unit and
/// apartment.
pub async fn list(db: &AnyPool, municipality: &str) -> sqlx::Result<Vec<DeviceSummary>> {
    let rows: Vec<DeviceRow> = sqlx::query_as(
        "SELECT d.id, d.mode, d.apartment, d.unit_id, u.name AS unit_name,
                p.name AS enrolled_by, d.enrolled_at, d.last_seen_at
         FROM devices d
         JOIN units u ON u.id = d.unit_id
         LEFT JOIN people p ON p.id = d.enrolled_by
         WHERE u.municipality_code = $1 AND d.revoked_at IS NULL
         ORDER BY u.name, d.mode, d.apartment, d.enrolled_at",
    )
    .bind(municipality)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| DeviceSummary {
            label: omsorg_core::enrollment::device_label(&r.id),
            device_id: r.id,
            mode: mode_of(&r.mode),
            unit: UnitRef {
                id: r.unit_id,
                name: r.unit_name,
            },
            apartment: r.apartment,
            enrolled_by: r.enrolled_by,
            enrolled_at: crate::db::time_of(r.enrolled_at),
            last_seen: r.last_seen_at.map(crate::db::time_of),
        })
        .collect())
}
