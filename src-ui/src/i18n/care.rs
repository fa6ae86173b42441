//! The care record's screens' messages (SPEC C5): residents, medication,
//! measurements, and the integration session ("Log ind i Nexus").

use omsorg_core::care::measure::MeasurementProblem;
use omsorg_core::care::MeasurementKind;

use super::{Lang, Text};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Care {
    Residents,
    ResidentsLead,
    NoResidents,
    LogInNeeded,
    LogInNeededLead,
    LogIn,
    LoggingIn,
    Expired,
    ExpiredLead,
    TimeLeft,
    EndingSoon,
    Retry,
    Medication,
    Measurements,
    Register,
    Scheduled,
    DuringDay,
    AsNeeded,
    LastGiven,
    NeverGiven,
    NoMedication,
    NoMeasurements,
    Kind,
    ChooseKind,
    Systolic,
    Diastolic,
    Value,
    Save,
    Saved,
    Born,
    Trend,
    BackToResidents,
}

impl Text for Care {
    fn text(self, lang: Lang) -> &'static str {
        use Care::*;
        use Lang::*;
        match (self, lang) {
            (Residents, Da) => "Beboere",
            (Residents, En) => "Residents",
            (ResidentsLead, Da) => "Enhedens beboere fra omsorgsjournalen. Vælg en beboer for medicin og målinger.",
            (ResidentsLead, En) => "The unit's residents from the care record. Choose a resident for medication and measurements.",
            (NoResidents, Da) => "Omsorgsjournalen har ingen beboere for din enhed.",
            (NoResidents, En) => "The care record has no residents for your unit.",
            (LogInNeeded, Da) => "Log ind i Nexus",
            (LogInNeeded, En) => "Log in to Nexus",
            (LogInNeededLead, Da) => "Omsorgsjournalen kræver sit eget login, som gælder i 90 minutter. Det sker gennem dit KOMBIT-login, så du skal normalt ikke skrive adgangskode.",
            (LogInNeededLead, En) => "The care record needs its own login, valid for 90 minutes. It goes through your KOMBIT login, so you normally need no password.",
            (LogIn, Da) => "Log ind i Nexus",
            (LogIn, En) => "Log in to Nexus",
            (LoggingIn, Da) => "Fortsæt i browseren …",
            (LoggingIn, En) => "Continue in the browser …",
            (Expired, Da) => "Din Nexus-adgang er udløbet",
            (Expired, En) => "Your Nexus access has expired",
            (ExpiredLead, Da) => "Log ind i Nexus igen for at fortsætte. Det, du har skrevet, er gemt her.",
            (ExpiredLead, En) => "Log in to Nexus again to continue. What you typed is kept here.",
            (TimeLeft, Da) => "Nexus-adgang tilbage:",
            (TimeLeft, En) => "Nexus access left:",
            (EndingSoon, Da) => "Din Nexus-adgang udløber snart. Gem det, du er i gang med.",
            (EndingSoon, En) => "Your Nexus access ends soon. Save what you are doing.",
            (Retry, Da) => "Prøv igen",
            (Retry, En) => "Try again",
            (Medication, Da) => "Medicin",
            (Medication, En) => "Medication",
            (Measurements, Da) => "Målinger",
            (Measurements, En) => "Measurements",
            (Register, Da) => "Registrér måling",
            (Register, En) => "Record a measurement",
            (Scheduled, Da) => "Dagens doser",
            (Scheduled, En) => "Today's doses",
            (DuringDay, Da) => "I løbet af dagen",
            (DuringDay, En) => "During the day",
            (AsNeeded, Da) => "PN (efter behov)",
            (AsNeeded, En) => "As needed (PN)",
            (LastGiven, Da) => "Sidst givet",
            (LastGiven, En) => "Last given",
            (NeverGiven, Da) => "Ikke givet endnu",
            (NeverGiven, En) => "Not given yet",
            (NoMedication, Da) => "Ingen aktiv medicin.",
            (NoMedication, En) => "No active medication.",
            (NoMeasurements, Da) => "Ingen målinger endnu.",
            (NoMeasurements, En) => "No measurements yet.",
            (Kind, Da) => "Måling",
            (Kind, En) => "Measurement",
            (ChooseKind, Da) => "Vælg måling",
            (ChooseKind, En) => "Choose a measurement",
            (Systolic, Da) => "Systolisk (øvre)",
            (Systolic, En) => "Systolic (upper)",
            (Diastolic, Da) => "Diastolisk (nedre)",
            (Diastolic, En) => "Diastolic (lower)",
            (Value, Da) => "Værdi",
            (Value, En) => "Value",
            (Save, Da) => "Gem måling",
            (Save, En) => "Save measurement",
            (Saved, Da) => "Målingen er registreret i omsorgsjournalen.",
            (Saved, En) => "The measurement is recorded in the care record.",
            (Born, Da) => "Født",
            (Born, En) => "Born",
            (Trend, Da) => "Udvikling",
            (Trend, En) => "Trend",
            (BackToResidents, Da) => "Beboere",
            (BackToResidents, En) => "Residents",
        }
    }
}

pub fn kind_name(lang: Lang, kind: MeasurementKind) -> &'static str {
    use Lang::*;
    use MeasurementKind::*;
    match (kind, lang) {
        (BloodPressure, Da) => "Blodtryk",
        (BloodPressure, En) => "Blood pressure",
        (Pulse, Da) => "Puls",
        (Pulse, En) => "Pulse",
        (Temperature, Da) => "Temperatur",
        (Temperature, En) => "Temperature",
        (Weight, Da) => "Vægt",
        (Weight, En) => "Weight",
        (BloodGlucose, Da) => "Blodsukker",
        (BloodGlucose, En) => "Blood glucose",
    }
}

/// Why a typed measurement is not sent, as a sentence.
pub fn problem_text(lang: Lang, kind: Option<MeasurementKind>, p: MeasurementProblem) -> String {
    use Lang::*;
    use MeasurementProblem::*;
    let unit = kind.map(|k| k.unit_label()).unwrap_or("");
    let n = |v: f64| omsorg_core::care::medication::danish_number(v);
    match (p, lang) {
        (NoKind, Da) => "Vælg hvilken måling, du registrerer.".into(),
        (NoKind, En) => "Choose which measurement you are recording.".into(),
        (Empty { .. }, Da) => "Skriv værdien.".into(),
        (Empty { .. }, En) => "Type the value.".into(),
        (NotANumber { .. }, Da) => "Værdien skal være et tal, fx 37,5.".into(),
        (NotANumber { .. }, En) => "The value must be a number, e.g. 37.5.".into(),
        (TooManyDecimals { decimals: 0, .. }, Da) => "Skriv et helt tal.".into(),
        (TooManyDecimals { decimals: 0, .. }, En) => "Type a whole number.".into(),
        (TooManyDecimals { decimals, .. }, Da) => format!("Højst {decimals} decimal."),
        (TooManyDecimals { decimals, .. }, En) => format!("At most {decimals} decimal."),
        (OutOfRange { low, high, .. }, Da) => format!(
            "Værdien er ikke realistisk: den skal ligge mellem {} og {} {unit}. Tjek målingen; intet er sendt.",
            n(low), n(high)
        ),
        (OutOfRange { low, high, .. }, En) => format!(
            "The value is not plausible: it must be between {} and {} {unit}. Check the measurement; nothing was sent.",
            n(low), n(high)
        ),
        (DiastolicNotBelowSystolic, Da) => "Den nedre værdi skal være lavere end den øvre.".into(),
        (DiastolicNotBelowSystolic, En) => "The lower value must be below the upper one.".into(),
    }
}
