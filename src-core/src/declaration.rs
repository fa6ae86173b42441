//! The confidentiality declaration a substitute signs (SPEC C4 step 5).
//! Versioned: an order names the version its substitute read, and a version's
//! text never changes once released (a new text is a new version).

/// (version, Danish text). The newest is last.
pub const VERSIONS: &[(&str, &str)] = &[(
    "2026-1",
    include_str!("../../assets/declarations/tavshedspligt-2026-1.da.txt"),
)];

/// The version new orders are signed with.
pub fn current() -> (&'static str, &'static str) {
    VERSIONS[VERSIONS.len() - 1]
}

pub fn text(version: &str) -> Option<&'static str> {
    VERSIONS
        .iter()
        .find(|(v, _)| *v == version)
        .map(|(_, t)| *t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_version_has_a_real_text_and_the_current_one_is_known() {
        let (version, text) = current();
        assert_eq!(super::text(version), Some(text));
        assert_eq!(super::text("1999-1"), None);
        for (v, t) in VERSIONS {
            assert!(t.starts_with("Erklæring om tavshedspligt"), "{v}");
            assert!(t.contains("straffelovens § 152"), "{v}");
        }
    }
}
