//! The administrators' screens' messages (devices; the audit log; orders).

use super::{Lang, Text};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admin {
    Devices,
    DevicesLead,
    DeviceLabel,
    EnrolledBy,
    EnrolledAt,
    LastSeen,
    Revoke,
    RevokeConfirm,
    Revoked,
    NoDevices,
}

impl Text for Admin {
    fn text(self, lang: Lang) -> &'static str {
        use Admin::*;
        use Lang::*;
        match (self, lang) {
            (Devices, Da) => "Delte enheder",
            (Devices, En) => "Shared devices",
            (DevicesLead, Da) => "Tablets i lejligheder og vægskærme, der er tilmeldt i kommunen. Tilbagekald en enhed, der er væk eller skal skiftes: den glemmer sin tilmelding, næste gang den får forbindelse, og viser det almindelige login.",
            (DevicesLead, En) => "Apartment tablets and wall screens enrolled in the municipality. Revoke a device that is lost or being replaced: it forgets its enrollment at its next contact and shows the ordinary login.",
            (DeviceLabel, Da) => "Enheds-ID",
            (DeviceLabel, En) => "Device ID",
            (EnrolledBy, Da) => "Tilmeldt af",
            (EnrolledBy, En) => "Enrolled by",
            (EnrolledAt, Da) => "Tilmeldt",
            (EnrolledAt, En) => "Enrolled",
            (LastSeen, Da) => "Sidst set",
            (LastSeen, En) => "Last seen",
            (Revoke, Da) => "Tilbagekald",
            (Revoke, En) => "Revoke",
            (RevokeConfirm, Da) => "Tryk igen for at tilbagekalde",
            (RevokeConfirm, En) => "Tap again to revoke",
            (Revoked, Da) => "Tilbagekaldt",
            (Revoked, En) => "Revoked",
            (NoDevices, Da) => "Ingen enheder er tilmeldt.",
            (NoDevices, En) => "No devices are enrolled.",
        }
    }
}
