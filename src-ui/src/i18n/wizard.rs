//! The order wizard's messages added with returning substitutes, the
//! agency, the time of day an access ends, and the systems it grants.

use super::{Lang, Text};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wizard {
    EndsAt,
    EndsAtSendTime,
    Agency,
    AgencyHint,
    AgencyInvalid,
    AgencyShort,
    SystemsGranted,
}

impl Text for Wizard {
    fn text(self, lang: Lang) -> &'static str {
        use Lang::*;
        use Wizard::*;
        match (self, lang) {
            (EndsAt, Da) => "Adgangen slutter",
            (EndsAt, En) => "Access ends",
            (EndsAtSendTime, Da) => "Samme klokkeslæt som bestillingen",
            (EndsAtSendTime, En) => "The time the order is sent",
            (Agency, Da) => "Vikarbureau (hvis vikaren kommer fra et)",
            (Agency, En) => "Temporary-work agency (if any)",
            (AgencyHint, Da) => "Kommer med på tavshedserklæringen og i statistikken.",
            (AgencyHint, En) => "Shown on the declaration and in the statistics.",
            (AgencyInvalid, Da) => "Bureauets navn er højst 80 tegn.",
            (AgencyInvalid, En) => "The agency's name is at most 80 characters.",
            (AgencyShort, Da) => "Vikarbureau",
            (AgencyShort, En) => "Agency",
            (SystemsGranted, Da) => "Adgang til",
            (SystemsGranted, En) => "Access to",
        }
    }
}

/// The person step's note: they were a substitute here before, with
/// `user_id`; whether it can be theirs again.
pub fn returning(lang: Lang, user_id: &str, available: bool) -> String {
    match (lang, available) {
        (Lang::Da, true) => format!(
            "Vikaren har været her før som {user_id}. Brugernavnet er ledigt og bliver reserveret igen."
        ),
        (Lang::Da, false) => format!(
            "Vikaren har været her før som {user_id}. Det brugernavn er ikke ledigt nu; vikaren får et nyt."
        ),
        (Lang::En, true) => format!(
            "The substitute was here before as {user_id}. That user ID is free and will be reserved again."
        ),
        (Lang::En, false) => format!(
            "The substitute was here before as {user_id}. That user ID is not free now; they get a new one."
        ),
    }
}

/// The person step's stop: a live access until `until` (Danish time).
pub fn active_until(lang: Lang, until: &str) -> String {
    match lang {
        Lang::Da => format!(
            "Vikaren har allerede adgang til {until}. Der kan ikke bestilles en adgang mere: forlæng den under Mine bestillinger."
        ),
        Lang::En => format!(
            "The substitute already has access until {until}. Another cannot be ordered: extend it under My orders."
        ),
    }
}

/// The user-ID step's note when the ID is the one from before.
pub fn same_as_before(lang: Lang) -> &'static str {
    match lang {
        Lang::Da => "Samme brugernavn som sidst.",
        Lang::En => "The same user ID as last time.",
    }
}
