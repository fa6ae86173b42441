//! The shell ↔ UI types that are not the backend's HTTP contract (that is
//! `api`): what the shell's commands (`ipc`) take and answer beyond the
//! backend's own bodies.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::api::{CprPerson, DeviceInfo, IdDocument, Municipality, Reservation};

/// What the shell hands the UI for the municipality picker: the list and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MunicipalityChoice {
    pub municipalities: Vec<Municipality>,
    /// `Some` when the backend could not be reached and this is the list stored
    /// from an earlier fetch; the time is when that list was fetched.
    pub cached_at: Option<DateTime<Utc>>,
    /// The code chosen last time on this device, if any.
    pub last_choice: Option<String>,
}

/// The shell's answer to "what is this device" (shell ↔ UI, not the backend).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceStatus {
    pub device: DeviceInfo,
    /// An administrator has opened the device's administration (kiosk off).
    pub admin: bool,
}

/// One point of a signature stroke: `x`, `y` as fractions of the pad's
/// width (so a resized or rotated pad redraws the same shape), `t` in
/// milliseconds (the pen's speed sets the line's width).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PadPoint {
    pub x: f32,
    pub y: f32,
    pub t: f64,
}

/// One pen-down-to-pen-up stroke on the signature pad.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PadStroke {
    pub points: Vec<PadPoint>,
}

/// The substitute-access wizard as far as it is filled in (app only). The
/// shell keeps it sealed in the app's store, so it survives the lock and a
/// crash, and deletes it after the order is made or at sign-out.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrderDraft {
    /// The wizard step shown (0 = ID seen … 5 = review).
    pub step: u8,
    pub id_document: Option<IdDocument>,
    /// As typed; checked by `Cpr::parse`.
    pub cpr: String,
    /// The register's answer for `cpr`.
    pub person: Option<CprPerson>,
    /// The orderer confirmed the name against the photo ID.
    pub name_confirmed: bool,
    /// The last day of access (date picker); none: the default.
    pub end_day: Option<chrono::NaiveDate>,
    /// The time of day it ends (Danish time); none: the time of sending.
    #[serde(default)]
    pub end_time: Option<chrono::NaiveTime>,
    /// The temporary-work agency the substitute comes from (vikarbureau);
    /// blank: none.
    #[serde(default)]
    pub agency: String,
    pub reservation: Option<Reservation>,
    pub declaration_version: String,
    pub strokes: Vec<PadStroke>,
    /// The signature as PNG (base64), made from `strokes` when signed.
    pub signature_png: Option<String>,
    /// The orderer's unit's default and longest period, as the backend
    /// said when the draft was loaded (the shell sets it; the backend
    /// checks the order against the unit's policy as it is then).
    #[serde(default)]
    pub period_policy: crate::period::PeriodPolicy,
    /// Which of the wizard's changes this is: each change the UI makes
    /// counts one up from the kept draft's, and the shell keeps a draft
    /// only over an older one. Commands run concurrently, so two saves
    /// sent one after the other may arrive in either order.
    #[serde(default)]
    pub revision: u64,
}

impl std::fmt::Debug for OrderDraft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrderDraft")
            .field("step", &self.step)
            .field("cpr", &"<hidden>")
            .field("end_day", &self.end_day)
            .field("strokes", &self.strokes.len())
            .finish_non_exhaustive()
    }
}

/// An export the shell saved for an administrator: where, and how large.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedExport {
    pub path: String,
    pub bytes: u64,
}

/// A declaration PDF the shell saved for viewing, and whether a viewer
/// opened it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedPdf {
    pub path: String,
    pub opened: bool,
    pub sha256: String,
}
