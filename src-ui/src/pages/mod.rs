pub mod home;
pub mod lock;
pub mod login;
pub mod municipality;
pub mod pin_setup;
