pub mod login;
pub mod municipality;
