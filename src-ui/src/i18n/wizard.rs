//! The order wizard's messages about a substitute who comes back.

use super::Lang;

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
