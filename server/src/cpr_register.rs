//! The CPR register behind a small trait (SPEC C4).
//!
//! Production shape: Serviceplatformen's CPR services — SF1520 "CPR replika
//! opslag" (name and address by CPR number) or SF1525 "Persondata Samling
//! Hent" — called over SOAP with the municipality's FOCES/VOCES certificate
//! and a service agreement per municipality; the adapter maps "no such
//! person" to `Ok(None)` and any transport or service fault to `Unavailable`.
//! Here: `DevRegister`, the development data's test people, and
//! `NoRegister` for a server started without one.

use std::future::Future;
use std::pin::Pin;

use omsorg_core::cpr::Cpr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredPerson {
    pub name: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("the CPR register cannot be reached")]
    Unavailable,
}

pub type Lookup<'a> =
    Pin<Box<dyn Future<Output = Result<Option<RegisteredPerson>, RegisterError>> + Send + 'a>>;

pub trait CprRegister: Send + Sync {
    /// `Ok(None)`: the register has no such person.
    fn lookup<'a>(&'a self, cpr: &'a Cpr) -> Lookup<'a>;
}

/// The person for `cpr`, or the refusal the API gives: `cpr.not_found`, or
/// `cpr.register_unavailable` (logged, without the number).
pub async fn find(
    register: &dyn CprRegister,
    cpr: &Cpr,
) -> Result<RegisteredPerson, crate::error::ApiError> {
    use crate::error::ApiError;
    use omsorg_core::ErrorCode;
    match register.lookup(cpr).await {
        Ok(Some(person)) => Ok(person),
        Ok(None) => Err(ApiError::client(
            ErrorCode::CprNotFound,
            "no such person in the CPR register",
        )),
        Err(e) => {
            tracing::warn!(error = %e, "CPR lookup failed");
            Err(ApiError::client(
                ErrorCode::CprRegisterUnavailable,
                e.to_string(),
            ))
        }
    }
}

/// The development data's CPR register (SPEC: a person born 1 January 1990,
/// one born in the 2000s by the century rule, and unknown numbers).
pub struct DevRegister;

/// (CPR digits, name). 0101901234 has no valid modulus-11 check digit: such
/// numbers are issued and must work.
pub const DEV_PEOPLE: &[(&str, &str)] = &[
    ("0101901234", "Sofie Vikar Jensen"),
    ("1506054321", "Mikkel Vikar Nielsen"),
    ("2512874112", "Fatima Vikar Ali"),
];

/// Besides `DEV_PEOPLE`, the dev register knows a block of test
/// substitutes, for tests and benchmarks that order many (one person has
/// one live access at a time): 010180-0000 to 010180-9999 are "Testvikar
/// 0000" to "Testvikar 9999".
pub const TEST_BLOCK: &str = "010180";

/// The `n`th test substitute: (CPR number, name).
pub fn test_substitute(n: u16) -> (String, String) {
    (format!("{TEST_BLOCK}-{n:04}"), format!("Testvikar {n:04}"))
}

impl CprRegister for DevRegister {
    fn lookup<'a>(&'a self, cpr: &'a Cpr) -> Lookup<'a> {
        Box::pin(async move {
            let digits = cpr.expose_digits();
            let listed = DEV_PEOPLE
                .iter()
                .find(|(d, _)| *d == digits)
                .map(|(_, name)| (*name).to_string());
            let tested = digits
                .strip_prefix(TEST_BLOCK)
                .map(|seq| format!("Testvikar {seq}"));
            Ok(listed.or(tested).map(|name| RegisteredPerson { name }))
        })
    }
}

/// No register configured: every lookup is `Unavailable`, never a guess.
pub struct NoRegister;

impl CprRegister for NoRegister {
    fn lookup<'a>(&'a self, _cpr: &'a Cpr) -> Lookup<'a> {
        Box::pin(async { Err(RegisterError::Unavailable) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_dev_register_knows_its_people_by_any_spelling_of_the_number() {
        for (digits, name) in DEV_PEOPLE {
            let dashed = format!("{}-{}", &digits[..6], &digits[6..]);
            let cpr = Cpr::parse(&dashed).unwrap();
            let found = DevRegister.lookup(&cpr).await.unwrap().unwrap();
            assert_eq!(&found.name, name);
        }
        let unknown = Cpr::parse("020290-0000").unwrap();
        assert_eq!(DevRegister.lookup(&unknown).await.unwrap(), None);
        let (cpr, name) = test_substitute(42);
        let found = DevRegister
            .lookup(&Cpr::parse(&cpr).unwrap())
            .await
            .unwrap();
        assert_eq!(found.map(|p| p.name), Some(name));
        assert_eq!(cpr, "010180-0042");
        assert_eq!(
            Cpr::parse("150605-4321").unwrap().birth_date().to_string(),
            "2005-06-15",
            "7th digit 4 and YY 05: the 2000s"
        );
    }
}
