//! The care record behind its adapter (SPEC C5): the shell talks FHIR R4
//! JSON to the municipality's care record with the integration session's
//! token, and hands the UI the core's shapes (residents, today's
//! medication, measurements). The rules of those shapes are the core's
//! (`omsorg_core::care`); this module is HTTP and errors.
//!
//! Health data passes through memory only: nothing here writes to the
//! store, the keystore or a log (log lines name the request kind and the
//! status, never a resident, a value or a medicine).

use std::time::Duration;

use chrono::{DateTime, Utc};
use omsorg_core::care::fhir::{
    Bundle, MedicationAdministration, MedicationRequest, Observation, Patient,
};
use omsorg_core::care::{
    measure, CareRecordSettings, Measurement, MeasurementInput, MeasurementList, MedicationDay,
    Resident, ResidentList,
};
use omsorg_core::ErrorCode;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;

use crate::error::CommandError;

/// How often a registration is sent in all when its answer is lost.
const SENDS: usize = 3;
/// How many measurements "Målinger" shows.
const RECENT: usize = 60;

pub struct CareClient {
    http: reqwest::Client,
}

fn unavailable(why: &str) -> CommandError {
    CommandError::new(ErrorCode::CareRecordUnavailable, why)
}

/// A FHIR logical id (R4: `[A-Za-z0-9\-\.]{1,64}`): anything else is not
/// put into a URL.
fn fhir_id(id: &str) -> Result<&str, CommandError> {
    let ok = (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    if ok {
        Ok(id)
    } else {
        Err(CommandError::new(
            ErrorCode::RequestInvalid,
            "not a resident's id",
        ))
    }
}

impl CareClient {
    pub fn new() -> CareClient {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10))
            .build()
            .expect("HTTP client");
        CareClient { http }
    }

    async fn send(
        &self,
        method: Method,
        settings: &CareRecordSettings,
        token: &str,
        path: &str,
        extra: Option<(&'static str, String)>,
        body: Option<String>,
    ) -> Result<(StatusCode, Vec<u8>), CommandError> {
        let url = format!("{}/{path}", settings.fhir_base.trim_end_matches('/'));
        let mut auth = reqwest::header::HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(|_| CommandError::new(ErrorCode::Internal, "unusable token"))?;
        auth.set_sensitive(true);
        let mut req = self
            .http
            .request(method, url)
            .header(reqwest::header::AUTHORIZATION, auth)
            .header(reqwest::header::ACCEPT, "application/fhir+json");
        if let Some((name, value)) = extra {
            req = req.header(name, value);
        }
        if let Some(body) = body {
            req = req
                .header(reqwest::header::CONTENT_TYPE, "application/fhir+json")
                .body(body);
        }
        let kind = path.split(['?', '/']).next().unwrap_or_default();
        let res = req.send().await.map_err(|e| {
            tracing::warn!(kind, error = %e.without_url(), "care record unreachable");
            unavailable("the care record does not answer")
        })?;
        let status = res.status();
        let bytes = res
            .bytes()
            .await
            .map_err(|_| unavailable("the care record's answer broke off"))?;
        tracing::info!(kind, status = status.as_u16(), "care record answered");
        match status {
            s if s.is_success() => Ok((s, bytes.to_vec())),
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Err(CommandError::new(
                ErrorCode::CareLoginRequired,
                "the care record refused the token",
            )),
            StatusCode::NOT_FOUND => Err(CommandError::new(
                ErrorCode::NotFound,
                "not in the care record",
            )),
            StatusCode::UNPROCESSABLE_ENTITY => Err(CommandError::new(
                ErrorCode::MeasurementInvalid,
                "the care record refused the value",
            )),
            s if s.is_server_error() => Err(unavailable("the care record is not working")),
            _ => Err(unavailable("the care record answered outside FHIR")),
        }
    }

    async fn search<T: DeserializeOwned>(
        &self,
        settings: &CareRecordSettings,
        token: &str,
        path: &str,
    ) -> Result<Vec<T>, CommandError> {
        let (_, bytes) = self
            .send(Method::GET, settings, token, path, None, None)
            .await?;
        let bundle: Bundle<T> = serde_json::from_slice(&bytes)
            .map_err(|_| unavailable("the care record's answer is not a FHIR Bundle"))?;
        if bundle.resource_type != "Bundle" {
            return Err(unavailable("the care record's answer is not a FHIR Bundle"));
        }
        Ok(bundle.resources().collect())
    }

    /// The unit's residents, by name.
    pub async fn residents(
        &self,
        settings: &CareRecordSettings,
        token: &str,
    ) -> Result<ResidentList, CommandError> {
        let path = format!("Patient?organization={}", fhir_id(&settings.organization)?);
        let patients: Vec<Patient> = self.search(settings, token, &path).await?;
        let residents = patients.iter().filter_map(Resident::from_patient).collect();
        Ok(ResidentList {
            residents: omsorg_core::care::residents_in_order(residents, None),
        })
    }

    /// Today's medication: the orders and what was given, asked at once.
    pub async fn medication(
        &self,
        settings: &CareRecordSettings,
        token: &str,
        resident: &str,
    ) -> Result<MedicationDay, CommandError> {
        let id = fhir_id(resident)?;
        let orders = format!("MedicationRequest?patient={id}");
        let given = format!("MedicationAdministration?patient={id}");
        let (orders, given) = tokio::try_join!(
            self.search::<MedicationRequest>(settings, token, &orders),
            self.search::<MedicationAdministration>(settings, token, &given),
        )?;
        Ok(omsorg_core::care::medication::medication_day(
            &orders, &given,
        ))
    }

    /// Recent measurements of the five kinds, newest first.
    pub async fn measurements(
        &self,
        settings: &CareRecordSettings,
        token: &str,
        resident: &str,
    ) -> Result<MeasurementList, CommandError> {
        let path = format!(
            "Observation?patient={}&category=vital-signs&_sort=-date&_count={RECENT}",
            fhir_id(resident)?
        );
        let found: Vec<Observation> = self.search(settings, token, &path).await?;
        let mut measurements: Vec<Measurement> =
            found.iter().filter_map(measure::from_observation).collect();
        measurements.sort_by_key(|m| std::cmp::Reverse(m.taken_at));
        Ok(MeasurementList { measurements })
    }

    /// "Registrér måling": checked here as in the UI, then created once
    /// under `key` however often it must be sent (conditional create).
    pub async fn register(
        &self,
        settings: &CareRecordSettings,
        token: &str,
        resident: &str,
        input: &MeasurementInput,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Measurement, CommandError> {
        let id = fhir_id(resident)?;
        if !omsorg_core::care::valid_registration_key(key) {
            return Err(CommandError::new(
                ErrorCode::RequestInvalid,
                "not a registration key",
            ));
        }
        let (kind, value) = measure::parse(input)
            .map_err(|p| CommandError::new(ErrorCode::MeasurementInvalid, format!("{p:?}")))?;
        let observation = measure::to_observation(id, kind, value, now, key);
        let body = serde_json::to_string(&observation).expect("json");
        let condition = format!(
            "identifier={}|{key}",
            omsorg_core::care::fhir::REGISTRATION_SYSTEM
        );
        let mut last = None;
        for _ in 0..SENDS {
            let sent = self
                .send(
                    Method::POST,
                    settings,
                    token,
                    "Observation",
                    Some(("If-None-Exist", condition.clone())),
                    Some(body.clone()),
                )
                .await;
            match sent {
                Ok((_, bytes)) => {
                    let stored: Observation = serde_json::from_slice(&bytes).map_err(|_| {
                        unavailable("the care record's answer is not an Observation")
                    })?;
                    return measure::from_observation(&stored)
                        .ok_or_else(|| unavailable("the care record stored something else"));
                }
                Err(e) if e.code == ErrorCode::CareRecordUnavailable => {
                    tracing::info!("care record: registration answer lost; sending it again");
                    last = Some(e);
                    tokio::time::sleep(Duration::from_millis(300)).await;
                }
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| unavailable("the care record does not answer")))
    }
}

impl Default for CareClient {
    fn default() -> Self {
        Self::new()
    }
}
