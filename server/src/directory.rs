//! Accounts for substitutes behind a small trait (SPEC C4).
//!
//! Production shape: the municipality's AD (each municipality has its own,
//! chosen by the account's municipality code: a substitute user ID is
//! unique within a municipality only). `create_account` makes (or
//! re-enables) the user object for the substitute user ID with the display
//! name, `accountExpires` at the access's end, "must change password at next
//! logon", and membership of the groups the orderer's unit's template names
//! (administrators set it per unit: the care record's, the medicine
//! module's, the key system's groups), so the access is scoped by the
//! unit; `disable_account` disables it. Here: `DevDirectory`, a table in
//! the backend's own database, with the initial password kept as a hash
//! and the groups as a JSON array.

use std::future::Future;
use std::pin::Pin;

use sqlx::AnyPool;

use crate::pin::PinHasher;

pub struct NewAccount {
    /// Whose directory: a user ID is unique within a municipality only.
    pub municipality: String,
    pub user_id: String,
    pub display_name: String,
    pub initial_password: String,
    pub expires_at: i64,
    /// The groups the account is a member of (the orderer's unit's
    /// template): the systems the substitute can use.
    pub groups: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("the directory refused or could not be reached: {0}")]
pub struct DirectoryError(pub String);

pub type DirectoryResult<'a> =
    Pin<Box<dyn Future<Output = Result<(), DirectoryError>> + Send + 'a>>;

pub trait Directory: Send + Sync {
    /// Creates or re-enables the account, with a new initial password.
    fn create_account<'a>(&'a self, account: &'a NewAccount) -> DirectoryResult<'a>;
    fn disable_account<'a>(
        &'a self,
        municipality: &'a str,
        user_id: &'a str,
    ) -> DirectoryResult<'a>;
    /// A new end for an extended access.
    fn set_expiry<'a>(
        &'a self,
        municipality: &'a str,
        user_id: &'a str,
        expires_at: i64,
    ) -> DirectoryResult<'a>;
}

pub struct DevDirectory {
    pub db: AnyPool,
    pub hasher: PinHasher,
    /// Added to each change (`OMSORG_DEV_DIRECTORY_LATENCY_MS`).
    pub latency: std::time::Duration,
}

impl Directory for DevDirectory {
    fn create_account<'a>(&'a self, account: &'a NewAccount) -> DirectoryResult<'a> {
        Box::pin(async move {
            tokio::time::sleep(self.latency).await;
            let hash = self
                .hasher
                .hash(&account.initial_password)
                .await
                .map_err(|e| DirectoryError(e.to_string()))?;
            sqlx::query(
                "INSERT INTO directory_accounts
                     (user_id, display_name, enabled, password_hash, must_change, expires_at,
                      updated_at, municipality_code, groups)
                 VALUES ($1, $2, TRUE, $3, TRUE, $4, $6, $5, $7)
                 ON CONFLICT (municipality_code, user_id) DO UPDATE SET display_name = $2, enabled = TRUE,
                     password_hash = $3, must_change = TRUE, expires_at = $4,
                     updated_at = $6, groups = $7",
            )
            .bind(&account.user_id)
            .bind(&account.display_name)
            .bind(hash)
            .bind(account.expires_at)
            .bind(&account.municipality)
            .bind(chrono::Utc::now().timestamp())
            .bind(serde_json::json!(account.groups).to_string())
            .execute(&self.db)
            .await
            .map_err(|e| DirectoryError(e.to_string()))?;
            Ok(())
        })
    }

    fn set_expiry<'a>(
        &'a self,
        municipality: &'a str,
        user_id: &'a str,
        expires_at: i64,
    ) -> DirectoryResult<'a> {
        Box::pin(async move {
            tokio::time::sleep(self.latency).await;
            sqlx::query(
                "UPDATE directory_accounts SET expires_at = $2, updated_at = $4
                 WHERE user_id = $1 AND municipality_code = $3",
            )
            .bind(user_id)
            .bind(expires_at)
            .bind(municipality)
            .bind(chrono::Utc::now().timestamp())
            .execute(&self.db)
            .await
            .map_err(|e| DirectoryError(e.to_string()))?;
            Ok(())
        })
    }

    fn disable_account<'a>(
        &'a self,
        municipality: &'a str,
        user_id: &'a str,
    ) -> DirectoryResult<'a> {
        Box::pin(async move {
            tokio::time::sleep(self.latency).await;
            sqlx::query(
                "UPDATE directory_accounts SET enabled = FALSE, updated_at = $3
                 WHERE user_id = $1 AND municipality_code = $2",
            )
            .bind(user_id)
            .bind(municipality)
            .bind(chrono::Utc::now().timestamp())
            .execute(&self.db)
            .await
            .map_err(|e| DirectoryError(e.to_string()))?;
            Ok(())
        })
    }
}
