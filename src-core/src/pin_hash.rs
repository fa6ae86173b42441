//! Keyed Argon2id PIN hashes with at least OWASP's minimum parameters
//! (19 MiB, t=2, p=1). The key is the backend's pepper, or on a device the
//! secret kept in the OS keystore for the offline verifier: a stolen hash is
//! useless without it. Pure computation; the caller supplies the salt (from
//! the OS's randomness) and runs this off any async runtime.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

pub const MEMORY_KIB: u32 = 19 * 1024;
pub const ITERATIONS: u32 = 2;
pub const PARALLELISM: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HashError {
    /// The key or salt was refused (empty key, too short salt).
    Input(String),
    /// The stored string is not a PHC Argon2 hash.
    Stored(String),
}

impl std::fmt::Display for HashError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HashError::Input(e) => write!(f, "argon2 input: {e}"),
            HashError::Stored(e) => write!(f, "stored hash: {e}"),
        }
    }
}

impl std::error::Error for HashError {}

fn argon(key: &[u8]) -> Result<Argon2<'_>, HashError> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None).expect("valid params");
    Argon2::new_with_secret(key, Algorithm::Argon2id, Version::V0x13, params)
        .map_err(|e| HashError::Input(e.to_string()))
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`). `salt` is B64 of at
/// least 16 random bytes (e.g. `SaltString::generate(&mut OsRng)`).
pub fn hash(pin: &[u8], key: &[u8], salt: &str) -> Result<String, HashError> {
    let salt = SaltString::from_b64(salt).map_err(|e| HashError::Input(e.to_string()))?;
    argon(key)?
        .hash_password(pin, &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError::Input(e.to_string()))
}

/// Whether `pin` under `key` gives `phc`. Only a malformed `phc` is an error.
pub fn verify(pin: &[u8], key: &[u8], phc: &str) -> Result<bool, HashError> {
    let parsed = PasswordHash::new(phc).map_err(|e| HashError::Stored(e.to_string()))?;
    Ok(argon(key)?.verify_password(pin, &parsed).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SALT: &str = "c2FsdHNhbHRzYWx0c2FsdA";

    #[test]
    fn owasp_parameters_and_the_key_matters() {
        let phc = hash(b"2580", b"key-one-key-one", SALT).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(!phc.contains("2580"));
        assert_eq!(verify(b"2580", b"key-one-key-one", &phc), Ok(true));
        assert_eq!(verify(b"2581", b"key-one-key-one", &phc), Ok(false));
        assert_eq!(
            verify(b"2580", b"key-two-key-two", &phc),
            Ok(false),
            "a stolen hash is useless without the key"
        );
        assert!(matches!(
            verify(b"2580", b"k", "not a hash"),
            Err(HashError::Stored(_))
        ));
    }
}
