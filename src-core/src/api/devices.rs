//! Shared devices (SPEC C3): enrollment, what a device is, and user ID + PIN
//! logins on it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Me, UnitRef};

/// What a shared device is (SPEC C3). A personal device has no enrollment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeviceMode {
    /// In a resident's apartment, used by everyone who visits.
    #[default]
    ApartmentTablet,
    /// A large screen in a common room, in kiosk mode.
    WallScreen,
}

impl DeviceMode {
    /// As stored and sent (`apartment_tablet`, `wall_screen`).
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceMode::ApartmentTablet => "apartment_tablet",
            DeviceMode::WallScreen => "wall_screen",
        }
    }

    /// The stored form read back; `None` for anything else.
    pub fn parse(s: &str) -> Option<DeviceMode> {
        [DeviceMode::ApartmentTablet, DeviceMode::WallScreen]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

/// An apartment's name is at most this many characters.
pub const APARTMENT_MAX_CHARS: usize = 40;

/// Why a device cannot be placed where the administrator said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlacementError {
    /// An apartment tablet needs its apartment.
    ApartmentMissing,
    /// A wall screen belongs to the unit, not an apartment.
    ApartmentOnWallScreen,
    /// Longer than [`APARTMENT_MAX_CHARS`].
    ApartmentTooLong,
}

impl std::fmt::Display for PlacementError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PlacementError::ApartmentMissing => "an apartment tablet needs its apartment",
            PlacementError::ApartmentOnWallScreen => {
                "a wall screen belongs to the unit, not an apartment"
            }
            PlacementError::ApartmentTooLong => "the apartment is at most 40 characters",
        })
    }
}

/// The apartment a device of `mode` is placed in, as typed (trimmed; blank
/// is none): one rule for the administrator's form and the backend.
pub fn placement(
    mode: DeviceMode,
    apartment: Option<&str>,
) -> Result<Option<String>, PlacementError> {
    let apartment = apartment.map(str::trim).filter(|a| !a.is_empty());
    match (mode, apartment) {
        (DeviceMode::ApartmentTablet, None) => Err(PlacementError::ApartmentMissing),
        (DeviceMode::WallScreen, Some(_)) => Err(PlacementError::ApartmentOnWallScreen),
        (_, Some(a)) if a.chars().count() > APARTMENT_MAX_CHARS => {
            Err(PlacementError::ApartmentTooLong)
        }
        (_, a) => Ok(a.map(str::to_string)),
    }
}

/// `POST /api/v1/admin/enrollment-codes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewEnrollmentCode {
    pub unit_id: String,
    pub mode: DeviceMode,
    /// Required for apartment tablets, absent for wall screens.
    #[serde(default)]
    pub apartment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrollmentCode {
    /// Shown once to the administrator, typed on the device. Single use.
    pub code: String,
    pub expires_at: DateTime<Utc>,
}

/// `POST /api/v1/devices/enroll`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Enroll {
    pub code: String,
}

/// A shared device as the backend knows it (no secrets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceInfo {
    pub device_id: String,
    pub mode: DeviceMode,
    pub unit: UnitRef,
    pub apartment: Option<String>,
}

/// An enrolled device as administrators see it (`GET /api/v1/admin/devices`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceSummary {
    pub device_id: String,
    /// What the device's own screen shows (`enrollment::device_label`).
    pub label: String,
    pub mode: DeviceMode,
    pub unit: UnitRef,
    pub apartment: Option<String>,
    /// The administrator who made its enrollment code (none for devices
    /// enrolled before this was recorded).
    pub enrolled_by: Option<String>,
    pub enrolled_at: DateTime<Utc>,
    /// Its last request to the backend (to the minute).
    pub last_seen: Option<DateTime<Utc>>,
}

/// `GET /api/v1/admin/devices`: the municipality's enrolled, not revoked
/// devices, by unit and apartment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceList {
    pub devices: Vec<DeviceSummary>,
}

/// The answer to enrollment: the device credential goes to the keystore.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Enrolled {
    pub device: DeviceInfo,
    pub credential: String,
}

impl std::fmt::Debug for Enrolled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Enrolled")
            .field("device", &self.device)
            .field("credential", &"<hidden>")
            .finish()
    }
}

/// `POST /api/v1/shared/sessions`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SharedLogin {
    pub user_id: String,
    pub pin: String,
}

impl std::fmt::Debug for SharedLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedLogin")
            .field("user_id", &self.user_id)
            .field("pin", &"<hidden>")
            .finish()
    }
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SharedSession {
    /// Sent as `Authorization: Shared <token>`; kept in the shell's memory only.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub me: Me,
}

impl std::fmt::Debug for SharedSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedSession")
            .field("token", &"<hidden>")
            .field("expires_at", &self.expires_at)
            .field("me", &self.me)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Case<'a> = (
        DeviceMode,
        Option<&'a str>,
        Result<Option<&'a str>, PlacementError>,
    );

    #[test]
    fn a_device_is_placed_by_one_rule() {
        use DeviceMode::*;
        use PlacementError::*;
        let long = "x".repeat(APARTMENT_MAX_CHARS + 1);
        let longest = "æ".repeat(APARTMENT_MAX_CHARS);
        let cases: [Case; 8] = [
            (ApartmentTablet, Some(" Lejl. 12 "), Ok(Some("Lejl. 12"))),
            (ApartmentTablet, None, Err(ApartmentMissing)),
            (ApartmentTablet, Some("   "), Err(ApartmentMissing)),
            (ApartmentTablet, Some(&long), Err(ApartmentTooLong)),
            (ApartmentTablet, Some(&longest), Ok(Some(&longest))),
            (WallScreen, None, Ok(None)),
            (WallScreen, Some(" "), Ok(None)),
            (WallScreen, Some("Lejl. 12"), Err(ApartmentOnWallScreen)),
        ];
        for (mode, typed, want) in cases {
            assert_eq!(
                placement(mode, typed),
                want.map(|a| a.map(str::to_string)),
                "{mode:?} {typed:?}"
            );
        }
    }

    #[test]
    fn modes_read_back_as_stored_and_as_sent() {
        for mode in [DeviceMode::ApartmentTablet, DeviceMode::WallScreen] {
            assert_eq!(DeviceMode::parse(mode.as_str()), Some(mode));
            let wire = serde_json::to_string(&mode).unwrap();
            assert_eq!(wire, format!("\"{}\"", mode.as_str()));
        }
        assert_eq!(DeviceMode::parse("kiosk"), None);
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let login = SharedLogin {
            user_id: "bo".into(),
            pin: "2468".into(),
        };
        assert!(!format!("{login:?}").contains("2468"));
    }
}
