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

    /// FNV-1a, 64 bits: a fingerprint of a released text.
    fn fingerprint(text: &str) -> u64 {
        text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    }

    /// A released text never changes: an order names the version its
    /// substitute signed, and the PDF must show that very text. A change
    /// is a new version (add it here, with its fingerprint).
    #[test]
    fn released_texts_never_change_and_new_orders_use_the_newest() {
        const RELEASED: &[(&str, u64, usize)] = &[("2026-1", 0x105d_9b5e_4efb_7877, 941)];
        for (version, print, len) in RELEASED {
            let t = text(version).unwrap_or_else(|| panic!("{version} was released"));
            assert_eq!(
                (fingerprint(t), t.len()),
                (*print, *len),
                "{version} changed"
            );
        }
        assert_eq!(
            VERSIONS.len(),
            RELEASED.len(),
            "a new version needs its fingerprint"
        );
        assert_eq!(current().0, RELEASED[RELEASED.len() - 1].0);
        assert_eq!(text("1999-1"), None);
        for (v, t) in VERSIONS {
            assert!(t.starts_with("Erklæring om tavshedspligt"), "{v}");
            assert!(t.contains("straffelovens § 152"), "{v}");
        }
    }
}
