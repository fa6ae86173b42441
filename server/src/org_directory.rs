//! The municipal organisation behind a small trait (SPEC C4): an org unit's
//! name and its nearest manager, for the declaration and the notification.
//!
//! Production shape: FK Organisation (Fælleskommunalt Organisationssystem)
//! through Serviceplatformen: `Organisation/OrganisationEnhed/Laes` for the
//! unit, then up the `overordnet` chain until a unit with an
//! `OrganisationFunktion` of type "Leder" is found; its `Bruger` gives the
//! manager's name and e-mail (`Adresse` of type e-mail), cached for a short
//! while. An unreachable service refuses the order before anything is made
//! (the app retries it with the same key). Here:
//! `DbOrgDirectory`, the `units` table of the backend's own database
//! (loaded from the dev seed), where each unit names its manager.

use std::future::Future;
use std::pin::Pin;

use sqlx::AnyPool;

/// A unit as the org directory describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgUnit {
    pub name: String,
    /// The nearest manager, if one is known.
    pub manager: Option<Manager>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manager {
    pub name: String,
    pub email: String,
}

#[derive(Debug, thiserror::Error)]
#[error("the org directory could not be asked: {0}")]
pub struct OrgError(pub String);

pub type OrgResult<'a> =
    Pin<Box<dyn Future<Output = Result<Option<OrgUnit>, OrgError>> + Send + 'a>>;

pub type UnitsResult<'a> = Pin<Box<dyn Future<Output = Result<Vec<String>, OrgError>> + Send + 'a>>;

pub trait OrgDirectory: Send + Sync {
    /// The unit and its nearest manager; `None` for an unknown unit.
    fn unit<'a>(&'a self, unit_id: &'a str) -> OrgResult<'a>;

    /// The municipality's units that org units `uuids` (KOMBIT's org-unit
    /// constraint values) cover, sub-units included; every unit for `None`.
    /// Top-level units first, then by name. (FK Organisation: the units
    /// and their `overordnet` chains, cached.)
    fn covered<'a>(&'a self, municipality: &'a str, uuids: Option<&'a [String]>)
        -> UnitsResult<'a>;
}

pub struct DbOrgDirectory {
    pub db: AnyPool,
}

impl OrgDirectory for DbOrgDirectory {
    fn unit<'a>(&'a self, unit_id: &'a str) -> OrgResult<'a> {
        Box::pin(async move {
            let row: Option<(String, Option<String>, Option<String>)> =
                sqlx::query_as("SELECT name, manager_name, manager_email FROM units WHERE id = $1")
                    .bind(unit_id)
                    .fetch_optional(&self.db)
                    .await
                    .map_err(|e| OrgError(e.to_string()))?;
            Ok(row.map(|(name, manager_name, manager_email)| OrgUnit {
                name,
                manager: manager_email.map(|email| Manager {
                    name: manager_name.unwrap_or_default(),
                    email,
                }),
            }))
        })
    }

    fn covered<'a>(
        &'a self,
        municipality: &'a str,
        uuids: Option<&'a [String]>,
    ) -> UnitsResult<'a> {
        Box::pin(self.covered_units(municipality, uuids))
    }
}

impl DbOrgDirectory {
    async fn covered_units(
        &self,
        municipality: &str,
        uuids: Option<&[String]>,
    ) -> Result<Vec<String>, OrgError> {
        let uuids = uuids.map(|u| {
            let lower: Vec<String> = u.iter().map(|x| x.to_lowercase()).collect();
            serde_json::json!(lower).to_string()
        });
        sqlx::query_scalar(
            "WITH RECURSIVE covered (id) AS (
                 SELECT id FROM units
                 WHERE municipality_code = $1
                   AND ($2 IS NULL OR lower(org_uuid) IN (SELECT value FROM json_each($2)))
                 UNION
                 SELECT u.id FROM units u JOIN covered c ON u.parent_id = c.id
             )
             SELECT u.id FROM units u JOIN covered c ON c.id = u.id
             WHERE u.municipality_code = $1
             ORDER BY u.parent_id IS NOT NULL, u.name, u.id",
        )
        .bind(municipality)
        .bind(uuids)
        .fetch_all(&self.db)
        .await
        .map_err(|e| OrgError(e.to_string()))
    }
}

/// The orderer's unit, if they have one the directory knows.
pub async fn unit_of(
    org: &dyn OrgDirectory,
    unit_id: Option<&str>,
) -> Result<Option<OrgUnit>, OrgError> {
    match unit_id {
        Some(id) => org.unit(id).await,
        None => Ok(None),
    }
}
