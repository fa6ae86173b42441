//! A shared device's one-time enrollment code as people type it: eight
//! letters and digits, shown as `K7QM-2XZP`, typed in any case, with or
//! without the dash or spaces. One reading, for the shell (before anything
//! is sent) and the backend (which stores only the normalised code's hash).

/// The code as stored: eight upper-case letters and digits; `None` for
/// anything else (a slip the app refuses at once; the backend treats it as
/// an unknown code).
pub fn normalize(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\t'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == 8 && code.chars().all(|c| c.is_ascii_alphanumeric())).then_some(code)
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn codes_are_read_the_way_people_type_them() {
        for typed in [
            "K7QM-2XZP",
            "k7qm-2xzp",
            " K7QM 2XZP ",
            "k7qm2xzp",
            "K7QM - 2XZP",
        ] {
            assert_eq!(normalize(typed).as_deref(), Some("K7QM2XZP"), "{typed:?}");
        }
        for slip in [
            "",
            "K7QM-2XZ",
            "K7QM-2XZPP",
            "K7QM_2XZP",
            "K7QM-2XZÆ",
            "K7QM!2XZ",
        ] {
            assert_eq!(normalize(slip), None, "{slip:?}");
        }
    }
}
