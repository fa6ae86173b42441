//! The OS keystore behind a small trait: Secret Service, Keychain or
//! Credential Manager on desktops (`KeyringStore`), the Android Keystore on
//! Android (`AndroidStore`), memory in tests. (iOS: `keyring`'s Keychain
//! store, `apple-native`, is the same `KeyringStore`.)
//!
//! Invariant: refresh tokens and device credentials are stored only here.

use std::collections::HashMap;
use std::sync::Mutex;

use omsorg_core::ErrorCode;

use crate::error::CommandError;

pub trait SecretStore: Send + Sync {
    fn get(&self, key: &str) -> Result<Option<String>, CommandError>;
    fn set(&self, key: &str, value: &str) -> Result<(), CommandError>;
    /// Deleting what is not there is not an error.
    fn delete(&self, key: &str) -> Result<(), CommandError>;
}

/// The platform keystore through `keyring` (Secret Service on Linux,
/// Keychain on macOS, Credential Manager on Windows).
pub struct KeyringStore {
    service: String,
}

impl KeyringStore {
    pub fn new(service: &str) -> KeyringStore {
        KeyringStore {
            service: service.to_string(),
        }
    }

    fn entry(&self, key: &str) -> Result<keyring::Entry, CommandError> {
        keyring::Entry::new(&self.service, key).map_err(failed)
    }
}

fn failed(e: keyring::Error) -> CommandError {
    // The error text never contains the secret itself.
    tracing::error!(error = %e, "keystore error");
    CommandError::new(ErrorCode::KeystoreFailed, "keystore unavailable")
}

impl SecretStore for KeyringStore {
    fn get(&self, key: &str) -> Result<Option<String>, CommandError> {
        match self.entry(key)?.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(failed(e)),
        }
    }

    fn set(&self, key: &str, value: &str) -> Result<(), CommandError> {
        self.entry(key)?.set_password(value).map_err(failed)
    }

    fn delete(&self, key: &str) -> Result<(), CommandError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(failed(e)),
        }
    }
}

/// Android: the Android Keystore through the keyring family's
/// `android-native-keyring-store` (behind `keyring-core`), set up from the
/// app's JNI context. The same trait, so nothing above it changes.
#[cfg(target_os = "android")]
pub struct AndroidStore {
    service: String,
}

#[cfg(target_os = "android")]
impl AndroidStore {
    /// Makes the Android Keystore the default store of `keyring-core`.
    pub fn new(service: &str) -> Result<AndroidStore, CommandError> {
        // The NDK context is the app's (Tauri's Android activity sets it).
        let store = android_native_keyring_store::Store::new().map_err(android_failed)?;
        keyring_core::set_default_store(store);
        Ok(AndroidStore {
            service: service.to_string(),
        })
    }

    fn entry(&self, key: &str) -> Result<keyring_core::Entry, CommandError> {
        keyring_core::Entry::new(&self.service, key).map_err(android_failed)
    }
}

#[cfg(target_os = "android")]
fn android_failed(e: keyring_core::Error) -> CommandError {
    tracing::error!(error = %e, "keystore error");
    CommandError::new(ErrorCode::KeystoreFailed, "keystore unavailable")
}

#[cfg(target_os = "android")]
impl SecretStore for AndroidStore {
    fn get(&self, key: &str) -> Result<Option<String>, CommandError> {
        match self.entry(key)?.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(android_failed(e)),
        }
    }

    fn set(&self, key: &str, value: &str) -> Result<(), CommandError> {
        self.entry(key)?.set_password(value).map_err(android_failed)
    }

    fn delete(&self, key: &str) -> Result<(), CommandError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(android_failed(e)),
        }
    }
}

/// For tests; counts its reads (a read of the real keystore is a D-Bus
/// round trip or more).
#[derive(Default)]
pub struct MemoryStore(
    Mutex<HashMap<String, String>>,
    std::sync::atomic::AtomicUsize,
);

impl MemoryStore {
    pub fn reads(&self) -> usize {
        self.1.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl SecretStore for MemoryStore {
    fn get(&self, key: &str) -> Result<Option<String>, CommandError> {
        self.1.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(self
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .cloned())
    }

    fn set(&self, key: &str, value: &str) -> Result<(), CommandError> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key.to_string(), value.to_string());
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<(), CommandError> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
        Ok(())
    }
}
