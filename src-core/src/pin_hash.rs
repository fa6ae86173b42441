//! Keyed Argon2id PIN hashes with at least OWASP's minimum parameters
//! (19 MiB, t=2, p=1). The key is the backend's pepper, or on a device the
//! secret kept in the OS keystore for the offline verifier: a stolen hash is
//! useless without it. Pure computation; the caller supplies the salt (from
//! the OS's randomness) and runs this off any async runtime.

use argon2::password_hash::{Output, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

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

/// Argon2's working memory (19 MiB at our parameters), kept by a thread
/// that checks many PINs: no check then allocates, clears or faults in
/// its memory, which otherwise costs a tenth of each check. Argon2 fills
/// every block before it reads it, so what the last check left is never
/// read by the next.
#[derive(Default)]
pub struct Memory(Vec<Block>);

impl Memory {
    fn blocks(&mut self, count: usize) -> &mut [Block] {
        if self.0.len() < count {
            self.0.resize(count, Block::new());
        }
        &mut self.0[..count]
    }
}

/// Whether `pin` under `key` gives `phc`. Only a malformed `phc` is an error.
pub fn verify(pin: &[u8], key: &[u8], phc: &str) -> Result<bool, HashError> {
    verify_in(pin, key, phc, &mut Memory::default())
}

/// [`verify`] in `memory`. The stored string's own algorithm, version and
/// parameters are used (a hash made under older parameters still checks),
/// and the result is compared in constant time.
pub fn verify_in(
    pin: &[u8],
    key: &[u8],
    phc: &str,
    memory: &mut Memory,
) -> Result<bool, HashError> {
    let stored = |e: &dyn std::fmt::Display| HashError::Stored(e.to_string());
    let parsed = PasswordHash::new(phc).map_err(|e| stored(&e))?;
    let algorithm = Algorithm::try_from(parsed.algorithm).map_err(|e| stored(&e))?;
    let version = match parsed.version {
        Some(v) => Version::try_from(v).map_err(|e| stored(&e))?,
        None => Version::default(),
    };
    let params = Params::try_from(&parsed).map_err(|e| stored(&e))?;
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return Err(HashError::Stored("no salt or no hash".into()));
    };
    let mut salt_bytes = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_bytes).map_err(|e| stored(&e))?;
    let count = params.block_count();
    let argon = Argon2::new_with_secret(key, algorithm, version, params)
        .map_err(|e| HashError::Input(e.to_string()))?;
    let mut out = [0u8; Output::MAX_LENGTH];
    let out = &mut out[..expected.len()];
    // A wrong key length or salt under the stored string's rules: not this PIN.
    if argon
        .hash_password_into_with_memory(pin, salt, out, memory.blocks(count))
        .is_err()
    {
        return Ok(false);
    }
    let computed = Output::new(out).map_err(|e| stored(&e))?;
    Ok(computed == expected)
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

    #[test]
    fn kept_memory_checks_like_fresh_memory_whatever_it_checked_before() {
        let key = b"key-one-key-one";
        let phc = hash(b"2580", key, SALT).unwrap();
        let other = hash(b"1111", key, "b3RoZXJzYWx0b3RoZXJzYWx0").unwrap();
        let mut memory = Memory::default();
        for _ in 0..2 {
            assert_eq!(verify_in(b"1111", key, &other, &mut memory), Ok(true));
            assert_eq!(verify_in(b"2580", key, &phc, &mut memory), Ok(true));
            assert_eq!(verify_in(b"2581", key, &phc, &mut memory), Ok(false));
            assert_eq!(
                verify_in(b"2580", b"key-two-key-two", &phc, &mut memory),
                Ok(false)
            );
        }
        // A hash made under other (older, smaller) parameters still checks,
        // in the same memory.
        let small = Argon2::new_with_secret(
            key,
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8 * 1024, 1, 1, None).unwrap(),
        )
        .unwrap()
        .hash_password(b"2580", &SaltString::from_b64(SALT).unwrap())
        .unwrap()
        .to_string();
        assert_eq!(verify_in(b"2580", key, &small, &mut memory), Ok(true));
        assert_eq!(verify_in(b"2581", key, &small, &mut memory), Ok(false));
        assert!(matches!(
            verify_in(
                b"2580",
                key,
                "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA",
                &mut memory
            ),
            Err(HashError::Stored(_))
        ));
    }
}
