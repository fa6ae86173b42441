//! The Danish CPR number (SPEC C4): parsed once, here, for the app and the
//! backend alike. DDMMYY-SSSS or ten digits; a real calendar date; the
//! century from the 7th digit. No modulus-11 check: numbers without a valid
//! check digit have been issued since 2007 and are fully valid.
//!
//! `Debug` and `Display` show only the masked form (`DDMMYY-XXXX`): a CPR
//! number that reaches a log or a format string is masked by construction.

use chrono::{Datelike, NaiveDate};

/// A well-formed CPR number with a real birth date.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Cpr {
    digits: [u8; 10],
    birth_date: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CprError {
    /// Not DDMMYY-SSSS (or ten digits).
    Format,
    /// The first six digits are no date (31 February, month 13, …).
    Date,
}

impl std::fmt::Display for CprError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CprError::Format => "a CPR number is DDMMYY-SSSS",
            CprError::Date => "the first six digits of a CPR number are a date of birth",
        })
    }
}

impl std::error::Error for CprError {}

impl CprError {
    /// The code the app and the backend answer with.
    pub fn code(self) -> crate::ErrorCode {
        crate::ErrorCode::CprInvalid
    }
}

/// The century a CPR number's year falls in, from its 7th digit and its
/// two year digits (SPEC C4's table).
pub fn century(seventh: u8, yy: u8) -> u16 {
    match (seventh, yy) {
        (0..=3, _) => 1900,
        (4 | 9, 0..=36) => 2000,
        (4 | 9, _) => 1900,
        (5..=8, 0..=57) => 2000,
        (5..=8, _) => 1800,
        // Digits only reach here; nothing above 9 exists.
        _ => 1900,
    }
}

impl Cpr {
    /// Spaces around it are ignored; the dash (or a space) after the date is
    /// optional.
    pub fn parse(input: &str) -> Result<Cpr, CprError> {
        let s = input.trim();
        let compact: String = match s.len() {
            10 => s.to_string(),
            11 if matches!(s.as_bytes()[6], b'-' | b' ') => {
                format!("{}{}", &s[..6], &s[7..])
            }
            _ => return Err(CprError::Format),
        };
        if !compact.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CprError::Format);
        }
        let mut digits = [0u8; 10];
        for (d, b) in digits.iter_mut().zip(compact.bytes()) {
            *d = b - b'0';
        }
        let two = |i: usize| digits[i] * 10 + digits[i + 1];
        let (day, month, yy) = (two(0), two(2), two(4));
        let year = century(digits[6], yy) + u16::from(yy);
        let birth_date = NaiveDate::from_ymd_opt(i32::from(year), u32::from(month), u32::from(day))
            .ok_or(CprError::Date)?;
        Ok(Cpr { digits, birth_date })
    }

    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }

    /// The ten digits, for the register lookup and the keyed search hash.
    /// Named so that every use is visible in review.
    pub fn expose_digits(&self) -> String {
        self.digits.iter().map(|d| char::from(b'0' + d)).collect()
    }

    /// `DDMMYY-XXXX`: the date part only.
    pub fn masked(&self) -> String {
        let date: String = self.digits[..6]
            .iter()
            .map(|d| char::from(b'0' + d))
            .collect();
        format!("{date}-XXXX")
    }

    /// Age in whole years on `on`.
    pub fn age_on(&self, on: NaiveDate) -> u32 {
        on.years_since(self.birth_date).unwrap_or(0)
    }

    /// Whether the number passes the old modulus-11 check. Informational
    /// only: never a reason to refuse a number.
    pub fn has_mod11_check_digit(&self) -> bool {
        const WEIGHTS: [u32; 10] = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1];
        let sum: u32 = self
            .digits
            .iter()
            .zip(WEIGHTS)
            .map(|(d, w)| u32::from(*d) * w)
            .sum();
        sum.is_multiple_of(11)
    }

    /// The birth year (for display next to the masked number).
    pub fn birth_year(&self) -> i32 {
        self.birth_date.year()
    }
}

impl std::fmt::Debug for Cpr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Cpr({})", self.masked())
    }
}

impl std::fmt::Display for Cpr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// Every cell of SPEC C4's century table, at both ends of each range.
    #[test]
    fn the_seventh_digit_decides_the_century() {
        let table: &[(u8, u8, u16)] = &[
            (0, 0, 1900),
            (0, 36, 1900),
            (0, 37, 1900),
            (0, 57, 1900),
            (0, 58, 1900),
            (0, 99, 1900),
            (3, 0, 1900),
            (3, 99, 1900),
            (4, 0, 2000),
            (4, 36, 2000),
            (4, 37, 1900),
            (4, 57, 1900),
            (4, 58, 1900),
            (4, 99, 1900),
            (9, 0, 2000),
            (9, 36, 2000),
            (9, 37, 1900),
            (9, 99, 1900),
            (5, 0, 2000),
            (5, 36, 2000),
            (5, 37, 2000),
            (5, 57, 2000),
            (5, 58, 1800),
            (5, 99, 1800),
            (8, 0, 2000),
            (8, 57, 2000),
            (8, 58, 1800),
            (8, 99, 1800),
        ];
        for &(seventh, yy, want) in table {
            assert_eq!(
                century(seventh, yy),
                want,
                "7th digit {seventh}, YY {yy:02}"
            );
        }
        // Every one of the 1,000 cells against SPEC C4's table as written
        // there (7th digit, YY range → century), independently of the code.
        let spec: &[(&[u8], std::ops::RangeInclusive<u8>, u16)] = &[
            (&[0, 1, 2, 3], 0..=99, 1900),
            (&[4, 9], 0..=36, 2000),
            (&[4, 9], 37..=99, 1900),
            (&[5, 6, 7, 8], 0..=57, 2000),
            (&[5, 6, 7, 8], 58..=99, 1800),
        ];
        for seventh in 0..=9u8 {
            for yy in 0..=99u8 {
                let rows: Vec<u16> = spec
                    .iter()
                    .filter(|(s, r, _)| s.contains(&seventh) && r.contains(&yy))
                    .map(|(_, _, c)| *c)
                    .collect();
                assert_eq!(rows.len(), 1, "the table covers {seventh}/{yy:02} once");
                assert_eq!(
                    century(seventh, yy),
                    rows[0],
                    "7th digit {seventh}, YY {yy:02}"
                );
            }
        }
    }

    #[test]
    fn dates_and_centuries_come_out_right() {
        let cases = [
            ("010190-1234", date(1990, 1, 1)),
            ("0101901234", date(1990, 1, 1)),
            (" 010190 1234 ", date(1990, 1, 1)),
            ("010110-4000", date(2010, 1, 1)),
            ("010140-4000", date(1940, 1, 1)),
            ("010160-5000", date(1860, 1, 1)),
            ("010150-5000", date(2050, 1, 1)),
            ("290200-4000", date(2000, 2, 29)), // 2000 is a leap year
            ("290296-1000", date(1996, 2, 29)),
            ("290260-5000", date(1860, 2, 29)), // 1860 was a leap year
            ("311299-9999", date(1999, 12, 31)),
        ];
        for (input, want) in cases {
            assert_eq!(Cpr::parse(input).unwrap().birth_date(), want, "{input}");
        }
    }

    #[test]
    fn impossible_dates_and_shapes_are_refused() {
        for input in [
            "290200-1000", // 1900 was no leap year
            "290201-4000", // nor 2001
            "300290-1234",
            "310490-1234",
            "000190-1234",
            "011390-1234",
            "320190-1234",
            "290259-5000", // 1859: no leap year
        ] {
            assert_eq!(Cpr::parse(input).unwrap_err(), CprError::Date, "{input}");
        }
        for input in [
            "",
            "010190",
            "010190-123",
            "010190-12345",
            "010190/1234",
            "01019O-1234",
            "０１０１９０-１２３４",
            "010190--234",
        ] {
            assert_eq!(
                Cpr::parse(input).unwrap_err(),
                CprError::Format,
                "{input:?}"
            );
        }
    }

    #[test]
    fn a_missing_modulus_11_check_digit_is_no_reason_to_refuse() {
        let without = Cpr::parse("010190-1235").unwrap();
        assert!(!without.has_mod11_check_digit());
        let with = Cpr::parse("070761-4285").unwrap();
        assert!(with.has_mod11_check_digit());
    }

    #[test]
    fn it_is_masked_wherever_it_is_printed() {
        let cpr = Cpr::parse("010190-1234").unwrap();
        assert_eq!(cpr.to_string(), "010190-XXXX");
        assert_eq!(format!("{cpr:?}"), "Cpr(010190-XXXX)");
        assert!(!format!("{cpr} {cpr:?} {cpr:#?}").contains("1234"));
        assert_eq!(cpr.expose_digits(), "0101901234");
        assert_eq!(cpr.age_on(date(2026, 11, 23)), 36);
    }

    proptest! {
        /// Every real date in 1858–2057 written with a fitting 7th digit
        /// parses back to itself, whatever the last three digits.
        #[test]
        fn every_real_date_round_trips(days in 0i64..73_000, tail in 0u16..1000, pick in 0usize..4) {
            let d = date(1858, 1, 1) + chrono::Duration::days(days);
            let yy = (d.year() % 100) as u8;
            let sevenths: Vec<u8> = (0..=9).filter(|s| i32::from(century(*s, yy)) + i32::from(yy) == d.year()).collect();
            prop_assume!(!sevenths.is_empty());
            let seventh = sevenths[pick % sevenths.len()];
            let input = format!("{:02}{:02}{:02}-{}{:03}", d.day(), d.month(), yy, seventh, tail);
            let cpr = Cpr::parse(&input).unwrap();
            prop_assert_eq!(cpr.birth_date(), d);
            prop_assert_eq!(cpr.expose_digits(), input.replace('-', ""));
            // Exactly the date part and the mask: the last four never show.
            let shown = format!("{:?} {}", cpr, cpr);
            let want = format!("Cpr({0}-XXXX) {0}-XXXX", &input[..6]);
            prop_assert_eq!(shown, want);
        }

        /// Whatever comes in, parsing answers (never panics), and what it
        /// accepts is ten digits with a real date.
        #[test]
        fn arbitrary_input_never_panics(input in "\\PC{0,14}") {
            if let Ok(cpr) = Cpr::parse(&input) {
                prop_assert_eq!(cpr.expose_digits().len(), 10);
            }
        }
    }
}
