//! Measurements (`Målinger`): the five kinds staff register, their LOINC
//! codes and UCUM units, the plausible range a typed value must be in, and
//! the FHIR `Observation` each one is.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::fhir::{
    CodeableConcept, Identifier, Observation, ObservationComponent, Quantity, Reference, LOINC,
    OBSERVATION_CATEGORY, REGISTRATION_SYSTEM, UCUM,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasurementKind {
    BloodPressure,
    Pulse,
    Temperature,
    Weight,
    BloodGlucose,
}

const SYSTOLIC: &str = "8480-6";
const DIASTOLIC: &str = "8462-4";
/// The blood-pressure panel of earlier FHIR versions' examples, still sent.
const BP_PANEL_OLD: &str = "55284-4";

impl MeasurementKind {
    pub const ALL: [MeasurementKind; 5] = [
        MeasurementKind::BloodPressure,
        MeasurementKind::Pulse,
        MeasurementKind::Temperature,
        MeasurementKind::Weight,
        MeasurementKind::BloodGlucose,
    ];

    pub fn loinc(self) -> &'static str {
        match self {
            MeasurementKind::BloodPressure => "85354-9",
            MeasurementKind::Pulse => "8867-4",
            MeasurementKind::Temperature => "8310-5",
            MeasurementKind::Weight => "29463-7",
            MeasurementKind::BloodGlucose => "15074-8",
        }
    }

    fn display(self) -> &'static str {
        match self {
            MeasurementKind::BloodPressure => "Blood pressure panel with all children optional",
            MeasurementKind::Pulse => "Heart rate",
            MeasurementKind::Temperature => "Body temperature",
            MeasurementKind::Weight => "Body weight",
            MeasurementKind::BloodGlucose => "Glucose [Moles/volume] in Blood",
        }
    }

    /// The UCUM code its values are in.
    pub fn ucum(self) -> &'static str {
        match self {
            MeasurementKind::BloodPressure => "mm[Hg]",
            MeasurementKind::Pulse => "/min",
            MeasurementKind::Temperature => "Cel",
            MeasurementKind::Weight => "kg",
            MeasurementKind::BloodGlucose => "mmol/L",
        }
    }

    /// The unit as people read it (the same in Danish and English).
    pub fn unit_label(self) -> &'static str {
        match self {
            MeasurementKind::BloodPressure => "mmHg",
            MeasurementKind::Pulse => "/min",
            MeasurementKind::Temperature => "°C",
            MeasurementKind::Weight => "kg",
            MeasurementKind::BloodGlucose => "mmol/l",
        }
    }

    /// Values outside this are typing errors, not measurements (for blood
    /// pressure: the systolic; the diastolic has [`DIASTOLIC_RANGE`]).
    pub fn plausible(self) -> Plausible {
        let (low, high, decimals) = match self {
            MeasurementKind::BloodPressure => (50.0, 260.0, 0),
            MeasurementKind::Pulse => (25.0, 250.0, 0),
            MeasurementKind::Temperature => (33.0, 43.0, 1),
            MeasurementKind::Weight => (20.0, 300.0, 1),
            MeasurementKind::BloodGlucose => (1.0, 35.0, 1),
        };
        Plausible {
            low,
            high,
            decimals,
        }
    }

    fn of(code: &CodeableConcept) -> Option<MeasurementKind> {
        if code.has(LOINC, BP_PANEL_OLD) {
            return Some(MeasurementKind::BloodPressure);
        }
        MeasurementKind::ALL
            .into_iter()
            .find(|k| code.has(LOINC, k.loinc()))
    }
}

pub const DIASTOLIC_RANGE: Plausible = Plausible {
    low: 30.0,
    high: 160.0,
    decimals: 0,
};

/// A plausible range and how many decimals a value may have.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Plausible {
    pub low: f64,
    pub high: f64,
    pub decimals: u8,
}

/// A measured value: one number, or a blood pressure's two.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MeasuredValue {
    Single { value: f64 },
    Pressure { systolic: f64, diastolic: f64 },
}

impl MeasuredValue {
    /// The number a trend chart plots (a blood pressure's systolic).
    pub fn primary(self) -> f64 {
        match self {
            MeasuredValue::Single { value } => value,
            MeasuredValue::Pressure { systolic, .. } => systolic,
        }
    }
}

/// A measurement as the screens show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    pub kind: MeasurementKind,
    pub taken_at: DateTime<Utc>,
    pub value: MeasuredValue,
}

/// What a person typed into "Registrér måling" (Danish decimal comma or point).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MeasurementInput {
    pub kind: Option<MeasurementKind>,
    /// The value; for blood pressure the systolic.
    pub value: String,
    /// Blood pressure's diastolic; empty for the other kinds.
    #[serde(default)]
    pub second: String,
}

/// Why a typed measurement is not sent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum MeasurementProblem {
    NoKind,
    /// `field`: 0 the value (systolic), 1 the diastolic.
    Empty {
        field: u8,
    },
    NotANumber {
        field: u8,
    },
    TooManyDecimals {
        field: u8,
        decimals: u8,
    },
    OutOfRange {
        field: u8,
        low: f64,
        high: f64,
    },
    /// The diastolic must be below the systolic.
    DiastolicNotBelowSystolic,
}

fn number(text: &str, field: u8, range: Plausible) -> Result<f64, MeasurementProblem> {
    let text = text.trim();
    if text.is_empty() {
        return Err(MeasurementProblem::Empty { field });
    }
    let normal = text.replace(',', ".");
    let well_formed = normal.chars().all(|c| c.is_ascii_digit() || c == '.')
        && normal.matches('.').count() <= 1
        && normal.chars().next().is_some_and(|c| c.is_ascii_digit());
    let value: f64 = match normal.parse() {
        Ok(v) if well_formed => v,
        _ => return Err(MeasurementProblem::NotANumber { field }),
    };
    let decimals = normal.split('.').nth(1).map_or(0, str::len);
    if decimals > usize::from(range.decimals) {
        return Err(MeasurementProblem::TooManyDecimals {
            field,
            decimals: range.decimals,
        });
    }
    if !(range.low..=range.high).contains(&value) {
        return Err(MeasurementProblem::OutOfRange {
            field,
            low: range.low,
            high: range.high,
        });
    }
    Ok(value)
}

/// The typed measurement as a value, or why it is not one.
pub fn parse(
    input: &MeasurementInput,
) -> Result<(MeasurementKind, MeasuredValue), MeasurementProblem> {
    let kind = input.kind.ok_or(MeasurementProblem::NoKind)?;
    let first = number(&input.value, 0, kind.plausible())?;
    let value = match kind {
        MeasurementKind::BloodPressure => {
            let diastolic = number(&input.second, 1, DIASTOLIC_RANGE)?;
            if diastolic >= first {
                return Err(MeasurementProblem::DiastolicNotBelowSystolic);
            }
            MeasuredValue::Pressure {
                systolic: first,
                diastolic,
            }
        }
        _ => MeasuredValue::Single { value: first },
    };
    Ok((kind, value))
}

/// Whether a value (as sent, not typed) is plausible for its kind: the
/// care record's own check of what it receives.
pub fn plausible(kind: MeasurementKind, value: MeasuredValue) -> bool {
    let within = |v: f64, r: Plausible| (r.low..=r.high).contains(&v);
    match (kind, value) {
        (
            MeasurementKind::BloodPressure,
            MeasuredValue::Pressure {
                systolic,
                diastolic,
            },
        ) => {
            within(systolic, kind.plausible())
                && within(diastolic, DIASTOLIC_RANGE)
                && diastolic < systolic
        }
        (MeasurementKind::BloodPressure, _) | (_, MeasuredValue::Pressure { .. }) => false,
        (_, MeasuredValue::Single { value }) => within(value, kind.plausible()),
    }
}

fn quantity(kind: MeasurementKind, value: f64) -> Quantity {
    Quantity {
        value: Some(value),
        unit: Some(kind.unit_label().into()),
        system: Some(UCUM.into()),
        code: Some(kind.ucum().into()),
    }
}

/// The measurement as a FHIR vital-signs `Observation` for `patient`,
/// identified by the registration's `key` (so a retry finds it).
pub fn to_observation(
    patient: &str,
    kind: MeasurementKind,
    value: MeasuredValue,
    taken_at: DateTime<Utc>,
    key: &str,
) -> Observation {
    let (value_quantity, component) = match value {
        MeasuredValue::Single { value } => (Some(quantity(kind, value)), Vec::new()),
        MeasuredValue::Pressure {
            systolic,
            diastolic,
        } => {
            let part = |code: &str, display: &str, v: f64| ObservationComponent {
                code: CodeableConcept::coded(LOINC, code, display),
                value_quantity: Some(quantity(kind, v)),
            };
            (
                None,
                vec![
                    part(SYSTOLIC, "Systolic blood pressure", systolic),
                    part(DIASTOLIC, "Diastolic blood pressure", diastolic),
                ],
            )
        }
    };
    Observation {
        resource_type: "Observation".into(),
        id: None,
        identifier: vec![Identifier {
            system: Some(REGISTRATION_SYSTEM.into()),
            value: Some(key.into()),
        }],
        status: "final".into(),
        category: vec![CodeableConcept::coded(
            OBSERVATION_CATEGORY,
            "vital-signs",
            "Vital Signs",
        )],
        code: CodeableConcept::coded(LOINC, kind.loinc(), kind.display()),
        subject: Some(Reference::to("Patient", patient)),
        effective_date_time: Some(taken_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        effective_period: None,
        performer: Vec::new(),
        value_quantity,
        component,
    }
}

/// A quantity in `kind`'s unit: as sent, or converted from the other unit
/// care records use for it (pounds, Fahrenheit). `None` for a unit we do
/// not know: better not shown than shown wrong.
fn in_unit(kind: MeasurementKind, q: &Quantity) -> Option<f64> {
    let value = q.value?;
    let code = q.code.as_deref().or(q.unit.as_deref())?;
    let converted = match (kind, code) {
        (_, c) if c == kind.ucum() => value,
        (MeasurementKind::Pulse, "{beats}/min" | "beats/min") => value,
        (MeasurementKind::Weight, "[lb_av]") => value * 0.453_592_37,
        (MeasurementKind::Weight, "g") => value / 1000.0,
        (MeasurementKind::Temperature, "[degF]") => (value - 32.0) * 5.0 / 9.0,
        (MeasurementKind::BloodGlucose, "mmol/l") => value,
        _ => return None,
    };
    Some(converted)
}

/// The observation as a measurement, if it is one of the five kinds with
/// a value in a known unit and a time.
pub fn from_observation(obs: &Observation) -> Option<Measurement> {
    if obs.resource_type != "Observation"
        || matches!(obs.status.as_str(), "cancelled" | "entered-in-error")
    {
        return None;
    }
    let kind = MeasurementKind::of(&obs.code)?;
    let taken_at = obs.effective()?;
    let value = match kind {
        MeasurementKind::BloodPressure => {
            let part = |code: &str| {
                obs.component
                    .iter()
                    .find(|c| c.code.has(LOINC, code))
                    .and_then(|c| in_unit(kind, c.value_quantity.as_ref()?))
            };
            MeasuredValue::Pressure {
                systolic: part(SYSTOLIC)?,
                diastolic: part(DIASTOLIC)?,
            }
        }
        _ => MeasuredValue::Single {
            value: in_unit(kind, obs.value_quantity.as_ref()?)?,
        },
    };
    Some(Measurement {
        kind,
        taken_at,
        value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(name: &str) -> Observation {
        let path = format!("{}/tests/fhir-r4/{name}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn typed(kind: MeasurementKind, value: &str, second: &str) -> MeasurementInput {
        MeasurementInput {
            kind: Some(kind),
            value: value.into(),
            second: second.into(),
        }
    }

    #[test]
    fn the_specifications_vital_signs_examples_are_read_in_our_units() {
        let bp = from_observation(&example("Observation-blood-pressure.json")).unwrap();
        assert_eq!(bp.kind, MeasurementKind::BloodPressure);
        assert_eq!(
            bp.value,
            MeasuredValue::Pressure {
                systolic: 107.0,
                diastolic: 60.0
            }
        );
        let pulse = from_observation(&example("Observation-heart-rate.json")).unwrap();
        assert_eq!(
            (pulse.kind, pulse.value.primary()),
            (MeasurementKind::Pulse, 44.0)
        );
        let temp = from_observation(&example("Observation-body-temperature.json")).unwrap();
        assert_eq!(temp.value.primary(), 36.5);
        // 185 lbs.
        let weight = from_observation(&example("Observation-example.json")).unwrap();
        assert_eq!(weight.kind, MeasurementKind::Weight);
        assert!((weight.value.primary() - 83.91).abs() < 0.01);
        let glucose = from_observation(&example("Observation-f001.json")).unwrap();
        assert_eq!(
            (glucose.kind, glucose.value.primary()),
            (MeasurementKind::BloodGlucose, 6.3)
        );
    }

    #[test]
    fn what_we_write_reads_back_as_what_was_typed() {
        let taken = DateTime::parse_from_rfc3339("2026-12-02T08:15:00Z")
            .unwrap()
            .with_timezone(&Utc);
        for (input, expect) in [
            (
                typed(MeasurementKind::BloodPressure, "132", "84"),
                MeasuredValue::Pressure {
                    systolic: 132.0,
                    diastolic: 84.0,
                },
            ),
            (
                typed(MeasurementKind::Temperature, "37,8", ""),
                MeasuredValue::Single { value: 37.8 },
            ),
            (
                typed(MeasurementKind::BloodGlucose, "5.4", ""),
                MeasuredValue::Single { value: 5.4 },
            ),
        ] {
            let (kind, value) = parse(&input).unwrap();
            assert_eq!(value, expect);
            let obs = to_observation("p1", kind, value, taken, "k-1");
            assert_eq!(obs.registration_key(), Some("k-1"));
            let json = serde_json::to_value(&obs).unwrap();
            assert_eq!(json["subject"]["reference"], "Patient/p1");
            assert_eq!(json["effectiveDateTime"], "2026-12-02T08:15:00Z");
            let back = from_observation(&serde_json::from_value(json).unwrap()).unwrap();
            assert_eq!((back.kind, back.value, back.taken_at), (kind, value, taken));
        }
    }

    #[test]
    fn implausible_or_malformed_input_is_refused_with_its_reason() {
        use MeasurementKind::*;
        use MeasurementProblem::*;
        let cases = [
            (
                typed(BloodPressure, "300", "80"),
                OutOfRange {
                    field: 0,
                    low: 50.0,
                    high: 260.0,
                },
            ),
            (
                typed(BloodPressure, "120", "130"),
                DiastolicNotBelowSystolic,
            ),
            (typed(BloodPressure, "120", ""), Empty { field: 1 }),
            (typed(Pulse, "", ""), Empty { field: 0 }),
            (typed(Pulse, "7O", ""), NotANumber { field: 0 }),
            (typed(Pulse, "-70", ""), NotANumber { field: 0 }),
            (
                typed(Pulse, "72.5", ""),
                TooManyDecimals {
                    field: 0,
                    decimals: 0,
                },
            ),
            (
                typed(Temperature, "45", ""),
                OutOfRange {
                    field: 0,
                    low: 33.0,
                    high: 43.0,
                },
            ),
            (
                typed(Temperature, "37,25", ""),
                TooManyDecimals {
                    field: 0,
                    decimals: 1,
                },
            ),
            (typed(BloodGlucose, "1e2", ""), NotANumber { field: 0 }),
        ];
        for (input, problem) in cases {
            assert_eq!(parse(&input), Err(problem), "{input:?}");
        }
        assert_eq!(parse(&MeasurementInput::default()), Err(NoKind));
        assert!(!plausible(Pulse, MeasuredValue::Single { value: 400.0 }));
        assert!(!plausible(
            Pulse,
            MeasuredValue::Pressure {
                systolic: 120.0,
                diastolic: 80.0
            }
        ));
        assert!(plausible(
            BloodPressure,
            MeasuredValue::Pressure {
                systolic: 120.0,
                diastolic: 80.0
            }
        ));
    }
}
