//! End-to-end: the real release app window, driven over WebDriver
//! (WebKitWebDriver under Xvfb), against the real backend and dev IdP on
//! free loopback ports; the screen gallery at every form factor in the
//! debug app's window; the desktop package installed and started. Run
//! through `cargo xtask test`.

mod administration;
mod care_record;
mod desktop_package;
mod devices;
mod gallery;
mod kombit_login;
mod municipality_picker;
mod order_helpers;
mod people;
mod pin_lock;
mod returning;
mod shared_devices;
mod stack;
mod start;
mod substitute_access;
mod units;
