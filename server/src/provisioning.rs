//! Just-in-time provisioning from KOMBIT's token. Each validated access
//! token newer than the one a person was last read from updates them: name,
//! e-mail, municipality (by the CVR number of the privilege group that
//! grants an Omsorg role, among the municipalities that trust the token's
//! issuer), roles, and the units their org-unit constraints cover (with
//! sub-units, through the org directory). A token without any Omsorg role
//! deactivates the person and ends their shared sessions: a role removed
//! centrally takes effect at the next token.

use chrono::Utc;
use omsorg_core::api::Role;
use omsorg_core::privileges::{self, Units};
use omsorg_core::ErrorCode;

use crate::auth::Claims;
use crate::error::{ApiError, ApiResult};
use crate::{db, people, AppState};

fn not_provisioned() -> ApiError {
    ApiError::client(
        ErrorCode::NotProvisioned,
        "this person has no role in Omsorg",
    )
}

/// The person the token speaks for, provisioned from it: their row's ID.
pub async fn provision(state: &AppState, claims: &Claims) -> ApiResult<i64> {
    let fingerprint = fingerprint(claims);
    let known: Option<(i64, crate::db::Flag, Option<i64>, Option<String>)> = sqlx::query_as(
        "SELECT id, active, token_iat, token_fingerprint FROM people
         WHERE issuer = $1 AND subject = $2",
    )
    .bind(&claims.iss)
    .bind(&claims.sub)
    .fetch_optional(&state.db)
    .await?;
    if let Some((id, active, seen_iat, seen)) = &known {
        // The same word as last time, or an older token than the one that
        // last spoke (a role removed centrally stays removed): as stored.
        let older = matches!((claims.iat, seen_iat), (Some(iat), Some(seen)) if iat < *seen);
        if seen.as_deref() == Some(fingerprint.as_str()) || older {
            return if active.0 {
                Ok(*id)
            } else {
                Err(not_provisioned())
            };
        }
    }
    let list = match &claims.privileges_intermediate {
        Some(encoded) => privileges::decode(encoded).map_err(|e| {
            tracing::warn!(error = %e, "a token's privilege list was refused");
            ApiError::client(ErrorCode::PrivilegesInvalid, e.to_string())
        })?,
        None => Default::default(),
    };
    let grants = privileges::omsorg_grants(&list);
    let municipalities: Vec<(String, String)> = sqlx::query_as(
        "SELECT code, cvr FROM municipalities
         WHERE issuer = $1 AND login_enabled AND cvr IS NOT NULL ORDER BY code",
    )
    .bind(&claims.iss)
    .fetch_all(&state.db)
    .await?;
    let Some((municipality, roles)) = municipalities
        .iter()
        .find_map(|(code, cvr)| grants.get(cvr).map(|g| (code.clone(), g)))
    else {
        deprovision(state, claims).await?;
        return Err(not_provisioned());
    };
    let scope = roles
        .values()
        .try_fold(Vec::new(), |mut uuids, units| match units {
            Units::All => None,
            Units::These(these) => {
                uuids.extend(these.iter().cloned());
                Some(uuids)
            }
        });
    let units = state
        .org
        .covered(&municipality, scope.as_deref())
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let user_id = claims.preferred_username.as_deref().unwrap_or(&claims.sub);
    let name = claims.name.as_deref().unwrap_or(user_id);
    let admin = roles.contains_key(&Role::Administrator);
    let orderer = roles.contains_key(&Role::Orderer);
    let units_json = serde_json::json!(units).to_string();
    // One parameter list for the insert and the update ($11 is the update's
    // list of units that keep a unit chosen before).
    let person = |sql: &'static str| {
        sqlx::query_scalar::<_, i64>(sql)
            .bind(&claims.iss)
            .bind(&claims.sub)
            .bind(user_id)
            .bind(name)
            .bind(&municipality)
            .bind(units.first())
            .bind(admin)
            .bind(orderer)
            .bind(&claims.email)
            .bind(claims.iat)
            .bind(&units_json)
            .bind(&fingerprint)
    };
    let mut tx = state.db.begin().await?;
    // A new person, or (only one of parallel first requests inserts) an update.
    let inserted: Option<i64> = person(
        "INSERT INTO people (issuer, subject, user_id, name, municipality_code, unit_id,
                             is_admin, is_orderer, active, email, token_iat, token_fingerprint)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, TRUE, $9, $10, $12)
         ON CONFLICT (issuer, subject) DO NOTHING
         RETURNING id",
    )
    .fetch_optional(&mut *tx)
    .await?;
    let id = match inserted {
        Some(id) => id,
        None => {
            person(
                "UPDATE people SET user_id = $3, name = $4, municipality_code = $5,
                     unit_id = CASE WHEN unit_id IN (SELECT value FROM json_each($11))
                                    THEN unit_id ELSE $6 END,
                     is_admin = $7, is_orderer = $8, active = TRUE,
                     email = COALESCE($9, email), token_iat = $10, token_fingerprint = $12
                 WHERE issuer = $1 AND subject = $2
                 RETURNING id",
            )
            .fetch_one(&mut *tx)
            .await?
        }
    };
    sqlx::query("DELETE FROM person_units WHERE person_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    for unit in &units {
        sqlx::query("INSERT INTO person_units (person_id, unit_id) VALUES ($1, $2)")
            .bind(id)
            .bind(unit)
            .execute(&mut *tx)
            .await?;
    }
    if inserted.is_some() {
        db::audit(&mut *tx, Some(id), "person.provisioned", user_id).await?;
    }
    tx.commit().await?;
    if inserted.is_some() && state.dev_seed {
        // Development only: the dev people's PINs of SPEC.md, once.
        if let Some(pin) = crate::dev_data::get()
            .person(user_id)
            .and_then(|p| p.pin.as_deref())
        {
            let hash = state.pins.hash(pin).await?;
            people::set_pin(&state.db, id, Some(&hash)).await?;
        }
    }
    tracing::info!(person = id, "provisioned from the token");
    Ok(id)
}

/// What a token says about the person, as a hash.
fn fingerprint(claims: &Claims) -> String {
    let said = serde_json::json!([
        claims.preferred_username,
        claims.name,
        claims.email,
        claims.privileges_intermediate,
    ]);
    crate::secret::sha256_hex(&said.to_string())
}

/// No Omsorg role in the token: the person (if known) is deactivated and
/// their shared sessions end.
async fn deprovision(state: &AppState, claims: &Claims) -> ApiResult<()> {
    let now = Utc::now().timestamp();
    let mut tx = state.db.begin().await?;
    let gone: Option<(i64, String, String)> = sqlx::query_as(
        "UPDATE people SET active = FALSE, token_iat = $3, token_fingerprint = $4
         WHERE issuer = $1 AND subject = $2 AND active
         RETURNING id, user_id, municipality_code",
    )
    .bind(&claims.iss)
    .bind(&claims.sub)
    .bind(claims.iat)
    .bind(fingerprint(claims))
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((id, user_id, municipality)) = gone {
        people::end_shared_sessions(&mut *tx, id, now).await?;
        db::audit_in(&mut *tx, &municipality, "person.deprovisioned", &user_id).await?;
        tracing::info!(person = id, "deprovisioned: no Omsorg role in the token");
    }
    tx.commit().await?;
    Ok(())
}
