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

/// Letters and digits that cannot be mistaken for one another when read
/// aloud or off a screen (no 0/O, 1/I/L, 5/S, 8/B).
const LABEL_ALPHABET: &[u8; 27] = b"ACDEFGHJKMNPQRTUVWXYZ234679";

/// A device's identifier as people read it, `H4QT-MW7C`: the same on the
/// device's own screen and in the administrators' list, so the one can be
/// matched with the other. Derived from the device ID (FNV-1a, 64 bits):
/// 38 bits shown, enough to tell a municipality's devices apart by eye
/// beside their unit and apartment; it is no secret and grants nothing.
pub fn device_label(device_id: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in device_id.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut label = String::with_capacity(9);
    for i in 0..8 {
        if i == 4 {
            label.push('-');
        }
        let base = LABEL_ALPHABET.len() as u64;
        let digit = (hash % base) as usize;
        hash /= base;
        label.push(char::from(LABEL_ALPHABET[digit]));
    }
    label
}

#[cfg(test)]
mod tests {
    use super::{device_label, normalize};

    #[test]
    fn a_device_label_is_stable_readable_and_tells_devices_apart() {
        let label = device_label("q2Vh3kLx9RtP0aZw");
        assert_eq!(label, device_label("q2Vh3kLx9RtP0aZw"), "stable");
        assert_eq!(label.len(), 9);
        assert_eq!(label.chars().nth(4), Some('-'));
        assert!(label
            .chars()
            .filter(|c| *c != '-')
            .all(|c| !"0O1IL5S8B".contains(c) && (c.is_ascii_uppercase() || c.is_ascii_digit())));
        // A thousand devices' IDs (as the backend makes them): no two alike.
        let labels: std::collections::HashSet<String> = (0..1000)
            .map(|i| device_label(&format!("dev{i:05}xYz")))
            .collect();
        assert_eq!(labels.len(), 1000);
    }

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
