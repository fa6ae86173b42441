//! The subset of FHIR R4 JSON the care-record screens read and write:
//! `Patient`, `MedicationRequest`, `MedicationAdministration`,
//! `Observation` and the search `Bundle`. Unknown elements are ignored on
//! reading (a care record sends far more than we show); what we write is
//! valid R4. Checked against the specification's own example resources
//! (`tests/fhir-r4/`, from the `hl7.fhir.r4.examples` 4.0.1 package).
//!
//! No FHIR model crate: the maintained ones generate every resource of the
//! standard, which costs minutes of build on these machines for five
//! resources' worth of fields.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub const LOINC: &str = "http://loinc.org";
pub const UCUM: &str = "http://unitsofmeasure.org";
pub const OBSERVATION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
/// The identifier system of registrations made in Omsorg: its value is the
/// registration's key, so a retried create finds the first (conditional
/// create, `If-None-Exist`).
pub const REGISTRATION_SYSTEM: &str = "urn:omsorg:registration";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Coding {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeableConcept {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coding: Vec<Coding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl CodeableConcept {
    pub fn coded(system: &str, code: &str, display: &str) -> CodeableConcept {
        CodeableConcept {
            coding: vec![Coding {
                system: Some(system.into()),
                code: Some(code.into()),
                display: Some(display.into()),
            }],
            text: None,
        }
    }

    /// Whether one of its codings is `code` in `system`.
    pub fn has(&self, system: &str, code: &str) -> bool {
        self.coding
            .iter()
            .any(|c| c.system.as_deref() == Some(system) && c.code.as_deref() == Some(code))
    }

    /// What to show: the text, else the first coding's display.
    pub fn label(&self) -> Option<&str> {
        self.text
            .as_deref()
            .or_else(|| self.coding.iter().find_map(|c| c.display.as_deref()))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reference {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

impl Reference {
    pub fn to(kind: &str, id: &str) -> Reference {
        Reference {
            reference: Some(format!("{kind}/{id}")),
            display: None,
        }
    }

    /// The id when this is a reference to a `kind` (`Patient/p1` → `p1`).
    pub fn id_of(&self, kind: &str) -> Option<&str> {
        self.reference
            .as_deref()?
            .strip_prefix(kind)?
            .strip_prefix('/')
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identifier {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Quantity {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Range {
    #[serde(default)]
    pub low: Option<Quantity>,
    #[serde(default)]
    pub high: Option<Quantity>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Period {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HumanName {
    #[serde(rename = "use", default, skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub given: Vec<String>,
}

impl HumanName {
    /// "Given Family", or the text.
    pub fn full(&self) -> Option<String> {
        if let Some(text) = &self.text {
            return Some(text.clone());
        }
        let mut parts: Vec<&str> = self.given.iter().map(String::as_str).collect();
        parts.extend(self.family.as_deref());
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    #[serde(rename = "use", default, skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub line: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Patient {
    pub resource_type: String,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub name: Vec<HumanName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub address: Vec<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managing_organization: Option<Reference>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimingRepeat {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_unit: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub time_of_day: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub when: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Timing {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat: Option<TimingRepeat>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<CodeableConcept>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DoseAndRate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dose_quantity: Option<Quantity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dose_range: Option<Range>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dosage {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timing: Option<Timing>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_needed_boolean: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_needed_codeable_concept: Option<CodeableConcept>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dose_and_rate: Vec<DoseAndRate>,
}

impl Dosage {
    /// PN: "as needed", with or without a reason.
    pub fn as_needed(&self) -> bool {
        self.as_needed_boolean == Some(true) || self.as_needed_codeable_concept.is_some()
    }
}

/// A contained resource: only a `Medication`'s code is read from it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contained {
    pub resource_type: String,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<CodeableConcept>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MedicationRequest {
    pub resource_type: String,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contained: Vec<Contained>,
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medication_codeable_concept: Option<CodeableConcept>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medication_reference: Option<Reference>,
    pub subject: Reference,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dosage_instruction: Vec<Dosage>,
}

/// The medicine's name: its code, or the contained `Medication` it refers to.
pub fn medicine_name(
    concept: &Option<CodeableConcept>,
    reference: &Option<Reference>,
    contained: &[Contained],
) -> Option<String> {
    if let Some(label) = concept.as_ref().and_then(CodeableConcept::label) {
        return Some(label.to_string());
    }
    let reference = reference.as_ref()?;
    if let Some(local) = reference
        .reference
        .as_deref()
        .and_then(|r| r.strip_prefix('#'))
    {
        let found = contained
            .iter()
            .find(|c| c.resource_type == "Medication" && c.id.as_deref() == Some(local));
        if let Some(label) = found.and_then(|c| c.code.as_ref()).and_then(|c| c.label()) {
            return Some(label.to_string());
        }
    }
    reference.display.clone()
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdministrationDosage {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dose: Option<Quantity>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MedicationAdministration {
    pub resource_type: String,
    #[serde(default)]
    pub id: Option<String>,
    pub status: String,
    pub subject: Reference,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_date_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_period: Option<Period>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<Reference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dosage: Option<AdministrationDosage>,
}

impl MedicationAdministration {
    /// When it was given (its start, for one given over a period).
    pub fn given_at(&self) -> Option<DateTime<Utc>> {
        let when = self
            .effective_date_time
            .as_deref()
            .or_else(|| self.effective_period.as_ref()?.start.as_deref())?;
        instant(when)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObservationComponent {
    pub code: CodeableConcept,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_quantity: Option<Quantity>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Observation {
    pub resource_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifier: Vec<Identifier>,
    pub status: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub category: Vec<CodeableConcept>,
    pub code: CodeableConcept,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Reference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_date_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_period: Option<Period>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub performer: Vec<Reference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_quantity: Option<Quantity>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub component: Vec<ObservationComponent>,
}

impl Observation {
    pub fn effective(&self) -> Option<DateTime<Utc>> {
        let when = self
            .effective_date_time
            .as_deref()
            .or_else(|| self.effective_period.as_ref()?.start.as_deref())?;
        instant(when)
    }

    /// The key it was registered under in Omsorg, if it was.
    pub fn registration_key(&self) -> Option<&str> {
        self.identifier
            .iter()
            .find(|i| i.system.as_deref() == Some(REGISTRATION_SYSTEM))
            .and_then(|i| i.value.as_deref())
    }
}

/// A search result (`Bundle` of type `searchset`) of one resource type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bundle<T> {
    pub resource_type: String,
    #[serde(rename = "type")]
    pub type_: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<usize>,
    #[serde(default = "Vec::new")]
    pub entry: Vec<BundleEntry<T>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BundleEntry<T> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_url: Option<String>,
    pub resource: T,
}

impl<T> Bundle<T> {
    pub fn searchset(resources: Vec<T>) -> Bundle<T> {
        Bundle {
            resource_type: "Bundle".into(),
            type_: "searchset".into(),
            total: Some(resources.len()),
            entry: resources
                .into_iter()
                .map(|resource| BundleEntry {
                    full_url: None,
                    resource,
                })
                .collect(),
        }
    }

    pub fn resources(self) -> impl Iterator<Item = T> {
        self.entry.into_iter().map(|e| e.resource)
    }
}

/// A FHIR `dateTime` or `instant` as a moment: with an offset as given, a
/// bare date as its midnight in UTC. `None` for anything else.
pub fn instant(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example<T: serde::de::DeserializeOwned>(name: &str) -> T {
        let path = format!("{}/tests/fhir-r4/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap();
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    #[test]
    fn the_specifications_examples_read() {
        let patient: Patient = example("Patient-example.json");
        assert_eq!(patient.resource_type, "Patient");
        assert_eq!(
            patient.name[0].full().as_deref(),
            Some("Peter James Chalmers")
        );
        assert_eq!(patient.birth_date.as_deref(), Some("1974-12-25"));

        let rx: MedicationRequest = example("MedicationRequest-medrx0311.json");
        assert_eq!(
            medicine_name(
                &rx.medication_codeable_concept,
                &rx.medication_reference,
                &rx.contained
            )
            .as_deref(),
            Some("Chlorthalidone 50mg tablet (product)")
        );
        assert_eq!(rx.subject.id_of("Patient"), Some("pat1"));

        let pn: MedicationRequest = example("MedicationRequest-medrx0315.json");
        assert!(pn.dosage_instruction[0].as_needed());

        let given: MedicationAdministration = example("MedicationAdministration-medadmin0301.json");
        assert_eq!(
            given.given_at().unwrap().to_rfc3339(),
            "2015-01-15T13:30:00+00:00"
        );

        let bp: Observation = example("Observation-blood-pressure.json");
        assert_eq!(bp.component.len(), 2);
        assert_eq!(
            bp.effective().unwrap().to_rfc3339(),
            "2012-09-17T00:00:00+00:00"
        );
        let glucose: Observation = example("Observation-f001.json");
        assert_eq!(
            glucose.effective().unwrap().to_rfc3339(),
            "2013-04-02T08:30:10+00:00"
        );
    }

    #[test]
    fn a_bundle_round_trips_as_the_standard_names_it() {
        let bundle = Bundle::searchset(vec![Patient {
            resource_type: "Patient".into(),
            id: Some("p1".into()),
            ..Patient::default()
        }]);
        let json = serde_json::to_value(&bundle).unwrap();
        assert_eq!(json["resourceType"], "Bundle");
        assert_eq!(json["type"], "searchset");
        assert_eq!(json["entry"][0]["resource"]["id"], "p1");
        let back: Bundle<Patient> = serde_json::from_value(json).unwrap();
        assert_eq!(back, bundle);
    }
}
