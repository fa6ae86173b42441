//! The care record (SPEC C5): its own integration session, the residents,
//! their medication and measurements, read from and written to the care
//! record's FHIR R4 interface.
//!
//! The session's rules have an injected clock: the shell asks with the real
//! time, the tests with made-up ones.

pub mod fhir;
pub mod measure;
pub mod medication;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub use measure::{MeasuredValue, Measurement, MeasurementInput, MeasurementKind};
pub use medication::MedicationDay;

/// The notice that the care-record session ends soon comes this long before.
pub const NOTICE_BEFORE_END: Duration = Duration::minutes(5);

/// `GET /api/v1/care-record`: where the acting unit's care record is and
/// how the app logs in to it (the municipality's own realm at the care
/// record's identity service).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CareRecordSettings {
    /// The care record's authorization server (OpenID Provider).
    pub issuer: String,
    pub client_id: String,
    /// The resource indicator (RFC 8707) its tokens are for: the FHIR
    /// server's audience.
    pub resource: String,
    /// The FHIR R4 base URL.
    pub fhir_base: String,
    /// The acting unit's organization in the care record (`Patient?organization=`).
    pub organization: String,
}

/// The integration session: valid until its token expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntegrationSession {
    pub expires_at: DateTime<Utc>,
}

impl IntegrationSession {
    /// A token issued at `now` that expires in `expires_in` seconds
    /// (`None`: the provider did not say; it is then not believed at all).
    pub fn from_token(
        now: DateTime<Utc>,
        expires_in_secs: Option<u64>,
    ) -> Option<IntegrationSession> {
        let secs = i64::try_from(expires_in_secs?).ok()?;
        (secs > 0).then(|| IntegrationSession {
            expires_at: now + Duration::seconds(secs),
        })
    }

    pub fn status(&self, now: DateTime<Utc>) -> CareStatus {
        let remaining = (self.expires_at - now).num_seconds();
        if remaining <= 0 {
            return CareStatus::Expired;
        }
        CareStatus::Active {
            remaining_secs: remaining as u64,
            ending_soon: self.expires_at - now <= NOTICE_BEFORE_END,
        }
    }

    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        matches!(self.status(now), CareStatus::Active { .. })
    }
}

/// The care-record session as the screens show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CareStatus {
    /// Not logged in to the care record (yet, or since sign-out).
    None,
    Active {
        remaining_secs: u64,
        /// Within [`NOTICE_BEFORE_END`] of the end.
        ending_soon: bool,
    },
    /// "Din Nexus-adgang er udløbet".
    Expired,
}

/// "m:ss" left, or "h:mm:ss" for an hour or more.
pub fn remaining_label(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resident {
    /// The care record's `Patient` id.
    pub id: String,
    pub name: String,
    pub birth_date: Option<NaiveDate>,
    /// The apartment, from an address line "Lejlighed 12".
    pub apartment: Option<String>,
}

const APARTMENT_LINE: &str = "Lejlighed ";

impl Resident {
    pub fn from_patient(p: &fhir::Patient) -> Option<Resident> {
        if p.resource_type != "Patient" || p.active == Some(false) {
            return None;
        }
        let name = p
            .name
            .iter()
            .find(|n| n.use_.as_deref() != Some("old") && n.use_.as_deref() != Some("maiden"))
            .and_then(fhir::HumanName::full)?;
        let apartment = p
            .address
            .iter()
            .flat_map(|a| a.line.iter())
            .find_map(|l| l.strip_prefix(APARTMENT_LINE))
            .map(|a| a.trim().to_string());
        Some(Resident {
            id: p.id.clone()?,
            name,
            birth_date: p
                .birth_date
                .as_deref()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
            apartment,
        })
    }
}

/// The unit's residents as "Beboere" lists them: on an apartment tablet
/// that apartment's resident first, then by name.
pub fn residents_in_order(mut residents: Vec<Resident>, apartment: Option<&str>) -> Vec<Resident> {
    residents.sort_by(|a, b| {
        let here = |r: &Resident| apartment.is_none() || r.apartment.as_deref() != apartment;
        (here(a), a.name.to_lowercase(), &a.id).cmp(&(here(b), b.name.to_lowercase(), &b.id))
    });
    residents
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResidentList {
    pub residents: Vec<Resident>,
}

/// A resident's recent measurements, newest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MeasurementList {
    pub measurements: Vec<Measurement>,
}

impl MeasurementList {
    /// One kind's values, oldest first (a trend chart's points).
    pub fn series(&self, kind: MeasurementKind) -> Vec<&Measurement> {
        let mut points: Vec<_> = self
            .measurements
            .iter()
            .filter(|m| m.kind == kind)
            .collect();
        points.sort_by_key(|m| m.taken_at);
        points
    }
}

/// A registration key: what the UI makes once per "Registrér måling" form
/// and sends with every try, so the care record stores it once.
pub fn valid_registration_key(key: &str) -> bool {
    (16..=64).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_session_lasts_as_its_token_with_a_notice_five_minutes_before() {
        let start = at("2026-12-02T08:00:00Z");
        let s = IntegrationSession::from_token(start, Some(90 * 60)).unwrap();
        assert_eq!(
            s.status(start),
            CareStatus::Active {
                remaining_secs: 5400,
                ending_soon: false
            }
        );
        assert_eq!(
            s.status(at("2026-12-02T09:24:59Z")),
            CareStatus::Active {
                remaining_secs: 301,
                ending_soon: false
            }
        );
        assert_eq!(
            s.status(at("2026-12-02T09:25:00Z")),
            CareStatus::Active {
                remaining_secs: 300,
                ending_soon: true
            }
        );
        assert_eq!(s.status(at("2026-12-02T09:30:00Z")), CareStatus::Expired);
        assert!(!s.is_live(at("2026-12-02T10:00:00Z")));
        assert_eq!(IntegrationSession::from_token(start, None), None);
        assert_eq!(IntegrationSession::from_token(start, Some(0)), None);
        assert_eq!(remaining_label(5400), "1:30:00");
        assert_eq!(remaining_label(299), "4:59");
    }

    #[test]
    fn the_apartments_resident_comes_first_on_its_tablet() {
        let r = |id: &str, name: &str, apt: Option<&str>| Resident {
            id: id.into(),
            name: name.into(),
            birth_date: None,
            apartment: apt.map(String::from),
        };
        let all = vec![
            r("1", "Bent Holm", Some("3")),
            r("2", "Aase Lund", Some("7")),
            r("3", "Carla Berg", None),
        ];
        let names = |v: Vec<Resident>| v.into_iter().map(|r| r.id).collect::<Vec<_>>();
        assert_eq!(
            names(residents_in_order(all.clone(), None)),
            ["2", "1", "3"]
        );
        assert_eq!(names(residents_in_order(all, Some("3"))), ["1", "2", "3"]);
    }

    #[test]
    fn a_patient_becomes_a_resident_with_the_name_in_use() {
        let path = format!(
            "{}/tests/fhir-r4/Patient-example.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let mut p: fhir::Patient =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let r = Resident::from_patient(&p).unwrap();
        assert_eq!(r.name, "Peter James Chalmers");
        assert_eq!(r.birth_date, NaiveDate::from_ymd_opt(1974, 12, 25));
        p.address[0].line.push("Lejlighed 12".into());
        assert_eq!(
            Resident::from_patient(&p).unwrap().apartment.as_deref(),
            Some("12")
        );
        p.active = Some(false);
        assert_eq!(Resident::from_patient(&p), None);
    }

    #[test]
    fn registration_keys_are_long_and_plain() {
        assert!(valid_registration_key(
            "3f2a9c1e-77b0-4d1a-9e55-1f0b6e3d9a03"
        ));
        assert!(!valid_registration_key("short"));
        assert!(!valid_registration_key(
            "3f2a9c1e 77b0 4d1a 9e55 1f0b6e3d9a03"
        ));
    }
}
