//! The PIN policy (SPEC C2): digits only, 4–8 long (the minimum configurable,
//! never below 4), not all the same digit, not a straight run up or down.
//! A `Pin` is parsed once; holding one means the policy was met.

use std::fmt;

pub const MIN_LEN: usize = 4;
pub const MAX_LEN: usize = 8;

/// `MIN_LEN`, for a `Me` from a backend that does not say.
pub fn default_min_len() -> u8 {
    MIN_LEN as u8
}

#[derive(Clone, PartialEq, Eq)]
pub struct Pin(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinError {
    /// Something other than the digits 0–9.
    NotDigits,
    TooShort {
        min: usize,
    },
    TooLong {
        max: usize,
    },
    /// Every digit the same, e.g. 0000.
    AllSame,
    /// A straight run, e.g. 1234 or 9876.
    Sequence,
}

/// For logs and API messages; people see the UI catalogue's text.
impl std::fmt::Display for PinError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PinError::NotDigits => f.write_str("the PIN must be digits only"),
            PinError::TooShort { min } => write!(f, "the PIN must be at least {min} digits"),
            PinError::TooLong { max } => write!(f, "the PIN must be at most {max} digits"),
            PinError::AllSame => f.write_str("the PIN must not repeat one digit"),
            PinError::Sequence => f.write_str("the PIN must not be a straight sequence"),
        }
    }
}

impl std::error::Error for PinError {}

impl PinError {
    /// The code the app and the backend answer with: one for every way a
    /// PIN breaks the policy (the UI states the whole policy).
    pub fn code(self) -> crate::ErrorCode {
        crate::ErrorCode::PinInvalid
    }
}

impl Pin {
    /// Parses with the default minimum length.
    pub fn parse(input: &str) -> Result<Pin, PinError> {
        Self::parse_with_min(input, MIN_LEN)
    }

    /// `min_len` is the deployment's minimum; it is raised to 4 and capped at 8.
    pub fn parse_with_min(input: &str, min_len: usize) -> Result<Pin, PinError> {
        let min = min_len.clamp(MIN_LEN, MAX_LEN);
        if !input.bytes().all(|b| b.is_ascii_digit()) || input.is_empty() {
            return Err(PinError::NotDigits);
        }
        let digits = input.as_bytes();
        if digits.len() < min {
            return Err(PinError::TooShort { min });
        }
        if digits.len() > MAX_LEN {
            return Err(PinError::TooLong { max: MAX_LEN });
        }
        if digits.iter().all(|&d| d == digits[0]) {
            return Err(PinError::AllSame);
        }
        let steps: Vec<i16> = digits
            .windows(2)
            .map(|w| i16::from(w[1]) - i16::from(w[0]))
            .collect();
        if steps.iter().all(|&s| s == 1) || steps.iter().all(|&s| s == -1) {
            return Err(PinError::Sequence);
        }
        Ok(Pin(input.to_string()))
    }

    /// The digits, for hashing. Never log or display them.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Masked: a PIN never reaches a log through `{:?}`.
impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pin(****)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PinError::*;

    #[test]
    fn policy_table() {
        const CASES: &[(&str, usize, Result<(), PinError>)] = &[
            ("2580", 4, Ok(())),
            ("1397", 4, Ok(())),
            ("13579", 4, Ok(())),
            ("12345678", 4, Err(Sequence)),
            ("87654321", 4, Err(Sequence)),
            ("12345679", 4, Ok(())),
            ("0000", 4, Err(AllSame)),
            ("99999999", 4, Err(AllSame)),
            ("1234", 4, Err(Sequence)),
            ("0123", 4, Err(Sequence)),
            ("9876", 4, Err(Sequence)),
            ("3210", 4, Err(Sequence)),
            ("8901", 4, Ok(())),
            ("1235", 4, Ok(())),
            ("123", 4, Err(TooShort { min: 4 })),
            ("2580", 6, Err(TooShort { min: 6 })),
            ("258013", 6, Ok(())),
            ("2580", 2, Ok(())),
            ("258", 2, Err(TooShort { min: 4 })),
            ("123456789", 4, Err(TooLong { max: 8 })),
            ("", 4, Err(NotDigits)),
            ("12a4", 4, Err(NotDigits)),
            (" 2580", 4, Err(NotDigits)),
            ("２５８０", 4, Err(NotDigits)),
            ("-258", 4, Err(NotDigits)),
        ];
        for (input, min, want) in CASES {
            let got = Pin::parse_with_min(input, *min).map(|_| ());
            assert_eq!(got, *want, "{input:?} with minimum {min}");
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_accepts_only_4_to_8_ascii_digits(input in "\\PC{0,12}") {
            if let Ok(pin) = Pin::parse(&input) {
                proptest::prop_assert!((MIN_LEN..=MAX_LEN).contains(&pin.expose().len()));
                proptest::prop_assert!(pin.expose().bytes().all(|b| b.is_ascii_digit()));
            }
        }

        #[test]
        fn repeated_digits_and_straight_runs_are_refused(start in 0u8..10, len in MIN_LEN..=MAX_LEN, digit in 0u8..10) {
            let same: String = std::iter::repeat_n(char::from(b'0' + digit), len).collect();
            proptest::prop_assert_eq!(Pin::parse(&same), Err(AllSame));
            if usize::from(start) + len <= 10 {
                let up: String = (0..len).map(|i| char::from(b'0' + start + i as u8)).collect();
                proptest::prop_assert_eq!(Pin::parse(&up), Err(Sequence));
                let down: String = up.chars().rev().collect();
                proptest::prop_assert_eq!(Pin::parse(&down), Err(Sequence));
            }
        }
    }

    #[test]
    fn debug_never_shows_the_digits() {
        let pin = Pin::parse("2580").unwrap();
        assert_eq!(format!("{pin:?}"), "Pin(****)");
        assert_eq!(pin.expose(), "2580");
    }
}
