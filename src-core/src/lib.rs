//! Omsorg's domain rules and the types of the backend's HTTP contract.
//!
//! Architecture invariant: this crate does no I/O and depends on no runtime,
//! HTTP, SQL or Tauri crate, so the shell, the UI (wasm32) and the backend
//! share one definition of every rule and every message shape.

pub mod api;
pub mod assurance;
pub mod bridge;
pub mod care;
pub mod cpr;
pub mod danish_time;
pub mod declaration;
pub mod enrollment;
pub mod error;
/// The fuzz targets' bodies: for the fuzz crate (`fuzzing` feature) and the
/// core's own tests, not part of the API the app and the backend use.
#[cfg(any(test, feature = "fuzzing"))]
pub mod fuzzing;
pub mod groups;
pub mod ipc;
pub mod lock;
pub mod period;
pub mod pin;
#[cfg(feature = "pin-hash")]
pub mod pin_hash;
#[cfg(feature = "privileges")]
pub mod privileges;
pub mod signature;
pub mod wizard;

pub use error::{ErrorBody, ErrorCode};
