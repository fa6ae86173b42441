//! PIN hashing: Argon2id with at least OWASP's minimum (19 MiB, t=2, p=1) and
//! a server-side pepper, computed off the async runtime with a bound on how
//! many hashes run at once.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::SaltString;
use omsorg_core::pin_hash;
use tokio::sync::Semaphore;

pub use omsorg_core::pin_hash::{ITERATIONS, MEMORY_KIB, PARALLELISM};

#[derive(Clone)]
pub struct PinHasher {
    pepper: Arc<Vec<u8>>,
    permits: Arc<Semaphore>,
    verified: Arc<AtomicU64>,
}

impl PinHasher {
    /// `concurrency`: hashes at once (each takes 19 MiB and a core).
    pub fn new(pepper: &[u8], concurrency: usize) -> PinHasher {
        PinHasher {
            pepper: Arc::new(pepper.to_vec()),
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            verified: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The server's pepper (also the key for `secret::user_key`).
    pub fn pepper(&self) -> &[u8] {
        &self.pepper
    }

    /// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
    pub async fn hash(&self, pin: &str) -> anyhow::Result<String> {
        let _permit = self.permits.acquire().await?;
        let pepper = self.pepper.clone();
        let pin = pin.to_string();
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            pin_hash::hash(pin.as_bytes(), &pepper, salt.as_str())
        })
        .await?
        .map_err(anyhow::Error::from)
    }

    /// How many PINs this process has checked: the figure the guessing
    /// limits are measured by.
    pub fn verifications(&self) -> u64 {
        self.verified.load(Ordering::Relaxed)
    }

    pub async fn verify(&self, pin: &str, phc: &str) -> anyhow::Result<bool> {
        let _permit = self.permits.acquire().await?;
        self.verified.fetch_add(1, Ordering::Relaxed);
        let pepper = self.pepper.clone();
        let pin = pin.to_string();
        let phc = phc.to_string();
        tokio::task::spawn_blocking(move || pin_hash::verify(pin.as_bytes(), &pepper, &phc))
            .await?
            .map_err(anyhow::Error::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn concurrent_hashes_off_the_runtime_verify_under_their_pepper_only() {
        let hasher = PinHasher::new(b"pepper-one", 1);
        let (a, b) = tokio::join!(hasher.hash("2580"), hasher.hash("2580"));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_ne!(a, b, "each hash has its own salt");
        assert!(hasher.verify("2580", &a).await.unwrap());
        assert!(!PinHasher::new(b"pepper-two", 1)
            .verify("2580", &b)
            .await
            .unwrap());
        assert!(hasher.verify("2580", "garbage").await.is_err());
    }
}
