//! The offline PIN verifier (SPEC C2): an Argon2id hash of the PIN keyed with
//! a device secret. The secret lives in the OS keystore, the hash in the app's
//! store, so a copy of the disk alone cannot be brute-forced. Both are
//! renewed at every successful online check and wiped at sign-out.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::SaltString;
use base64::Engine;
use omsorg_core::pin_hash;
use omsorg_core::ErrorCode;

use crate::error::CommandError;
use crate::secrets::SecretStore;
use crate::store::Store;

const DEVICE_SECRET: &str = "pin-device-secret";

fn internal(e: impl std::fmt::Display) -> CommandError {
    CommandError::new(ErrorCode::Internal, e.to_string())
}

/// Remembers `pin` (just confirmed by the backend) under a new device secret.
pub async fn remember(
    secrets: &dyn SecretStore,
    store: &Store,
    pin: &str,
) -> Result<(), CommandError> {
    let mut secret = [0u8; 32];
    OsRng.fill_bytes(&mut secret);
    let salt = SaltString::generate(&mut OsRng);
    let pin = pin.to_string();
    let phc = tokio::task::spawn_blocking(move || {
        pin_hash::hash(pin.as_bytes(), &secret, salt.as_str()).map(|phc| (phc, secret))
    })
    .await
    .map_err(internal)?
    .map_err(internal)?;
    let (phc, secret) = phc;
    let encoded = base64::engine::general_purpose::STANDARD.encode(secret);
    secrets.set(DEVICE_SECRET, &encoded)?;
    store.set_pin_verifier(&phc)?;
    Ok(())
}

/// `None` when this device has no verifier (never unlocked online, or wiped).
pub async fn check(
    secrets: &dyn SecretStore,
    store: &Store,
    pin: &str,
) -> Result<Option<bool>, CommandError> {
    let (Some(secret), Some(phc)) = (secrets.get(DEVICE_SECRET)?, store.pin_verifier()?) else {
        return Ok(None);
    };
    let Ok(secret) = base64::engine::general_purpose::STANDARD.decode(secret) else {
        return Ok(None);
    };
    let pin = pin.to_string();
    let ok = tokio::task::spawn_blocking(move || pin_hash::verify(pin.as_bytes(), &secret, &phc))
        .await
        .map_err(internal)?;
    // A damaged verifier cannot confirm anything: as if there were none.
    Ok(ok.ok())
}

/// Sign-out: the secret goes (the hash goes with the store's personal items).
pub fn forget(secrets: &dyn SecretStore) -> Result<(), CommandError> {
    secrets.delete(DEVICE_SECRET)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::MemoryStore;

    #[tokio::test]
    async fn verifies_offline_only_with_the_keystore_secret() {
        let (secrets, store) = (MemoryStore::default(), Store::open_in_memory().unwrap());
        assert_eq!(check(&secrets, &store, "2580").await.unwrap(), None);
        remember(&secrets, &store, "2580").await.unwrap();
        let phc = store.pin_verifier().unwrap().unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(!phc.contains("2580"));
        assert_eq!(check(&secrets, &store, "2580").await.unwrap(), Some(true));
        assert_eq!(check(&secrets, &store, "2581").await.unwrap(), Some(false));

        // A new online unlock renews the secret: the old hash is useless.
        remember(&secrets, &store, "2580").await.unwrap();
        let other_store = Store::open_in_memory().unwrap();
        other_store.set_pin_verifier(&phc).unwrap();
        assert_eq!(
            check(&secrets, &other_store, "2580").await.unwrap(),
            Some(false)
        );

        // Without the keystore secret there is nothing to check against.
        forget(&secrets).unwrap();
        assert_eq!(check(&secrets, &store, "2580").await.unwrap(), None);
    }
}
