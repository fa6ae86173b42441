//! The OS keystore behind a small trait, so mobile stores (Android Keystore,
//! iOS Keychain) can follow and tests can use memory.
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

/// For tests.
#[derive(Default)]
pub struct MemoryStore(Mutex<HashMap<String, String>>);

impl SecretStore for MemoryStore {
    fn get(&self, key: &str) -> Result<Option<String>, CommandError> {
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
