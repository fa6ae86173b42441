//! A local care record for development and tests (SPEC C5), as the dev
//! CPR register stands in for the real one: a FHIR R4 server with the dev
//! units' residents from `seed.json`, their medication and measurements.
//!
//! Like a real care record it accepts only access tokens for its own
//! audience from the trusted issuer (signature, `iss`, `aud`, `exp`: an
//! expired token gets 401, no leeway), and it stores a registered
//! measurement once per identifier (conditional create, `If-None-Exist`).
//! It keeps what it received in memory for the tests (`GET /dev/received`);
//! its log names requests, never health data.
//!
//! Production shape: the municipality's care record (e.g. KMD Nexus) with
//! its FHIR interface, its identity service's realm for the municipality
//! federated with KOMBIT, and its own access rules per organization. This
//! one checks the token, not who may see which resident.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Duration, NaiveTime, Utc};
use omsorg_core::care::fhir::{
    Address, Bundle, CodeableConcept, Dosage, DoseAndRate, HumanName, MedicationAdministration,
    MedicationRequest, Observation, Patient, Quantity, Reference, Timing, TimingRepeat,
};
use omsorg_core::care::measure::{self, MeasuredValue, MeasurementKind};
use omsorg_server::auth::TokenVerifier;
use serde::{Deserialize, Serialize};

pub const DEFAULT_AUDIENCE: &str = "urn:omsorg:care-record";
const SEED: &str = include_str!("../seed.json");

#[derive(Deserialize)]
struct Seed {
    residents: Vec<SeedResident>,
}

#[derive(Deserialize)]
struct SeedResident {
    id: String,
    unit: String,
    given: Vec<String>,
    family: String,
    birth_date: String,
    apartment: Option<String>,
    #[serde(default)]
    medicines: Vec<SeedMedicine>,
    #[serde(default)]
    measurements: HashMap<MeasurementKind, Vec<serde_json::Value>>,
}

#[derive(Deserialize)]
struct SeedMedicine {
    name: String,
    dose: (f64, String),
    #[serde(default)]
    times: Vec<String>,
    #[serde(default)]
    as_needed: bool,
    text: Option<String>,
    last_given_hours_ago: Option<i64>,
}

/// What the care record received: one row per create request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Received {
    pub identifier: Option<String>,
    pub patient: Option<String>,
    /// 201 stored, 200 found stored before, or the refusal's status.
    pub status: u16,
}

#[derive(Default)]
struct Store {
    patients: Vec<Patient>,
    requests: Vec<MedicationRequest>,
    given: Vec<MedicationAdministration>,
    observations: Vec<Observation>,
    received: Vec<Received>,
    next_id: u64,
}

pub struct Settings {
    /// The one issuer whose tokens are believed.
    pub issuer: String,
    pub audience: String,
    /// Answer the first create with 504 after storing it, as a gateway
    /// whose backend was slow would: the app's retry must find the first.
    pub lose_first_answer: bool,
}

#[derive(Clone)]
pub struct CareRecord(Arc<Inner>);

struct Inner {
    store: Mutex<Store>,
    verifier: Arc<TokenVerifier>,
    issuer: String,
    lose_next_answer: AtomicBool,
}

fn seeded(now: DateTime<Utc>) -> Store {
    let seed: Seed = serde_json::from_str(SEED).expect("seed.json");
    let mut store = Store::default();
    for r in seed.residents {
        store.patients.push(Patient {
            resource_type: "Patient".into(),
            id: Some(r.id.clone()),
            active: Some(true),
            name: vec![HumanName {
                use_: Some("official".into()),
                text: None,
                family: Some(r.family),
                given: r.given,
            }],
            birth_date: Some(r.birth_date),
            address: r
                .apartment
                .iter()
                .map(|a| Address {
                    use_: Some("home".into()),
                    line: vec![format!("Lejlighed {a}")],
                    city: None,
                })
                .collect(),
            managing_organization: Some(Reference::to("Organization", &r.unit)),
        });
        for (n, m) in r.medicines.into_iter().enumerate() {
            let rx_id = format!("{}-rx{}", r.id, n + 1);
            let times: Vec<String> = m
                .times
                .iter()
                .filter_map(|t| NaiveTime::parse_from_str(t, "%H:%M").ok())
                .map(|t| t.format("%H:%M:%S").to_string())
                .collect();
            store.requests.push(MedicationRequest {
                resource_type: "MedicationRequest".into(),
                id: Some(rx_id.clone()),
                contained: Vec::new(),
                status: "active".into(),
                medication_codeable_concept: Some(CodeableConcept {
                    coding: Vec::new(),
                    text: Some(m.name),
                }),
                medication_reference: None,
                subject: Reference::to("Patient", &r.id),
                dosage_instruction: vec![Dosage {
                    text: m.text,
                    timing: (!m.as_needed).then(|| Timing {
                        repeat: Some(TimingRepeat {
                            time_of_day: times,
                            ..TimingRepeat::default()
                        }),
                        code: None,
                    }),
                    as_needed_boolean: m.as_needed.then_some(true),
                    as_needed_codeable_concept: None,
                    dose_and_rate: vec![DoseAndRate {
                        dose_quantity: Some(Quantity {
                            value: Some(m.dose.0),
                            unit: Some(m.dose.1),
                            system: None,
                            code: None,
                        }),
                        dose_range: None,
                    }],
                }],
            });
            if let Some(hours) = m.last_given_hours_ago {
                store.given.push(MedicationAdministration {
                    resource_type: "MedicationAdministration".into(),
                    id: Some(format!("{rx_id}-given")),
                    status: "completed".into(),
                    subject: Reference::to("Patient", &r.id),
                    effective_date_time: Some((now - Duration::hours(hours)).to_rfc3339()),
                    effective_period: None,
                    request: Some(Reference::to("MedicationRequest", &rx_id)),
                    dosage: None,
                });
            }
        }
        for (kind, values) in r.measurements {
            for (i, v) in values.iter().enumerate() {
                let value = match (kind, v) {
                    (MeasurementKind::BloodPressure, serde_json::Value::Array(p)) => {
                        MeasuredValue::Pressure {
                            systolic: p[0].as_f64().expect("systolic"),
                            diastolic: p[1].as_f64().expect("diastolic"),
                        }
                    }
                    (_, v) => MeasuredValue::Single {
                        value: v.as_f64().expect("a number"),
                    },
                };
                let taken = now - Duration::days(2 * i as i64) - Duration::hours(3);
                let key = format!("seed-{}-{kind:?}-{i}", r.id);
                let mut obs = measure::to_observation(&r.id, kind, value, taken, &key);
                store.next_id += 1;
                obs.id = Some(format!("obs{}", store.next_id));
                store.observations.push(obs);
            }
        }
    }
    store
}

impl CareRecord {
    pub fn new(settings: Settings) -> CareRecord {
        CareRecord(Arc::new(Inner {
            store: Mutex::new(seeded(Utc::now())),
            verifier: TokenVerifier::with_leeway(settings.audience, 0),
            issuer: settings.issuer,
            lose_next_answer: AtomicBool::new(settings.lose_first_answer),
        }))
    }

    pub fn router(&self) -> Router {
        Router::new()
            .route("/fhir/metadata", get(metadata))
            .route("/fhir/Patient", get(patients))
            .route("/fhir/Patient/{id}", get(patient))
            .route("/fhir/MedicationRequest", get(medication_requests))
            .route("/fhir/MedicationAdministration", get(administrations))
            .route(
                "/fhir/Observation",
                get(observations).post(create_observation),
            )
            .route("/dev/received", get(received))
            .route("/dev/health-data", get(health_data_marker))
            .fallback(|| async { outcome(StatusCode::NOT_FOUND, "not-found", "no such resource") })
            .with_state(self.clone())
    }

    /// What was received so far (for tests in the same process).
    pub fn received(&self) -> Vec<Received> {
        self.0.store.lock().unwrap().received.clone()
    }
}

fn fhir_json<T: Serialize>(status: StatusCode, body: &T) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/fhir+json")],
        serde_json::to_string(body).unwrap_or_default(),
    )
        .into_response()
}

fn outcome(status: StatusCode, code: &str, diagnostics: &str) -> Response {
    let body = serde_json::json!({
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": diagnostics}],
    });
    let mut res = fhir_json(status, &body);
    if status == StatusCode::UNAUTHORIZED {
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer error=\"invalid_token\""),
        );
    }
    res
}

/// The caller's token, verified; a refusal as FHIR says it.
async fn authorize(record: &CareRecord, headers: &HeaderMap) -> Result<(), Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| {
            outcome(
                StatusCode::UNAUTHORIZED,
                "login",
                "a bearer token is required",
            )
        })?;
    let trusted = record.0.issuer.clone();
    match record
        .0
        .verifier
        .verify(token, async move |iss: &str| iss == trusted)
        .await
    {
        Ok(_) => Ok(()),
        Err(omsorg_server::error::ApiError::Client(
            omsorg_core::ErrorCode::IdentityUnavailable,
            _,
        )) => Err(outcome(
            StatusCode::SERVICE_UNAVAILABLE,
            "transient",
            "the identity provider's keys cannot be fetched",
        )),
        Err(_) => {
            tracing::info!("care record: token refused");
            Err(outcome(
                StatusCode::UNAUTHORIZED,
                "login",
                "invalid or expired access token",
            ))
        }
    }
}

async fn metadata() -> Response {
    fhir_json(
        StatusCode::OK,
        &serde_json::json!({
            "resourceType": "CapabilityStatement",
            "status": "active",
            "kind": "instance",
            "fhirVersion": "4.0.1",
            "format": ["application/fhir+json"],
            "rest": [{"mode": "server", "resource": [
                {"type": "Patient", "searchParam": [{"name": "organization", "type": "reference"}]},
                {"type": "MedicationRequest", "searchParam": [{"name": "patient", "type": "reference"}]},
                {"type": "MedicationAdministration", "searchParam": [{"name": "patient", "type": "reference"}]},
                {"type": "Observation", "conditionalCreate": true,
                 "searchParam": [{"name": "patient", "type": "reference"}, {"name": "identifier", "type": "token"}]}
            ]}]
        }),
    )
}

type Params = Query<HashMap<String, String>>;

/// `patient=p1` or `patient=Patient/p1`.
fn patient_param(params: &HashMap<String, String>) -> Option<String> {
    let p = params.get("patient").or_else(|| params.get("subject"))?;
    Some(p.strip_prefix("Patient/").unwrap_or(p).to_string())
}

async fn patients(State(r): State<CareRecord>, headers: HeaderMap, Query(q): Params) -> Response {
    if let Err(refused) = authorize(&r, &headers).await {
        return refused;
    }
    let Some(org) = q.get("organization") else {
        return outcome(
            StatusCode::BAD_REQUEST,
            "required",
            "search by organization",
        );
    };
    let org = org.strip_prefix("Organization/").unwrap_or(org);
    let store = r.0.store.lock().unwrap();
    let found: Vec<Patient> = store
        .patients
        .iter()
        .filter(|p| {
            p.managing_organization
                .as_ref()
                .and_then(|o| o.id_of("Organization"))
                == Some(org)
        })
        .cloned()
        .collect();
    fhir_json(StatusCode::OK, &Bundle::searchset(found))
}

async fn patient(
    State(r): State<CareRecord>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(refused) = authorize(&r, &headers).await {
        return refused;
    }
    let store = r.0.store.lock().unwrap();
    match store.patients.iter().find(|p| p.id.as_deref() == Some(&id)) {
        Some(p) => fhir_json(StatusCode::OK, p),
        None => outcome(StatusCode::NOT_FOUND, "not-found", "no such patient"),
    }
}

/// A search by `patient` in one of the store's lists.
async fn by_patient<T: Clone + Serialize>(
    r: &CareRecord,
    headers: &HeaderMap,
    q: &HashMap<String, String>,
    list: impl Fn(&Store) -> &Vec<T>,
    subject: impl Fn(&T) -> &Reference,
) -> Response {
    if let Err(refused) = authorize(r, headers).await {
        return refused;
    }
    let Some(patient) = patient_param(q) else {
        return outcome(StatusCode::BAD_REQUEST, "required", "search by patient");
    };
    let store = r.0.store.lock().unwrap();
    let found: Vec<T> = list(&store)
        .iter()
        .filter(|m| subject(m).id_of("Patient") == Some(&patient))
        .cloned()
        .collect();
    fhir_json(StatusCode::OK, &Bundle::searchset(found))
}

async fn medication_requests(
    State(r): State<CareRecord>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    by_patient(&r, &headers, &q, |s| &s.requests, |m| &m.subject).await
}

async fn administrations(
    State(r): State<CareRecord>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    by_patient(&r, &headers, &q, |s| &s.given, |m| &m.subject).await
}

/// `identifier=system|value` (a token search).
fn identifier_param(value: &str) -> Option<String> {
    let (system, key) = value.split_once('|')?;
    (system == omsorg_core::care::fhir::REGISTRATION_SYSTEM).then(|| key.to_string())
}

/// Newest first; `_count` of them (default 100).
async fn observations(
    State(r): State<CareRecord>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    if let Err(refused) = authorize(&r, &headers).await {
        return refused;
    }
    let patient = patient_param(&q);
    let identifier = q.get("identifier").and_then(|i| identifier_param(i));
    if patient.is_none() && identifier.is_none() {
        return outcome(
            StatusCode::BAD_REQUEST,
            "required",
            "search by patient or identifier",
        );
    }
    let count = q
        .get("_count")
        .and_then(|c| c.parse().ok())
        .unwrap_or(100usize);
    let store = r.0.store.lock().unwrap();
    let mut found: Vec<Observation> = store
        .observations
        .iter()
        .filter(|o| {
            patient
                .as_deref()
                .is_none_or(|p| o.subject.as_ref().and_then(|s| s.id_of("Patient")) == Some(p))
                && identifier
                    .as_deref()
                    .is_none_or(|k| o.registration_key() == Some(k))
        })
        .cloned()
        .collect();
    found.sort_by_key(|o| std::cmp::Reverse(o.effective()));
    found.truncate(count);
    fhir_json(StatusCode::OK, &Bundle::searchset(found))
}

async fn create_observation(
    State(r): State<CareRecord>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Err(refused) = authorize(&r, &headers).await {
        return refused;
    }
    let mut store = r.0.store.lock().unwrap();
    let refuse = |store: &mut Store, status: StatusCode, why: &str, obs: Option<&Observation>| {
        store.received.push(Received {
            identifier: obs.and_then(|o| o.registration_key().map(String::from)),
            patient: obs.and_then(|o| o.subject.as_ref()?.id_of("Patient").map(String::from)),
            status: status.as_u16(),
        });
        outcome(status, "invalid", why)
    };
    let obs: Observation = match serde_json::from_slice(&body) {
        Ok(o) => o,
        Err(_) => {
            return refuse(
                &mut store,
                StatusCode::BAD_REQUEST,
                "not an Observation",
                None,
            )
        }
    };
    let Some(patient) = obs.subject.as_ref().and_then(|s| s.id_of("Patient")) else {
        return refuse(
            &mut store,
            StatusCode::UNPROCESSABLE_ENTITY,
            "no subject",
            Some(&obs),
        );
    };
    if !store
        .patients
        .iter()
        .any(|p| p.id.as_deref() == Some(patient))
    {
        return refuse(
            &mut store,
            StatusCode::UNPROCESSABLE_ENTITY,
            "no such patient",
            Some(&obs),
        );
    }
    let Some(m) = measure::from_observation(&obs) else {
        return refuse(
            &mut store,
            StatusCode::UNPROCESSABLE_ENTITY,
            "not a measurement this care record takes",
            Some(&obs),
        );
    };
    if !measure::plausible(m.kind, m.value) {
        return refuse(
            &mut store,
            StatusCode::UNPROCESSABLE_ENTITY,
            "implausible value",
            Some(&obs),
        );
    }
    // Conditional create (FHIR R4 3.1.0.8.1): an If-None-Exist that finds
    // one answers with it and stores nothing.
    let condition = headers
        .get("if-none-exist")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("identifier="))
        .and_then(identifier_param);
    let key = obs.registration_key().map(String::from);
    if let Some(wanted) = &condition {
        if key.as_deref() != Some(wanted) {
            return refuse(
                &mut store,
                StatusCode::BAD_REQUEST,
                "If-None-Exist names another identifier",
                Some(&obs),
            );
        }
        if let Some(existing) = store
            .observations
            .iter()
            .find(|o| o.registration_key() == Some(wanted.as_str()))
            .cloned()
        {
            store.received.push(Received {
                identifier: key,
                patient: Some(patient.to_string()),
                status: 200,
            });
            return fhir_json(StatusCode::OK, &existing);
        }
    }
    let mut stored = obs.clone();
    store.next_id += 1;
    stored.id = Some(format!("obs{}", store.next_id));
    store.observations.push(stored.clone());
    store.received.push(Received {
        identifier: key,
        patient: Some(patient.to_string()),
        status: 201,
    });
    tracing::info!(id = stored.id.as_deref(), "care record: observation stored");
    if r.0.lose_next_answer.swap(false, Ordering::SeqCst) {
        return outcome(
            StatusCode::GATEWAY_TIMEOUT,
            "timeout",
            "the answer was lost on the way",
        );
    }
    let mut res = fhir_json(StatusCode::CREATED, &stored);
    if let Ok(location) =
        format!("Observation/{}", stored.id.as_deref().unwrap_or_default()).parse()
    {
        res.headers_mut().insert(header::LOCATION, location);
    }
    res
}

async fn received(State(r): State<CareRecord>) -> Json<Vec<Received>> {
    Json(r.received())
}

/// Every resident's name and every medicine, for the test that looks for
/// health data where it must not be (the app's store, logs, web storage).
async fn health_data_marker(State(r): State<CareRecord>) -> Json<Vec<String>> {
    let store = r.0.store.lock().unwrap();
    let mut words: Vec<String> = store
        .patients
        .iter()
        .filter_map(|p| p.name.first().and_then(HumanName::full))
        .collect();
    words.extend(store.requests.iter().filter_map(|m| {
        m.medication_codeable_concept
            .as_ref()
            .and_then(|c| c.text.clone())
    }));
    Json(words)
}
