//! A resident's "Medicin": today's fixed doses in time order, and the PN
//! (as-needed) medicines with when each was last given.

use chrono::{DateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use super::fhir::{Dosage, MedicationAdministration, MedicationRequest, Quantity};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledDose {
    /// "08:00"; `None`: some time during the day (the order names no time).
    pub time: Option<String>,
    pub medicine: String,
    pub dose: String,
    /// The prescriber's words ("Tages med mad").
    pub instruction: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AsNeededMedicine {
    pub medicine: String,
    pub dose: String,
    pub instruction: Option<String>,
    pub last_given: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MedicationDay {
    pub scheduled: Vec<ScheduledDose>,
    pub as_needed: Vec<AsNeededMedicine>,
}

/// A number as Danish writes it: "0,5", "2".
pub fn danish_number(v: f64) -> String {
    let s = format!("{v}");
    s.replace('.', ",")
}

fn amount(q: &Quantity) -> Option<String> {
    let value = danish_number(q.value?);
    Some(match q.unit.as_deref().or(q.code.as_deref()) {
        Some(unit) => format!("{value} {unit}"),
        None => value,
    })
}

fn dose_of(d: &Dosage) -> String {
    d.dose_and_rate
        .iter()
        .find_map(|dr| {
            if let Some(q) = &dr.dose_quantity {
                return amount(q);
            }
            let range = dr.dose_range.as_ref()?;
            let low = range.low.as_ref()?;
            let high = range.high.as_ref()?;
            let unit = high.unit.as_deref().or(high.code.as_deref()).unwrap_or("");
            Some(
                format!(
                    "{}–{} {unit}",
                    danish_number(low.value?),
                    danish_number(high.value?)
                )
                .trim_end()
                .to_string(),
            )
        })
        .unwrap_or_default()
}

/// The times of day a daily dosage is given: its `timeOfDay`, its `when`
/// codes, or the usual times for "n times a day".
fn times_of(d: &Dosage) -> Vec<Option<String>> {
    let Some(timing) = &d.timing else {
        return vec![None];
    };
    if let Some(repeat) = &timing.repeat {
        let exact: Vec<_> = repeat
            .time_of_day
            .iter()
            .filter_map(|t| NaiveTime::parse_from_str(t, "%H:%M:%S").ok())
            .map(|t| Some(t.format("%H:%M").to_string()))
            .collect();
        if !exact.is_empty() {
            return exact;
        }
        let named: Vec<_> = repeat
            .when
            .iter()
            .filter_map(|w| {
                Some(match w.as_str() {
                    "MORN" | "ACM" | "CM" => "08:00",
                    "NOON" | "ACD" | "CD" => "12:00",
                    "AFT" => "15:00",
                    "EVE" | "ACV" | "CV" => "18:00",
                    "NIGHT" | "HS" => "22:00",
                    _ => return None,
                })
            })
            .map(|t| Some(t.to_string()))
            .collect();
        if !named.is_empty() {
            return named;
        }
        let daily =
            repeat.period.unwrap_or(1.0) == 1.0 && repeat.period_unit.as_deref() == Some("d");
        if daily {
            if let Some(n) = repeat.frequency {
                return usual_times(n);
            }
        }
    }
    let code = timing
        .code
        .as_ref()
        .and_then(|c| c.coding.iter().find_map(|coding| coding.code.as_deref()));
    match code {
        Some("QD") => usual_times(1),
        Some("BID") => usual_times(2),
        Some("TID") => usual_times(3),
        Some("QID") => usual_times(4),
        Some("AM") => vec![Some("08:00".into())],
        Some("PM") => vec![Some("18:00".into())],
        _ => vec![None],
    }
}

fn usual_times(n: u32) -> Vec<Option<String>> {
    let times: &[&str] = match n {
        1 => &["08:00"],
        2 => &["08:00", "20:00"],
        3 => &["08:00", "14:00", "20:00"],
        4 => &["08:00", "12:00", "16:00", "20:00"],
        _ => &[],
    };
    if times.is_empty() {
        return vec![None];
    }
    times.iter().map(|t| Some((*t).to_string())).collect()
}

/// Today's medication from the resident's active orders and what has been
/// given. Fixed doses by time (those without a time last), then by name;
/// PN by name.
pub fn medication_day(
    requests: &[MedicationRequest],
    given: &[MedicationAdministration],
) -> MedicationDay {
    let mut day = MedicationDay::default();
    for rx in requests.iter().filter(|r| r.status == "active") {
        let Some(medicine) = super::fhir::medicine_name(
            &rx.medication_codeable_concept,
            &rx.medication_reference,
            &rx.contained,
        ) else {
            continue;
        };
        for dosage in &rx.dosage_instruction {
            if dosage.as_needed() {
                let last_given = rx.id.as_deref().and_then(|id| {
                    given
                        .iter()
                        .filter(|g| g.status == "completed" || g.status == "in-progress")
                        .filter(|g| {
                            g.request
                                .as_ref()
                                .and_then(|r| r.id_of("MedicationRequest"))
                                == Some(id)
                        })
                        .filter_map(MedicationAdministration::given_at)
                        .max()
                });
                day.as_needed.push(AsNeededMedicine {
                    medicine: medicine.clone(),
                    dose: dose_of(dosage),
                    instruction: dosage.text.clone(),
                    last_given,
                });
            } else {
                for time in times_of(dosage) {
                    day.scheduled.push(ScheduledDose {
                        time,
                        medicine: medicine.clone(),
                        dose: dose_of(dosage),
                        instruction: dosage.text.clone(),
                    });
                }
            }
        }
    }
    day.scheduled.sort_by(|a, b| {
        (a.time.is_none(), &a.time, &a.medicine).cmp(&(b.time.is_none(), &b.time, &b.medicine))
    });
    day.as_needed.sort_by(|a, b| a.medicine.cmp(&b.medicine));
    day
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example<T: serde::de::DeserializeOwned>(name: &str) -> T {
        let path = format!("{}/tests/fhir-r4/{name}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn the_specifications_orders_become_a_day_in_time_order_with_pn_apart() {
        let daily: MedicationRequest = example("MedicationRequest-medrx0311.json");
        let mut at_nine: MedicationRequest = example("MedicationRequest-medrx0335.json");
        // The example is on hold: not given today.
        assert_eq!(at_nine.status, "on-hold");
        assert!(medication_day(std::slice::from_ref(&at_nine), &[])
            .scheduled
            .is_empty());
        at_nine.status = "active".into();
        let pn: MedicationRequest = example("MedicationRequest-medrx0315.json");
        let mut given: MedicationAdministration =
            example("MedicationAdministration-medadmin0301.json");
        // The example administration is of another order; point it at the PN one.
        given.request = Some(super::super::fhir::Reference::to(
            "MedicationRequest",
            "medrx0315",
        ));
        let day = medication_day(&[at_nine, pn, daily], &[given.clone()]);
        let times: Vec<_> = day
            .scheduled
            .iter()
            .map(|d| (d.time.as_deref(), d.medicine.as_str(), d.dose.as_str()))
            .collect();
        assert_eq!(
            times,
            [
                (
                    Some("08:00"),
                    "Chlorthalidone 50mg tablet (product)",
                    "1 TAB"
                ),
                (Some("09:00"), "Nystatin 100UNT/MG Topical Ointment", "1 ea"),
            ]
        );
        assert_eq!(day.as_needed.len(), 1);
        assert_eq!(day.as_needed[0].dose, "0,05–0,1 mg/kg");
        assert_eq!(day.as_needed[0].last_given, given.given_at());
        assert!(day.as_needed[0].last_given.is_some());
    }

    #[test]
    fn stopped_orders_are_not_today() {
        let mut daily: MedicationRequest = example("MedicationRequest-medrx0311.json");
        daily.status = "stopped".into();
        assert_eq!(medication_day(&[daily], &[]), MedicationDay::default());
    }
}
