//! End-to-end: the real release app window, driven over WebDriver
//! (tauri-driver + WebKitWebDriver under Xvfb), against the real backend and
//! dev IdP on free loopback ports. Run through `cargo xtask test`.

mod kombit_login;
mod municipality_picker;
mod order_helpers;
mod pin_lock;
mod shared_devices;
mod stack;
mod substitute_access;
