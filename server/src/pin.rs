//! PIN hashing: Argon2id with at least OWASP's minimum (19 MiB, t=2, p=1) and
//! a server-side pepper, computed off the async runtime with a bound on how
//! many hashes run at once.

use std::sync::Arc;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

pub const MEMORY_KIB: u32 = 19 * 1024;
pub const ITERATIONS: u32 = 2;
pub const PARALLELISM: u32 = 1;

#[derive(Clone)]
pub struct PinHasher {
    pepper: Arc<Vec<u8>>,
    permits: Arc<Semaphore>,
}

impl PinHasher {
    /// `concurrency`: hashes at once (each takes 19 MiB and a core).
    pub fn new(pepper: &[u8], concurrency: usize) -> PinHasher {
        PinHasher {
            pepper: Arc::new(pepper.to_vec()),
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
        }
    }

    fn argon(pepper: &[u8]) -> Argon2<'_> {
        let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None).expect("valid params");
        Argon2::new_with_secret(pepper, Algorithm::Argon2id, Version::V0x13, params)
            .expect("pepper accepted")
    }

    /// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
    pub async fn hash(&self, pin: &str) -> anyhow::Result<String> {
        let _permit = self.permits.acquire().await?;
        let pepper = self.pepper.clone();
        let pin = pin.to_string();
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            Self::argon(&pepper)
                .hash_password(pin.as_bytes(), &salt)
                .map(|h| h.to_string())
        })
        .await?
        .map_err(|e| anyhow::anyhow!("argon2: {e}"))
    }

    pub async fn verify(&self, pin: &str, phc: &str) -> anyhow::Result<bool> {
        let _permit = self.permits.acquire().await?;
        let pepper = self.pepper.clone();
        let pin = pin.to_string();
        let phc = phc.to_string();
        tokio::task::spawn_blocking(move || {
            let parsed =
                PasswordHash::new(&phc).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
            Ok::<_, anyhow::Error>(
                Self::argon(&pepper)
                    .verify_password(pin.as_bytes(), &parsed)
                    .is_ok(),
            )
        })
        .await?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_with_owasp_parameters_and_the_pepper_matters() {
        let hasher = PinHasher::new(b"pepper-one", 2);
        let phc = hasher.hash("2580").await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(!phc.contains("2580"));
        assert!(hasher.verify("2580", &phc).await.unwrap());
        assert!(!hasher.verify("2581", &phc).await.unwrap());
        let other = PinHasher::new(b"pepper-two", 2);
        assert!(
            !other.verify("2580", &phc).await.unwrap(),
            "a stolen hash is useless without the pepper"
        );
    }
}
