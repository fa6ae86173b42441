//! The development data (SPEC.md), one file (`server/dev-idp/dev-data.json`)
//! that both the dev IdP and this backend's dev seed read, so they cannot
//! disagree: the IdP puts the people's privileges in their tokens, the seed
//! makes the municipalities and units, and the backend learns the people at
//! their first login. Never used outside `OMSORG_DEV_SEED=1` and tests.

use std::collections::BTreeMap;

use omsorg_core::privileges::{Constraint, PrivilegeGroup, PrivilegeList};
use serde::Deserialize;

const JSON: &str = include_str!("../dev-idp/dev-data.json");

#[derive(Debug, Deserialize)]
pub struct DevData {
    /// Role names as the data file writes them → user-system role URIs.
    pub roles: BTreeMap<String, String>,
    pub municipalities: Vec<DevMunicipality>,
    pub units: Vec<DevUnit>,
    pub people: Vec<DevPerson>,
}

#[derive(Debug, Deserialize)]
pub struct DevMunicipality {
    pub code: String,
    pub name: String,
    pub cvr: String,
    pub login_enabled: bool,
}

#[derive(Debug, Deserialize)]
pub struct DevUnit {
    pub id: String,
    /// The org unit's UUID, as KOMBIT's org-unit constraint names it.
    pub uuid: String,
    pub municipality: String,
    pub name: String,
    pub parent: Option<String>,
    pub manager: Option<String>,
    pub manager_email: Option<String>,
    /// The systems (directory groups) its substitutes get, until an
    /// administrator changes them.
    #[serde(default)]
    pub systems: Vec<String>,
    pub may_order: bool,
}

#[derive(Debug, Deserialize)]
pub struct DevPerson {
    pub user_id: String,
    pub password: String,
    pub name: String,
    pub email: String,
    pub municipality: String,
    /// NSIS level: Low, Substantial or High.
    pub loa: String,
    /// The dev PIN (SPEC.md), set when the backend first learns the person.
    pub pin: Option<String>,
    pub privileges: Vec<DevGrant>,
}

/// Roles limited to units (none: the whole municipality).
#[derive(Debug, Deserialize)]
pub struct DevGrant {
    pub roles: Vec<String>,
    pub units: Vec<String>,
}

pub fn get() -> &'static DevData {
    static DATA: std::sync::OnceLock<DevData> = std::sync::OnceLock::new();
    DATA.get_or_init(|| serde_json::from_str(JSON).expect("dev-data.json is valid"))
}

impl DevData {
    pub fn person(&self, user_id: &str) -> Option<&DevPerson> {
        self.people.iter().find(|p| p.user_id == user_id)
    }

    /// The privilege list KOMBIT would send for `person` (what the dev IdP
    /// builds from the same file).
    pub fn privileges_of(&self, person: &DevPerson) -> PrivilegeList {
        let cvr = self
            .municipalities
            .iter()
            .find(|m| m.code == person.municipality)
            .map_or("", |m| m.cvr.as_str());
        let groups = person
            .privileges
            .iter()
            .map(|g| PrivilegeGroup {
                scope: format!("{}{cvr}", omsorg_core::privileges::CVR_SCOPE),
                privileges: g.roles.iter().map(|r| self.roles[r].clone()).collect(),
                constraints: g
                    .units
                    .iter()
                    .filter_map(|id| self.units.iter().find(|u| &u.id == id))
                    .map(|u| Constraint {
                        name: omsorg_core::privileges::ORG_UNIT_CONSTRAINT.into(),
                        value: u.uuid.clone(),
                    })
                    .collect(),
            })
            .collect();
        PrivilegeList { groups }
    }

    /// The NSIS level's URI as the token's `loa` claim carries it.
    pub fn loa_of(person: &DevPerson) -> String {
        format!("https://data.gov.dk/concept/core/nsis/loa/{}", person.loa)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The file's role URIs are Omsorg's, its people's units and
    /// municipalities exist, and their privileges read back as given.
    #[test]
    fn the_dev_data_agrees_with_the_roles_and_itself() {
        let data = get();
        for (uri, _) in omsorg_core::privileges::ROLES {
            assert!(data.roles.values().any(|u| u == uri), "{uri}");
        }
        assert_eq!(data.roles.len(), omsorg_core::privileges::ROLES.len());
        for p in &data.people {
            assert!(data.municipalities.iter().any(|m| m.code == p.municipality));
            for g in &p.privileges {
                for u in &g.units {
                    let unit = data.units.iter().find(|x| &x.id == u).expect(u);
                    assert_eq!(unit.municipality, p.municipality, "{}: {u}", p.user_id);
                }
            }
            let xml = data.privileges_of(p).to_xml();
            let grants = omsorg_core::privileges::omsorg_grants(
                &omsorg_core::privileges::parse(xml.as_bytes()).unwrap(),
            );
            assert_eq!(grants.is_empty(), p.privileges.is_empty(), "{}", p.user_id);
        }
        for u in &data.units {
            if let Some(parent) = &u.parent {
                assert!(data.units.iter().any(|x| &x.id == parent), "{parent}");
            }
        }
    }
}
