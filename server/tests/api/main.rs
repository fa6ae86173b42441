//! The backend driven over real HTTP on port 0 with a fresh SQLite file.

mod accesses;
mod audit;
mod cpr;
mod cpr_keys;
mod crash;
mod declarations;
mod guessing;
mod helpers;
mod identity;
mod mail;
mod me;
mod municipalities;
mod pin;
mod platform;
mod retention;
mod shared;
mod substitute_ids;
mod tokens;
