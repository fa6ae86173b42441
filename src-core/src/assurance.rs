//! NSIS assurance levels (Lav, Betydelig, Høj). Health data and CPR numbers
//! need at least "Betydelig" (Substantial): CPR lookup and ordering are
//! refused below it, the rest of the app is not.

/// A login's level, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Loa {
    Low,
    Substantial,
    High,
}

/// What CPR lookup and ordering need.
pub const FOR_CPR: Loa = Loa::Substantial;

impl Loa {
    /// The token's `loa` (or `acr`) value: the level's URI
    /// (`https://data.gov.dk/concept/core/nsis/loa/Substantial`, as SAML's
    /// `https://data.gov.dk/concept/core/nsis/loa` attribute has it) or its
    /// bare name, in any case; `None` for anything else.
    pub fn from_claim(value: &str) -> Option<Loa> {
        let name = value.trim().rsplit(['/', ':', '#']).next()?;
        match name.to_ascii_lowercase().as_str() {
            "low" | "lav" => Some(Loa::Low),
            "substantial" | "betydelig" => Some(Loa::Substantial),
            "high" | "høj" => Some(Loa::High),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_read_from_uris_and_names_and_nothing_else() {
        let uri = |n: &str| format!("https://data.gov.dk/concept/core/nsis/loa/{n}");
        assert_eq!(Loa::from_claim(&uri("Substantial")), Some(Loa::Substantial));
        assert_eq!(Loa::from_claim(&uri("Low")), Some(Loa::Low));
        assert_eq!(Loa::from_claim("High"), Some(Loa::High));
        assert_eq!(
            Loa::from_claim("urn:nsis:betydelig"),
            Some(Loa::Substantial)
        );
        for junk in ["", "Substantial-ish", "https://example.com/", "4"] {
            assert_eq!(Loa::from_claim(junk), None, "{junk}");
        }
        assert!(Loa::Low < FOR_CPR && Loa::High >= FOR_CPR);
    }
}
